"""REST paths relative to the server origin, as `libs/contracts/src/paths.ts` defines them (checked by the shared vectors)."""

from __future__ import annotations

from urllib.parse import quote

API_BASE = "/api/v1"


def seg(value: str) -> str:
    """encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) is escaped."""
    return quote(value, safe="-_.!~*'()")


def me() -> str:
    return f"{API_BASE}/users/me"


def orgs() -> str:
    return f"{API_BASE}/orgs"


def org(o: str) -> str:
    return f"{API_BASE}/orgs/{seg(o)}"


def projects(o: str) -> str:
    return f"{org(o)}/projects"


def project(o: str, p: str) -> str:
    return f"{projects(o)}/{seg(p)}"


def runs(o: str, p: str) -> str:
    return f"{project(o, p)}/runs"


def run(o: str, p: str, r: str) -> str:
    return f"{runs(o, p)}/{seg(r)}"


def run_batches(o: str, p: str, r: str) -> str:
    return f"{run(o, p, r)}/batches"


def run_heartbeat(o: str, p: str, r: str) -> str:
    return f"{run(o, p, r)}/heartbeat"


def run_series(o: str, p: str, r: str) -> str:
    return f"{run(o, p, r)}/series"


def run_files(o: str, p: str, r: str) -> str:
    return f"{run(o, p, r)}/files"


def run_media_objects(o: str, p: str, r: str) -> str:
    return f"{run(o, p, r)}/media/objects"


def run_tables(o: str, p: str, r: str) -> str:
    return f"{run(o, p, r)}/tables"


def run_table_rows(o: str, p: str, r: str, key: str) -> str:
    return f"{run_tables(o, p, r)}/rows?key={seg(key)}"


def run_file_url(o: str, p: str, r: str, path: str) -> str:
    return f"{run_files(o, p, r)}/url?path={seg(path)}"


def upload(o: str, p: str, upload_id: str) -> str:
    return f"{project(o, p)}/uploads/{seg(upload_id)}"


def uploads_complete(o: str, p: str) -> str:
    return f"{project(o, p)}/uploads/complete"


def upload_part_urls(o: str, p: str, upload_id: str) -> str:
    return f"{upload(o, p, upload_id)}/part-urls"


def upload_parts(o: str, p: str, upload_id: str) -> str:
    return f"{upload(o, p, upload_id)}/parts"


def artifacts(o: str, p: str) -> str:
    return f"{project(o, p)}/artifacts"


def artifact(o: str, p: str, name: str) -> str:
    return f"{artifacts(o, p)}/{seg(name)}"


def artifact_versions(o: str, p: str, name: str) -> str:
    return f"{artifact(o, p, name)}/versions"


def artifact_version(o: str, p: str, name: str, version: str) -> str:
    return f"{artifact_versions(o, p, name)}/{seg(version)}"


def artifact_version_commit(o: str, p: str, name: str, version: str) -> str:
    return f"{artifact_version(o, p, name, version)}/commit"


def artifact_version_files(o: str, p: str, name: str, version: str) -> str:
    return f"{artifact_version(o, p, name, version)}/files"


def artifact_version_file_url(o: str, p: str, name: str, version: str, path: str) -> str:
    return f"{artifact_version_files(o, p, name, version)}/url?path={seg(path)}"


def artifact_version_use(o: str, p: str, name: str, version: str) -> str:
    return f"{artifact_version(o, p, name, version)}/use"


def artifact_alias(o: str, p: str, name: str, alias: str) -> str:
    return f"{artifact(o, p, name)}/aliases/{seg(alias)}"


def reports(o: str) -> str:
    return f"{org(o)}/reports"


def report(o: str, r: str) -> str:
    return f"{reports(o)}/{seg(r)}"


def report_publish(o: str, r: str) -> str:
    return f"{report(o, r)}/publish"


def report_data(o: str, r: str) -> str:
    return f"{report(o, r)}/data"


def report_share_links(o: str, r: str) -> str:
    return f"{report(o, r)}/share-links"


def report_export(o: str, r: str) -> str:
    return f"{report(o, r)}/export"


def report_comments(o: str, r: str) -> str:
    return f"{report(o, r)}/comments"


def report_comment(o: str, r: str, comment_id: str) -> str:
    return f"{report_comments(o, r)}/{seg(comment_id)}"


def shared_report(token: str) -> str:
    return f"{API_BASE}/shared/reports/{seg(token)}"


def shared_report_data(token: str) -> str:
    return f"{shared_report(token)}/data"


def shared_report_export(token: str) -> str:
    return f"{shared_report(token)}/export"


def trash(o: str, p: str) -> str:
    return f"{project(o, p)}/trash"


def trash_item(o: str, p: str, kind: str, i: str) -> str:
    return f"{trash(o, p)}/{seg(kind)}/{seg(i)}"


def trash_item_restore(o: str, p: str, kind: str, i: str) -> str:
    return f"{trash_item(o, p, kind, i)}/restore"


def trashed_projects(o: str) -> str:
    return f"{org(o)}/trash/projects"


def trashed_project(o: str, i: str) -> str:
    return f"{trashed_projects(o)}/{seg(i)}"


def trashed_project_restore(o: str, i: str) -> str:
    return f"{trashed_project(o, i)}/restore"


def retention(o: str, p: str) -> str:
    return f"{project(o, p)}/retention"


def retention_preview(o: str, p: str) -> str:
    return f"{retention(o, p)}/preview"


def retention_apply(o: str, p: str) -> str:
    return f"{retention(o, p)}/apply"


def my_api_keys() -> str:
    return f"{API_BASE}/users/me/api-keys"


def login() -> str:
    return f"{API_BASE}/auth/login"


def logout() -> str:
    return f"{API_BASE}/auth/logout"
