"""The real MLflow client (from PyPI) against the built Trackbase server: tracking URI `<server>/mlflow/<org>`."""

from __future__ import annotations

import os
from typing import Iterator

import mlflow
import pytest
from mlflow.tracking import MlflowClient
from trackbase_testing import ServerProcess, Tenant


MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


@pytest.fixture(scope="session")
def trackbase_server(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
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


class Mlflow:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.uri = f"{tenant.url}/mlflow/{tenant.org}"
        self.client = MlflowClient(tracking_uri=self.uri)

    def client_for(self, token: str, org: str | None = None) -> MlflowClient:
        """A client of another principal (or organization); the token travels as Basic auth's password."""
        os.environ["MLFLOW_TRACKING_USERNAME"] = "anyone"
        os.environ["MLFLOW_TRACKING_PASSWORD"] = token
        return MlflowClient(tracking_uri=f"{self.tenant.url}/mlflow/{org or self.tenant.org}")


def mlflow_for(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mlflow]:
    """The MLflow client pointed at `tenant`'s organization with its owner's key, reset around the test."""
    while mlflow.active_run():
        mlflow.end_run()
    for name in ["MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_ID"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", tenant.key)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    m = Mlflow(tenant)
    mlflow.set_tracking_uri(m.uri)
    # The fluent API remembers the active experiment across tests; each test starts from its own tenant.
    mlflow.tracking.fluent._active_experiment_id = None
    yield m
    while mlflow.active_run():
        mlflow.end_run()
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)


@pytest.fixture
def ml(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mlflow]:
    yield from mlflow_for(tenant, monkeypatch)
