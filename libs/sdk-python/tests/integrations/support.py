"""Starting quiet runs against a test tenant, and reading back what the server stored."""

from __future__ import annotations

from typing import Any, Dict, List

from trackbase_testing import Tenant

from helpers import api

#: What a test's run needs: the tenant's server and key, and nothing in the background but the logging.
QUIET: Dict[str, Any] = dict(system_metrics_interval=0, capture_console=False, context=False, save_code=False)


def init_options(tenant: Tenant, **extra: Any) -> Dict[str, Any]:
    return {"project": tenant.ref, "url": tenant.url, "api_key": tenant.key, **QUIET, **extra}


def artifact(tenant: Tenant, name: str) -> Dict[str, Any]:
    """The artifact with its versions (newest first, as the server lists them)."""
    return api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/artifacts/{name}")  # type: ignore[no-any-return]


def version_files(tenant: Tenant, name: str, version: str) -> List[str]:
    answer = api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/artifacts/{name}/versions/{version}/files")
    return sorted(f["path"] for f in answer["files"])


def runs_tagged(tenant: Tenant, tag: str) -> List[Dict[str, Any]]:
    from urllib.parse import quote

    query = quote(f'tags CONTAINS "{tag}"', safe="")
    return api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs?limit=100&filter={query}")["items"]  # type: ignore[no-any-return]
