"""`trackbase import mlflow` from a real `mlflow server` (PyPI) holding runs logged by the real client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator

import mlflow
import pytest
from mlflow.tracking import MlflowClient
from trackbase_testing import Api, Tenant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115 (the server writes to it until the fixture ends)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{root / 'mlflow.db'}",
            "--artifacts-destination",
            str(root / "artifacts"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a loaded shared machine starts it slowly
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, 9)
            raise RuntimeError((root / "server.log").read_text()[-3000:])
        time.sleep(0.5)
    try:
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


class Echo(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        return model_input


def populate(url: str, tmp: Path) -> Dict[str, Any]:
    import pandas as pd

    mlflow.set_tracking_uri(url)
    mlflow.set_experiment("Vision Sweep")
    client = MlflowClient(url)
    with mlflow.start_run(run_name="parent", description="the sweep") as parent:
        mlflow.log_params({"lr": 0.01, "optimizer": "adam"})
        mlflow.set_tag("team", "vision")
        for step in range(50):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metric("acc", 0.5, step=0)
        mlflow.log_metric("acc", 0.9, step=10)
        frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
        mlflow.log_input(mlflow.data.from_pandas(frame, name="train-set", source="s3://bucket/train.csv"), context="training")
        mlflow.log_text("hello", "notes/readme.txt")
        mlflow.log_dict({"a": 1}, "config.json")
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_param("fold", 3)
            mlflow.log_metric("loss", 0.2, step=1)
        for _ in range(2):
            mlflow.pyfunc.log_model(name="model", python_model=Echo(), registered_model_name="echo-model")
    client.set_registered_model_alias("echo-model", "champion", "2")
    failed = client.create_run(mlflow.get_experiment_by_name("Vision Sweep").experiment_id, run_name="broken")
    client.log_metric(failed.info.run_id, "loss", 9.0, step=0)
    client.set_terminated(failed.info.run_id, "FAILED")
    return {"parent": parent.info.run_id, "child": child.info.run_id, "failed": failed.info.run_id}


def trackbase_cli(tenant: Tenant, *args: str) -> Dict[str, Any]:
    env = {**os.environ, "TRACKBASE_URL": tenant.url, "TRACKBASE_API_KEY": tenant.key, "MLFLOW_DISABLE_TELEMETRY": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "trackbase.cli", "--json", "import", "mlflow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_import_from_a_real_mlflow_server_keeps_runs_histories_artifacts_and_models(
    mlflow_server: str, tenant: Tenant, tmp_path: Path
) -> None:
    ids = populate(mlflow_server, tmp_path)
    summary = trackbase_cli(tenant, "--from", mlflow_server, "--org", tenant.org)
    api = Api(tenant.url, tenant.key)
    base = f"/orgs/{tenant.org}/projects/vision-sweep"
    runs = {r["source"].split("/")[-1]: r for r in summary["runs"] if not r.get("model")}
    assert set(runs) == {ids["parent"], ids["child"], ids["failed"]}

    parent = api.get(f"{base}/runs/{runs[ids['parent']]['key']}")
    assert parent["name"] == "parent" and parent["state"] == "finished" and parent["description"] == "the sweep"
    assert parent["externalId"] == f"mlflow:{ids['parent']}"
    params = parent["params"]
    assert params["lr"] == "0.01" and params["optimizer"] == "adam" and params["tags.team"] == "vision"
    loss = api.get(f"{base}/runs/{parent['key']}/series?names=loss&kind=metric&maxPoints=100000")
    loss = loss if isinstance(loss, list) else loss.get("series", loss.get("items"))
    assert loss[0]["steps"] == list(range(50))
    assert loss[0]["values"] == pytest.approx([1.0 / (s + 1) for s in range(50)])
    assert [i["name"] for i in parent["inputs"]] == ["train-set"]
    files = api.get(f"{base}/runs/{parent['key']}/files")["entries"]
    assert {"config.json", "notes"} <= {e["path"].split("/")[0] for e in files}

    child = api.get(f"{base}/runs/{runs[ids['child']]['key']}")
    assert child["params"]["parent"] == parent["key"] and child["params"]["fold"] == "3"
    assert api.get(f"{base}/runs/{runs[ids['failed']]['key']}")["state"] == "failed"

    artifacts = api.get(f"{base}/artifacts?kind=model")
    items = artifacts if isinstance(artifacts, list) else artifacts.get("items", artifacts)
    [echo] = [a for a in items if a["name"] == "echo-model"]
    assert echo["aliases"].get("champion") == "v2"

    again = trackbase_cli(tenant, "--from", mlflow_server, "--org", tenant.org)
    assert again["runsImported"] == 0 and again["runsSkipped"] == 3 and again["points"] == 0
    assert len(api.get(f"{base}/runs?limit=100")["items"]) == 3
