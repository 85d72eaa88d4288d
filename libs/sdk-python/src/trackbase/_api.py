"""Typed calls to the Trackbase REST API (the same calls as `libs/sdk/src/client/api.ts`)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import quote, urlencode

from . import _paths as paths
from ._errors import is_retryable_batch_status
from ._http import HttpClient


class TrackbaseApi:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def me(self) -> Any:
        return self.http.request("GET", paths.me())

    def orgs(self) -> Any:
        return self.http.request("GET", paths.orgs())

    def api_keys(self) -> Any:
        return self.http.request("GET", paths.my_api_keys())

    def create_api_key(self, body: Dict[str, Any]) -> Any:
        """Needs a signed-in session (an access token), never a key."""
        return self.http.request("POST", paths.my_api_keys(), body)

    def revoke_api_key(self, key_id: str) -> Any:
        return self.http.request("DELETE", f"{paths.my_api_keys()}/{paths.seg(key_id)}")

    def login(self, email: str, password: str) -> Any:
        return self.http.request("POST", paths.login(), {"email": email, "password": password}, attempts=1)

    def logout(self, refresh_token: str) -> Any:
        return self.http.request("POST", paths.logout(), {"refreshToken": refresh_token})

    def projects(self, org: str) -> Any:
        return self.http.request("GET", paths.projects(org))

    def create_project(self, org: str, body: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.projects(org), body)

    def create_run(self, org: str, project: str, body: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.runs(org, project), body)

    def get_run(self, org: str, project: str, run: str) -> Any:
        return self.http.request("GET", paths.run(org, project, run))

    def update_run(self, org: str, project: str, run: str, body: Dict[str, Any]) -> Any:
        return self.http.request("PATCH", paths.run(org, project, run), body)

    # Reports of an organization: Markdown and panels over run sets; publish snapshots the draft as a version.
    def create_report(self, org: str, body: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.reports(org), body)

    def get_report(self, org: str, report: str) -> Any:
        return self.http.request("GET", paths.report(org, report))

    def update_report(self, org: str, report: str, body: Dict[str, Any]) -> Any:
        return self.http.request("PATCH", paths.report(org, report), body)

    def publish_report(self, org: str, report: str) -> Any:
        return self.http.request("POST", paths.report_publish(org, report), {})

    def report_data(self, org: str, report: str, body: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.report_data(org, report), body)

    def create_share_link(self, org: str, report: str, body: Optional[Dict[str, Any]] = None) -> Any:
        return self.http.request("POST", paths.report_share_links(org, report), body or {})

    # Comments on a report and its blocks: whoever can read the report; a share-link token reads none.
    def report_comments(self, org: str, report: str, block: Optional[str] = None) -> Any:
        """The report's threads (each with its replies), or only those on one block."""
        query = f"?block={quote(block, safe='')}" if block else ""
        return self.http.request("GET", paths.report_comments(org, report) + query)

    def create_report_comment(
        self, org: str, report: str, body: str, block: Optional[str] = None, parent_id: Optional[str] = None
    ) -> Any:
        """Markdown; mention with `@[Name](user:<id>)` or `@email` (only readers of the report are notified)."""
        request: Dict[str, Any] = {"body": body}
        if block is not None:
            request["blockId"] = block
        if parent_id is not None:
            request["parentId"] = parent_id
        return self.http.request("POST", paths.report_comments(org, report), request)

    def update_report_comment(self, org: str, report: str, comment_id: str, body: str) -> Any:
        return self.http.request("PATCH", paths.report_comment(org, report, comment_id), {"body": body})

    def delete_report_comment(self, org: str, report: str, comment_id: str) -> None:
        self.http.request("DELETE", paths.report_comment(org, report, comment_id))

    def shared_report(self, token: str) -> Any:
        """What a share link shows; needs no credentials but the token."""
        return self.http.request("GET", paths.shared_report(token))

    def shared_report_data(self, token: str, body: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.shared_report_data(token), body)

    def export_report(self, org: str, report: str, version: Optional[int] = None) -> str:
        """The report (the draft, or a published version) as one self-contained HTML file."""
        query = "" if version is None else f"?version={int(version)}"
        return str(self.http.request("GET", f"{paths.report_export(org, report)}{query}"))

    def shared_report_export(self, token: str) -> str:
        """A share link's version as one self-contained HTML file."""
        return str(self.http.request("GET", paths.shared_report_export(token)))

    # Trash: deleted runs, artifacts, artifact versions and projects, restorable until the janitor purges them.
    def trash(self, org: str, project: str) -> Any:
        return self.http.request("GET", paths.trash(org, project))

    def restore_from_trash(self, org: str, project: str, kind: str, item_id: str) -> Any:
        """`kind` is "run", "artifact" or "artifact_version"; a trashed artifact whose name a live one took answers 409."""
        return self.http.request("POST", paths.trash_item_restore(org, project, kind, item_id), {})

    def purge_from_trash(self, org: str, project: str, kind: str, item_id: str) -> Any:
        return self.http.request("DELETE", paths.trash_item(org, project, kind, item_id))

    def trashed_projects(self, org: str) -> Any:
        return self.http.request("GET", paths.trashed_projects(org))

    def restore_project(self, org: str, project_id: str) -> Any:
        return self.http.request("POST", paths.trashed_project_restore(org, project_id), {})

    def purge_project(self, org: str, project_id: str) -> Any:
        return self.http.request("DELETE", paths.trashed_project(org, project_id))

    # Retention policy of a project; the preview is a dry run of what apply then removes.
    def retention_policy(self, org: str, project: str) -> Any:
        return self.http.request("GET", paths.retention(org, project))

    def set_retention_policy(self, org: str, project: str, policy: Dict[str, Any]) -> Any:
        """Replaces the policy; `schedule` is "manual" (the default: applied when asked) or "daily"."""
        return self.http.request("PUT", paths.retention(org, project), policy)

    def preview_retention(self, org: str, project: str) -> Any:
        return self.http.request("POST", paths.retention_preview(org, project), {})

    def apply_retention(self, org: str, project: str) -> Any:
        return self.http.request("POST", paths.retention_apply(org, project), {})

    def list_runs(
        self,
        org: str,
        project: str,
        filter: Optional[str] = None,
        sort: Optional[str] = None,
        limit: Optional[int] = None,
        columns: Optional[List[str]] = None,
    ) -> Any:
        # URLSearchParams order: filter, sort, limit, columns.
        pairs = (
            ("filter", filter),
            ("sort", sort),
            ("limit", str(limit) if limit else None),
            ("columns", ",".join(columns or [])),
        )
        query = {k: v for k, v in pairs if v}
        return self.http.request("GET", f"{paths.runs(org, project)}?{urlencode(query)}")

    def send_batch(
        self, org: str, project: str, run: str, body: bytes, attempts: Optional[int] = None, give_up: Any = None
    ) -> Any:
        return self.http.request(
            "POST",
            paths.run_batches(org, project, run),
            raw_body=body,
            attempts=attempts,
            retryable=is_retryable_batch_status,
            give_up=give_up,
        )

    def heartbeat(self, org: str, project: str, run: str) -> Any:
        return self.http.request("POST", paths.run_heartbeat(org, project, run), {}, attempts=1)

    # Tables: declared (key, step, size, SHA-256 of the document), their documents sent as uploads.
    def declare_run_tables(self, org: str, project: str, run: str, tables: List[Dict[str, Any]]) -> Any:
        return self.http.request("POST", paths.run_tables(org, project, run), {"tables": tables})

    # Run files and uploads.
    def declare_run_files(self, org: str, project: str, run: str, files: List[Dict[str, Any]]) -> Any:
        return self.http.request("POST", paths.run_files(org, project, run), {"files": files})

    def declare_media_objects(self, org: str, project: str, run: str, files: List[Dict[str, Any]]) -> Any:
        return self.http.request("POST", paths.run_media_objects(org, project, run), {"files": files})

    def list_run_files(self, org: str, project: str, run: str, prefix: Optional[str] = None) -> Any:
        suffix = f"?{urlencode({'prefix': prefix}, quote_via=_quote)}" if prefix else ""
        return self.http.request("GET", paths.run_files(org, project, run) + suffix)

    def run_file_url(self, org: str, project: str, run: str, path: str) -> Any:
        return self.http.request("GET", paths.run_file_url(org, project, run, path))

    def upload_part_urls(self, org: str, project: str, upload_id: str, parts: List[Dict[str, Any]]) -> Any:
        return self.http.request("POST", paths.upload_part_urls(org, project, upload_id), {"parts": parts})

    def report_upload_part(self, org: str, project: str, upload_id: str, report: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.upload_parts(org, project, upload_id), report)

    def complete_uploads(self, org: str, project: str, upload_ids: List[str]) -> Any:
        return self.http.request("POST", paths.uploads_complete(org, project), {"uploads": upload_ids})

    # Artifacts: `version` is `v3`, an alias such as `latest`, or a draft's id.
    def artifacts(self, org: str, project: str, kind: Optional[str] = None) -> Any:
        suffix = f"?{urlencode({'kind': kind}, quote_via=_quote)}" if kind else ""
        return self.http.request("GET", paths.artifacts(org, project) + suffix)

    def create_artifact_version(self, org: str, project: str, name: str, body: Dict[str, Any]) -> Any:
        return self.http.request("POST", paths.artifact_versions(org, project, name), body)

    def add_artifact_version_files(self, org: str, project: str, name: str, draft: str, files: List[Dict[str, Any]]) -> Any:
        return self.http.request("POST", paths.artifact_version_files(org, project, name, draft), {"files": files})

    def commit_artifact_version(self, org: str, project: str, name: str, draft: str) -> Any:
        return self.http.request("POST", paths.artifact_version_commit(org, project, name, draft), {})

    def artifact_version(self, org: str, project: str, name: str, version: str) -> Any:
        return self.http.request("GET", paths.artifact_version(org, project, name, version))

    def artifact_version_files(self, org: str, project: str, name: str, version: str) -> Any:
        return self.http.request("GET", paths.artifact_version_files(org, project, name, version))

    def artifact_version_file_url(self, org: str, project: str, name: str, version: str, path: str) -> Any:
        return self.http.request("GET", paths.artifact_version_file_url(org, project, name, version, path))

    def use_artifact_version(self, org: str, project: str, name: str, version: str, run: str) -> Any:
        return self.http.request("POST", paths.artifact_version_use(org, project, name, version), {"run": run})

    def set_artifact_alias(self, org: str, project: str, name: str, alias: str, version: str) -> Any:
        return self.http.request("PUT", paths.artifact_alias(org, project, name, alias), {"version": version})

    def delete_artifact_alias(self, org: str, project: str, name: str, alias: str) -> Any:
        return self.http.request("DELETE", paths.artifact_alias(org, project, name, alias))

    def delete_artifact(self, org: str, project: str, name: str) -> Any:
        return self.http.request("DELETE", paths.artifact(org, project, name))

    def delete_artifact_version(self, org: str, project: str, name: str, version: str) -> Any:
        return self.http.request("DELETE", paths.artifact_version(org, project, name, version))

    def delete_run(self, org: str, project: str, run: str) -> Any:
        return self.http.request("DELETE", paths.run(org, project, run))


def _quote(value: Any, safe: Any = "", encoding: Any = None, errors: Any = None) -> str:
    return paths.seg(str(value))
