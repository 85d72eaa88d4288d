"""pytest fixtures: `trackbase_server` (one built API process per session) and `tenant` (fresh per test)."""

from __future__ import annotations

from typing import Iterator

import pytest

from .server import ServerProcess
from .tenants import Tenant, new_tenant


@pytest.fixture(scope="session")
def trackbase_server() -> Iterator[ServerProcess]:
    server = ServerProcess().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def tenant(trackbase_server: ServerProcess) -> Tenant:
    return new_tenant(trackbase_server.url)
