"""Reading back what the server stored, through the test plugin's stdlib client."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List

from trackbase_testing import Api, Tenant


def api(tenant: Tenant) -> Api:
    return Api(tenant.url, tenant.key)


def run_detail(tenant: Tenant, run: str) -> Dict[str, Any]:
    return api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run}")  # type: ignore[no-any-return]


def series(tenant: Tenant, run: str, name: str, kind: str = "metric") -> Dict[str, Any]:
    from urllib.parse import quote

    path = f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run}/series?names={quote(name, safe='')}&kind={kind}&maxPoints=100000"
    answer = api(tenant).get(path)
    items = answer if isinstance(answer, list) else answer.get("series", answer.get("items", []))
    for item in items:
        if item["name"] == name:
            return item  # type: ignore[no-any-return]
    raise KeyError(f"{name} not in {[i['name'] for i in items]}")


def runs(tenant: Tenant) -> List[Dict[str, Any]]:
    return api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs?limit=100")["items"]  # type: ignore[no-any-return]


def eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except (AssertionError, KeyError):
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)
