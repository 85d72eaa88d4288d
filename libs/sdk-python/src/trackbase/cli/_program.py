"""Commands: login, whoami, orgs, projects, runs, sync, open, files, artifacts (see `libs/sdk/src/cli/program.ts`), plus import and export (Python only: their readers are Python libraries)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

from .._api import TrackbaseApi
from .._config import config_dir, resolve_config
from .._errors import TrackbaseApiError, TrackbaseUnavailableError
from .._http import HttpClient
from .._journal import JournalInUse, list_journals
from .._sync import SyncResult, sync_journal
from ._output import EXIT, Printer, format_number, progress_bar, table


class UsageError(Exception):
    pass


class Cli:
    def __init__(self, args: argparse.Namespace, env: Mapping[str, str]) -> None:
        self.args = args
        self.env = env
        self.printer = Printer(bool(getattr(args, "json", False)))
        self.code = EXIT["ok"]

    @property
    def json(self) -> bool:
        return self.printer.json

    def api(self) -> TrackbaseApi:
        config = resolve_config(url=self.args.url, api_key=self.args.api_key, mode="async", env=self.env)
        if not config.api_key:
            raise TrackbaseApiError(401, "unauthenticated", "no API key: run `trackbase login` or set TRACKBASE_API_KEY")
        return TrackbaseApi(HttpClient(config.url, config.api_key, max_attempts=3))

    def print(self, value: Any, human: Callable[[], str]) -> None:
        self.printer.print(value, human)

    def err(self, text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    def confirm(self, what: str) -> None:
        """Destructive commands act only when `--yes` says the user means it."""
        if not getattr(self.args, "yes", False):
            raise UsageError(f"this deletes {what}; pass --yes to confirm")

    @staticmethod
    def split_project(ref: str) -> tuple[str, str]:
        org, _, project = ref.partition("/")
        if not org or not project or "/" in project:
            raise UsageError(f'expected org/project, got "{ref}"')
        return org, project


def cmd_login(cli: Cli) -> None:
    url = resolve_config(url=cli.args.url, env=cli.env).url
    me = TrackbaseApi(HttpClient(url, cli.args.key, max_attempts=2)).me()
    directory = config_dir(cli.env)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / "config.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps({"url": url, "apiKey": cli.args.key}, indent=2))
    os.chmod(path, 0o600)
    cli.print(
        {"url": url, "user": me, "configFile": str(path)},
        lambda: f"Logged in to {url} as {me.get('email') or me.get('name')}. Key stored in {path}.\n",
    )


def cmd_whoami(cli: Cli) -> None:
    me = cli.api().me()
    cli.print(me, lambda: f"{me['name']} <{me.get('email') or 'service account'}> ({me['id']})\n")


def cmd_orgs(cli: Cli) -> None:
    orgs = cli.api().orgs()
    cli.print(orgs, lambda: table(orgs, ["slug", "name", "role"]))


def cmd_projects_list(cli: Cli) -> None:
    items = cli.api().projects(cli.args.org)
    cli.print(items, lambda: table(items, ["slug", "name", "visibility", "role"]))


def cmd_projects_create(cli: Cli) -> None:
    body: Dict[str, Any] = {"name": cli.args.name, "visibility": cli.args.visibility}
    if cli.args.slug:
        body["slug"] = cli.args.slug
    project = cli.api().create_project(cli.args.org, body)
    cli.print(project, lambda: f"Created {cli.args.org}/{project['slug']}\n")


def cmd_runs_list(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    try:
        limit = int(cli.args.limit)
    except ValueError:
        limit = 0
    # The sorted field is shown as a column, so the order can be seen.
    sort_field = (cli.args.sort or "").split(",")[0].lstrip("+-")
    extra = [sort_field] if re.match(r"^(params|metrics|system)\.", sort_field) else []
    listing = cli.api().list_runs(
        org, project, filter=cli.args.filter, sort=cli.args.sort, limit=limit or None, columns=extra or None
    )

    def human() -> str:
        rows = [{**r, **(r.get("columns") or {})} for r in listing["items"]]
        if not rows and cli.args.filter:
            return (
                "No run matches the filter. (A condition on a metric or parameter never matches runs that lack it: "
                "`trackbase runs show` lists a run's series and params.)\n"
            )
        if not rows:
            return f"No runs in {org}/{project} yet.\n"
        sort_column = [sort_field] if sort_field and not extra and sort_field not in ("key", "name", "state", "createdAt") else []
        return table(rows, ["key", "name", "state", "createdAt", *extra, *sort_column])

    cli.print(listing, human)


def cmd_runs_show(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    detail = cli.api().get_run(org, project, cli.args.run)

    def human() -> str:
        series = [
            {"series": s["name"], "kind": s["kind"], "last": s["last"], "min": s["min"], "max": s["max"], "points": s["count"]}
            for s in detail["series"]
        ]
        params = [
            {"param": k, "value": v if isinstance(v, str) else json.dumps(format_number(v))} for k, v in detail["params"].items()
        ]
        lines = [
            f"{detail['key']} {detail['name']} [{detail['state']}]",
            detail["url"],
            f"tags: {', '.join(detail['tags'])}" if detail.get("tags") else "tags: (none)",
            f"notes: {detail['notes']}" if detail.get("notes") else "",
            "",
            table(params, ["param", "value"]) if params else "params: (none)\n",
            table(series, ["series", "kind", "last", "min", "max", "points"]) if series else "series: (none)\n",
        ]
        return "\n".join(line for i, line in enumerate(lines) if line != "" or i == 4)

    cli.print(detail, human)


def cmd_runs_delete(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    cli.confirm(f"the run {cli.args.run} of {org}/{project} with its series and files")
    cli.api().delete_run(org, project, cli.args.run)
    cli.print({"run": cli.args.run, "deleted": True}, lambda: f"Deleted {cli.args.run}\n")


def cmd_sync(cli: Cli) -> None:
    api = cli.api()
    config = resolve_config(directory=cli.args.dir, mode="offline", env=cli.env)
    journals = list_journals(config.data_dir)
    results: List[SyncResult] = []
    for directory in journals:
        try:

            def progress(sent: int, total: int, directory: Path = directory) -> None:
                if not cli.json:
                    cli.err(f"\r{progress_bar(sent, total)} {directory}")

            result = sync_journal(api, directory, progress)
            if not cli.json and result.batches:
                cli.err("\n")
            results.append(result)
            if result.rejected:
                cli.code = EXIT["partial"]
        except JournalInUse:
            cli.err(f"skipped {directory}: a live process is still writing it\n")
        except Exception as error:
            cli.err(f"could not sync {directory}: {error}\n")
            cli.code = EXIT["partial"]
    points = sum(r.points for r in results)
    batches = sum(r.batches for r in results)

    def human() -> str:
        lines = "\n".join(f"  {r.run_key or '?'} {r.run_url or ''}{f' ({r.finished})' if r.finished else ''}" for r in results)
        return f"Synced {len(results)} of {len(journals)} runs, {batches} batches, {points} points.\n{lines}\n"

    cli.print({"runs": [r.to_json() for r in results]}, human)


def cmd_open(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    detail = cli.api().get_run(org, project, cli.args.run)
    cli.print({"url": detail["url"]}, lambda: f"{detail['url']}\n")
    if cli.args.browser:
        import webbrowser

        webbrowser.open(detail["url"])


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS, help="server URL (default TRACKBASE_URL or the stored login)")
    common.add_argument("--api-key", default=argparse.SUPPRESS, help="API key (default TRACKBASE_API_KEY or the stored login)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    parser = argparse.ArgumentParser(
        prog="trackbase", description="Trackbase: experiment tracking from the command line", parents=[common]
    )
    sub = parser.add_subparsers(dest="command", metavar="command")

    def command(parent: Any, name: str, handler: Callable[[Cli], None], help: str = "") -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    login = command(sub, "login", cmd_login, "store an API key (owner-only file in the user config directory)")
    login.add_argument("--key", required=True, help="API key created in the web app (Account -> API keys)")
    command(sub, "whoami", cmd_whoami, "show who the key belongs to")
    command(sub, "orgs", cmd_orgs, "list your organizations")
    projects = sub.add_parser("projects", parents=[common], help="list or create projects").add_subparsers(
        dest="sub", metavar="command"
    )
    command(projects, "list", cmd_projects_list).add_argument("org")
    create = command(projects, "create", cmd_projects_create)
    create.add_argument("org")
    create.add_argument("name")
    create.add_argument("--slug")
    create.add_argument("--visibility", default="private", help="private or org")
    runs = sub.add_parser("runs", parents=[common], help="list, show or delete runs").add_subparsers(
        dest="sub", metavar="command"
    )
    runs_list = command(runs, "list", cmd_runs_list, "runs of org/project, newest first")
    runs_list.add_argument("project")
    runs_list.add_argument("--filter", help='e.g. params.lr > 0.01 AND state = "finished"')
    runs_list.add_argument("--sort", help="e.g. -metrics.loss.min")
    runs_list.add_argument("--limit", default="50", help="rows")
    show = command(runs, "show", cmd_runs_show)
    show.add_argument("project")
    show.add_argument("run")
    delete = command(runs, "delete", cmd_runs_delete, "delete a run with its series, text and files")
    delete.add_argument("project")
    delete.add_argument("run")
    delete.add_argument("--yes", action="store_true", help="confirm the deletion")
    command(sub, "sync", cmd_sync, "upload offline runs and anything a crashed process left behind").add_argument(
        "--dir", help="journal directory (default TRACKBASE_DIR)"
    )
    opener = command(sub, "open", cmd_open, "print a run's URL (and open it with --browser)")
    opener.add_argument("project")
    opener.add_argument("run")
    opener.add_argument("--browser", action="store_true", help="open in the default browser")
    from ._imports import register as register_imports
    from ._keys import register as register_keys
    from ._retention import register as register_retention
    from ._transfers import register

    register(sub, command)
    register_imports(sub, command)
    register_retention(sub, command)
    register_keys(sub, command)
    return parser


def run_cli(argv: List[str], env: Optional[Mapping[str, str]] = None) -> int:
    """Runs the CLI and returns its exit code (0 ok, 2 usage, 3 auth, 4 not found, 5 unreachable, 6 partial sync)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT["ok"] if exit_.code in (0, None) else EXIT["usage"]
    for name in ("url", "api_key"):
        if not hasattr(args, name):
            setattr(args, name, None)
    if not hasattr(args, "json"):
        args.json = False
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT["usage"]
    cli = Cli(args, os.environ if env is None else env)
    try:
        handler(cli)
        return cli.code
    except UsageError as error:
        sys.stderr.write(f"trackbase: {error}\n")
        return EXIT["usage"]
    except TrackbaseApiError as error:
        sys.stderr.write(f"trackbase: {error}\n")
        return EXIT["auth"] if error.status in (401, 403) else EXIT["not_found"] if error.status == 404 else EXIT["error"]
    except TrackbaseUnavailableError as error:
        sys.stderr.write(f"trackbase: server unreachable: {error}\n")
        return EXIT["unavailable"]
    except (OSError, ValueError, ImportError) as error:
        sys.stderr.write(f"trackbase: {error}\n")
        return EXIT["error"]
