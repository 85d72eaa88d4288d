"""`trackbase files upload|download|list` and `trackbase artifacts list|get|put|alias|unalias|delete`."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Dict, List

from .._artifacts import download_artifact, log_artifact_files, parse_artifact_ref
from .._files import LocalFile, collect_path, download_run_files, upload_run_files
from ._output import format_bytes, table

if TYPE_CHECKING:
    from ._program import Cli


def files_upload(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    local: List[LocalFile] = []
    for path in cli.args.paths:
        local.extend(collect_path(path, cli.args.prefix or ""))
    stored = upload_run_files((cli.api(), org, project, cli.args.run), local)
    cli.print(
        {"files": stored},
        lambda: f"Uploaded {len(stored)} files ({format_bytes(sum(f['size'] for f in stored))}) to {cli.args.run}\n",
    )


def files_download(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    directory = os.path.abspath(cli.args.dir)
    got = download_run_files((cli.api(), org, project, cli.args.run), cli.args.path, directory)
    fetched = sum(1 for f in got if f["downloaded"])
    extra = f" ({len(got) - fetched} were up to date)" if len(got) > fetched else ""
    cli.print({"files": got}, lambda: f"Downloaded {fetched} files{extra} into {directory}\n")


def files_list(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    listing = cli.api().list_run_files(org, project, cli.args.run, cli.args.prefix)
    rows = [
        {
            **e,
            "name": f"{e['name']}/" if e["type"] == "dir" else e["name"],
            "size": format_bytes(e["size"]),
            "files": e.get("fileCount", ""),
        }
        for e in listing["entries"]
    ]
    cli.print(listing, lambda: table(rows, ["name", "size", "files", "createdAt"]))


def artifacts_list(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    items = cli.api().artifacts(org, project, cli.args.kind)
    rows = [{**a, "size": format_bytes(a["size"]), "versions": a["versionCount"]} for a in items]
    cli.print(items, lambda: table(rows, ["name", "kind", "latest", "versions", "size", "updatedAt"]))


def artifacts_get(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    result = download_artifact(cli.api(), org, project, cli.args.artifact, run=cli.args.run, root=cli.args.dir)
    version = result.version

    def human() -> str:
        if version.get("reference"):
            ref = version["reference"]
            return f"{version['artifact']}:{version['version']} refers to {ref['uri']} (digest {ref['digest']}); nothing to download.\n"
        return (
            f"{version['artifact']}:{version['version']} ({len(result.files)} files, {format_bytes(version['size'])}; "
            f"{result.downloaded} downloaded, {result.reused} from the cache) in {result.dir}\n"
        )

    cli.print(
        {
            "dir": str(result.dir),
            "version": version,
            "downloaded": result.downloaded,
            "reused": result.reused,
            "files": result.files,
        },
        human,
    )


def artifacts_put(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    version = log_artifact_files(
        cli.api(),
        org,
        project,
        cli.args.name,
        cli.args.kind,
        list(cli.args.paths),
        aliases=cli.args.alias,
        description=cli.args.description,
        run=cli.args.run,
    )
    cli.print(
        version,
        lambda: (
            f"{'Logged' if version['created'] else 'Unchanged, already'} {cli.args.name}:{version['version']} "
            f"({version['fileCount']} files, {format_bytes(version['size'])}; aliases {', '.join(version['aliases'])})\n"
        ),
    )


def version_ref(ref: str) -> Dict[str, str]:
    """A malformed `name:version` on the command line is a usage error (exit 2), as a malformed org/project is."""
    from ._program import UsageError

    try:
        return parse_artifact_ref(ref)
    except ValueError as error:
        raise UsageError(str(error)) from None


def artifacts_alias(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    target = version_ref(cli.args.version)
    name, alias = target["name"], cli.args.alias
    moved = cli.api().set_artifact_alias(org, project, name, alias, target["version"])
    cli.print(moved, lambda: f"{name}:{alias} now points at {name}:{moved['version']}\n")


def artifacts_unalias(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    name, alias = cli.args.name, cli.args.alias
    cli.api().delete_artifact_alias(org, project, name, alias)
    cli.print({"artifact": name, "alias": alias, "removed": True}, lambda: f"Removed alias {name}:{alias}\n")


def artifacts_delete(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    whole = ":" not in cli.args.artifact
    ref = version_ref(cli.args.artifact)
    name, version = ref["name"], ref["version"]
    cli.confirm(f"the artifact {name} with every version and its files" if whole else f"{name}:{version} and its files")
    if whole:
        cli.api().delete_artifact(org, project, name)
    else:
        cli.api().delete_artifact_version(org, project, name, version)
    cli.print(
        {"artifact": name, "version": None if whole else version, "deleted": True},
        lambda: f"Moved {name} and every version to the trash\n" if whole else f"Moved {name}:{version} to the trash\n",
    )


def register(sub: Any, command: Callable[..., Any]) -> None:
    files = sub.add_parser("files", help="upload, download and list the files of a run").add_subparsers(
        dest="sub", metavar="command"
    )
    upload = command(files, "upload", files_upload, "upload files and directories (a directory contributes its contents)")
    upload.add_argument("project")
    upload.add_argument("run")
    upload.add_argument("paths", nargs="+")
    upload.add_argument("--prefix", help="directory in the run to put them in")
    download = command(files, "download", files_download, "download a file, a directory, or every file of the run")
    download.add_argument("project")
    download.add_argument("run")
    download.add_argument("path", nargs="?")
    download.add_argument("--dir", default=".", help="where to put them")
    listing = command(files, "list", files_list, "files and directories directly under prefix")
    listing.add_argument("project")
    listing.add_argument("run")
    listing.add_argument("prefix", nargs="?")

    artifacts = sub.add_parser("artifacts", help="list, download and log versioned artifacts").add_subparsers(
        dest="sub", metavar="command"
    )
    alist = command(artifacts, "list", artifacts_list, "artifacts of org/project")
    alist.add_argument("project")
    alist.add_argument("--kind", help="only this kind (dataset, model, ...)")
    get = command(artifacts, "get", artifacts_get, "download name[:alias|:v3] (default latest) into the cache, or into --dir")
    get.add_argument("project")
    get.add_argument("artifact")
    get.add_argument("--dir", help="directory to put the files in")
    get.add_argument("--run", help="record that this run (key or id) used the version")
    put = command(artifacts, "put", artifacts_put, "log a version from files and directories")
    put.add_argument("project")
    put.add_argument("name")
    put.add_argument("paths", nargs="+")
    put.add_argument("--kind", required=True, help="dataset, model, or another lowercase word")
    put.add_argument("--alias", action="append", default=[], help="alias to point at the version (repeatable)")
    put.add_argument("--description", help="what this version is")
    put.add_argument("--run", help="the run (key or id) that produced it")
    alias = command(
        artifacts,
        "alias",
        artifacts_alias,
        "point an alias (production, best, ...) at name:v3 or name:<another alias>; latest moves by itself",
    )
    alias.add_argument("project")
    alias.add_argument("version")
    alias.add_argument("alias")
    unalias = command(artifacts, "unalias", artifacts_unalias, "remove an alias from the version it points at")
    unalias.add_argument("project")
    unalias.add_argument("name")
    unalias.add_argument("alias")
    delete = command(
        artifacts,
        "delete",
        artifacts_delete,
        "move one version (name:v3) or, given a bare name, the artifact with every version to the trash",
    )
    delete.add_argument("project")
    delete.add_argument("artifact")
    delete.add_argument("--yes", action="store_true", help="confirm the deletion")
