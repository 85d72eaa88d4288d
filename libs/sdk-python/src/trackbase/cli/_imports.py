"""`trackbase import neptune|...`: bring runs from other trackers (see docs/import.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .._errors import TrackbaseApiError
from ._output import progress_bar

if TYPE_CHECKING:
    from .._api import TrackbaseApi
    from ..importers._writer import Summary
    from ._program import Cli


def ensure_project(api: TrackbaseApi, org: str, project: str) -> None:
    """Creates the target project when the organization has none of that slug."""
    if any(p.get("slug") == project for p in api.projects(org)):
        return
    try:
        api.create_project(org, {"name": project, "slug": project, "visibility": "private"})
    except TrackbaseApiError as error:
        if error.status != 409:
            raise


def _progress(cli: Cli, what: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if not cli.json and (sys.stderr.isatty() or cli.env.get("TRACKBASE_PROGRESS") == "1"):
            cli.err(f"\r{progress_bar(done, total)} rows of {what}")

    return show


def _report(cli: Cli, summary: Summary) -> None:
    if not cli.json:
        cli.err("\n")
    cli.print(summary.to_json(), summary.human)


def import_neptune(cli: Cli) -> None:
    from ..importers.neptune import NeptuneImporter

    org, project = cli.split_project(cli.args.project)
    export = Path(cli.args.export_dir)
    if not export.is_dir():
        raise ValueError(f"{export} is not a directory")
    api = cli.api()
    ensure_project(api, org, project)
    importer = NeptuneImporter(api, org, project, _progress(cli, str(export)))
    summary = importer.run(export, Path(cli.args.files_dir) if cli.args.files_dir else None)
    _report(cli, summary)


def import_mlflow(cli: Cli) -> None:
    from ..importers.mlflow import MlflowImporter

    api = cli.api()
    if cli.args.project:
        org, project = cli.split_project(cli.args.project)
        ensure_project(api, org, project)
    elif cli.args.org:
        org, project = cli.args.org, None
    else:
        raise ValueError("give --org (each experiment becomes a project) or --project org/proj")
    importer = MlflowImporter(
        api,
        org,
        cli.args.source,
        project=project,
        experiments=cli.args.experiment or (),
        progress=_progress(cli, "runs"),
        ensure_project=lambda slug: ensure_project(api, org, slug),
    )
    _report(cli, importer.run())


def import_wandb(cli: Cli) -> None:
    from .._config import resolve_config
    from ..importers.wandb_dirs import WandbDirImporter

    org, project = cli.split_project(cli.args.project)
    source = Path(cli.args.wandb_dir)
    if not source.is_dir():
        raise ValueError(f"{source} is not a directory")
    api = cli.api()
    ensure_project(api, org, project)
    config = resolve_config(url=cli.args.url, api_key=cli.args.api_key, mode="async", env=cli.env)
    importer = WandbDirImporter(api, config.url, config.api_key or "", org, project, _progress(cli, "W&B runs"))
    _report(cli, importer.run(source))


def import_trackbase(cli: Cli) -> None:
    from ..importers.trackbase import TrackbaseImporter

    org, project = cli.split_project(cli.args.project)
    source = Path(cli.args.export_dir)
    if not source.is_file() and not (source / "export.json").is_file():
        raise ValueError(f"{cli.args.export_dir} is not a trackbase export (no export.json)")
    api = cli.api()
    ensure_project(api, org, project)
    _report(cli, TrackbaseImporter(api, org, project, _progress(cli, "runs")).run(Path(cli.args.export_dir)))


def export(cli: Cli) -> None:
    from ..exporter import Exporter

    org, project = cli.split_project(cli.args.project)
    exporter = Exporter(cli.api(), org, project, Path(cli.args.out), _progress(cli, "runs"))
    manifest = exporter.run(
        cli.args.filter,
        files=not cli.args.no_files,
        artifacts=not cli.args.no_artifacts,
        records="client" if cli.args.client_records else "server",
    )
    if not cli.json:
        cli.err("\n")
    counts = manifest["counts"]
    cli.print(
        manifest,
        lambda: (
            f"Exported {counts['runs']} runs, {counts['params']} params, {counts['points']} points, "
            f"{counts['textLines']} text lines, {counts['files']} files, {counts['artifactVersions']} artifact versions "
            f"to {cli.args.out}\n"
        ),
    )


def register(sub: Any, command: Callable[..., Any]) -> None:
    imports = sub.add_parser("import", help="import runs from Neptune exports, MLflow or W&B").add_subparsers(
        dest="sub", metavar="source"
    )
    neptune = command(
        imports,
        "neptune",
        import_neptune,
        "import a neptune-exporter export (its data/ and files/ directories); idempotent and resumable",
    )
    neptune.add_argument("export_dir", help="the exporter's output: the directory holding data/ and files/, or data/ itself")
    neptune.add_argument("--project", required=True, help="target org/project (created when missing)")
    neptune.add_argument("--files-dir", help="the exporter's --files-path, when not beside data/")
    mlflow = command(
        imports, "mlflow", import_mlflow, "import MLflow experiments, runs, metric histories, artifacts and registered models"
    )
    mlflow.add_argument(
        "--from", dest="source", required=True, help="tracking URI (http://, sqlite:, file:) or an mlruns directory"
    )
    mlflow.add_argument("--org", help="target organization: each experiment becomes a project of that name")
    mlflow.add_argument("--project", help="target org/project for every run instead")
    mlflow.add_argument("--experiment", action="append", help="only this experiment (name or id); repeatable")
    wandb = command(
        imports,
        "wandb",
        import_wandb,
        "import W&B run directories (offline runs, unfinished uploads) with W&B's own reader; idempotent",
    )
    wandb.add_argument("wandb_dir", help="a run directory, a wandb/ folder, or the directory holding it")
    wandb.add_argument("--project", required=True, help="target org/project (created when missing)")
    own = command(imports, "trackbase", import_trackbase, "import a `trackbase export` directory or archive into a project")
    own.add_argument("export_dir", help="the export's directory, or its archive (GET .../export/archive.tar) as a .tar file")
    own.add_argument("--project", required=True, help="target org/project (created when missing)")
    exporter = command(sub, "export", export, "export a project's runs, params, series, text, files and artifacts (Parquet)")
    exporter.add_argument("project", help="org/project")
    exporter.add_argument("--out", required=True, help="directory to write")
    exporter.add_argument("--filter", help='only runs matching, e.g. state = "finished"')
    exporter.add_argument("--no-files", action="store_true", help="skip run files")
    exporter.add_argument("--no-artifacts", action="store_true", help="skip artifact versions")
    exporter.add_argument(
        "--client-records",
        action="store_true",
        help="build the records here from the run and series endpoints instead of the server's Parquet stream",
    )
