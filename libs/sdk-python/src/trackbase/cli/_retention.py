"""`trackbase retention show|set|preview|apply` and `trackbase trash list|restore|purge`, as the npm CLI has them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

from ._output import format_bytes, table

if TYPE_CHECKING:
    from ._program import Cli

KINDS = ("run", "artifact", "artifact_version")
SCHEDULES = ("manual", "daily")
POLICY_COLUMNS = [
    "keepLastVersions",
    "failedRunFilesDays",
    "runFilter",
    "runFilterDays",
    "schedule",
    "lastAppliedAt",
    "nextApplyAt",
    "updatedAt",
]


def _count(value: Optional[str]) -> Optional[int]:
    """A whole number of days or versions, or `off` (or nothing) for no rule."""
    from ._program import UsageError

    if value is None or value == "off":
        return None
    if not value.isdigit():
        raise UsageError(f'expected a whole number or "off", got "{value}"')
    return int(value)


def _describe(plan: Dict[str, Any]) -> str:
    dry = plan["dryRun"]
    runs, versions, files = plan["runs"], plan["artifactVersions"], plan["runFiles"]
    lines = [
        f"{'Would move to the trash' if dry else 'Moved to the trash'}: {len(runs)} runs, {len(versions)} artifact versions; "
        f"{'would delete' if dry else 'deleted'} {len(files)} files of failed or crashed runs",
        *(f"  run      {r['key']}" for r in runs),
        *(f"  version  {v['artifact']}:{v['version']}" for v in versions),
        *(f"  file     {f['runKey']}/{f['path']}" for f in files),
    ]
    return "\n".join(lines) + "\n"


def retention_show(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    policy = cli.api().retention_policy(org, project)
    cli.print(policy, lambda: table([policy], POLICY_COLUMNS))


def retention_set(cli: Cli) -> None:
    from ._program import UsageError

    org, project = cli.split_project(cli.args.project)
    if cli.args.schedule not in SCHEDULES:
        raise UsageError(f'schedule is manual or daily, got "{cli.args.schedule}"')
    policy = {
        "keepLastVersions": _count(cli.args.keep_last_versions),
        "failedRunFilesDays": _count(cli.args.failed_run_files_days),
        "runFilter": cli.args.run_filter,
        "runFilterDays": _count(cli.args.run_filter_days),
        "schedule": cli.args.schedule,
    }
    saved = cli.api().set_retention_policy(org, project, policy)
    daily = f"; applied daily, next at {saved['nextApplyAt']}" if saved.get("nextApplyAt") else ""
    cli.print(
        saved,
        lambda: (
            f"Retention policy of {org}/{project} saved{daily}; "
            f"`trackbase retention preview {org}/{project}` lists what it would remove.\n"
        ),
    )


def retention_preview(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    plan = cli.api().preview_retention(org, project)
    cli.print(plan, lambda: _describe(plan))


def retention_apply(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    cli.confirm(f"what the retention policy of {org}/{project} matches (see `retention preview`)")
    plan = cli.api().apply_retention(org, project)
    cli.print(plan, lambda: _describe(plan))


def trash_list(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    items = cli.api().trash(org, project)["items"]
    rows = [{**i, "size": format_bytes(i["sizeBytes"])} for i in items]
    cli.print(items, lambda: table(rows, ["kind", "id", "label", "size", "deletedAt", "purgeAfter"]))


def _item(cli: Cli) -> tuple[str, str]:
    from ._program import UsageError

    if cli.args.kind not in KINDS:
        raise UsageError(f'kind is run, artifact or artifact_version, got "{cli.args.kind}"')
    return cli.args.kind, cli.args.id


def trash_restore(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    kind, item = _item(cli)
    cli.api().restore_from_trash(org, project, kind, item)
    cli.print({"kind": kind, "id": item, "restored": True}, lambda: f"Restored {kind} {item}\n")


def trash_purge(cli: Cli) -> None:
    org, project = cli.split_project(cli.args.project)
    kind, item = _item(cli)
    cli.confirm(f"the trashed {kind} {item} and its files for good")
    cli.api().purge_from_trash(org, project, kind, item)
    cli.print({"kind": kind, "id": item, "purged": True}, lambda: f"Purged {kind} {item}\n")


def register(sub: Any, command: Callable[..., Any]) -> None:
    retention = sub.add_parser("retention", help="a project's retention policy: what goes to the trash, and when").add_subparsers(
        dest="sub", metavar="command"
    )
    command(retention, "show", retention_show, "the policy of org/project").add_argument("project")
    for name in ("set", "create"):
        setter = command(retention, name, retention_set, "set (or create) the policy; rules not given are off")
        setter.add_argument("project")
        setter.add_argument("--keep-last-versions", help="keep the newest N versions of each artifact (aliased ones always stay)")
        setter.add_argument("--failed-run-files-days", help="delete files of failed or crashed runs N days after they ended")
        setter.add_argument("--run-filter", help="move runs matching this filter (runs table filter language) to the trash ...")
        setter.add_argument("--run-filter-days", help="... N days after they were created")
        setter.add_argument(
            "--schedule",
            default="manual",
            help="manual (apply when asked) or daily (the server applies it every day, first a day from now)",
        )
    command(retention, "preview", retention_preview, "dry run: what applying the policy now would remove").add_argument("project")
    applier = command(retention, "apply", retention_apply, "apply the policy now: matching runs and versions go to the trash")
    applier.add_argument("project")
    applier.add_argument("--yes", action="store_true", help="confirm")

    trash = sub.add_parser(
        "trash", help="a project's trash: deleted runs, artifacts and artifact versions, until purged"
    ).add_subparsers(dest="sub", metavar="command")
    command(trash, "list", trash_list, "trashed items of org/project").add_argument("project")
    for name, handler, help in (
        (
            "restore",
            trash_restore,
            "restore a trashed run, artifact or artifact version (kind: run, artifact or artifact_version)",
        ),
        ("purge", trash_purge, "delete a trashed item for good now"),
    ):
        p = command(trash, name, handler, help)
        p.add_argument("project")
        p.add_argument("kind")
        p.add_argument("id")
        p.add_argument("--yes", action="store_true", help="confirm (purge)")
