"""A built Trackbase server, an organization with its owner, and a SCIM token of that organization."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import pytest
from trackbase_testing import ServerProcess, Tenant


@pytest.fixture(scope="session")
def trackbase_server() -> Iterator[object]:
    """The plugin's built server, or an already running one at TRACKBASE_URL (handy while debugging)."""
    url = os.environ.get("TRACKBASE_URL")
    if url:
        yield type("Running", (), {"url": url.rstrip("/")})()
        return
    server = ServerProcess().start()
    try:
        yield server
    finally:
        server.close()


@dataclass
class ScimTenant:
    tenant: Tenant
    base_url: str
    token: str


@pytest.fixture
def scim_tenant(tenant: Tenant) -> ScimTenant:
    """An organization's SCIM base URL and a token its owner created from a signed-in session."""
    created = tenant.owner.api.post(f"/orgs/{tenant.org}/scim-tokens", {"name": "scim2-tester"}, expect=201)
    return ScimTenant(tenant=tenant, base_url=str(created["baseUrl"]), token=str(created["token"]))
