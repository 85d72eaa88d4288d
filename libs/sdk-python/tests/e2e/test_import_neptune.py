"""`trackbase import neptune` against the built server, with exports written here in neptune-exporter's schema."""

from __future__ import annotations

import json
import subprocess
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import quote

import pytest
from trackbase_testing import Api, Tenant

from conftest import PYTHON, child_env
from helpers import api, run_detail, series
from neptune_export import RunExport

PROJECT = "acme/vision"
CREATED = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def cli(tenant: Tenant, tmp: Path, *args: str, target: str = "") -> Dict[str, Any]:
    env = child_env(tmp, TRACKBASE_URL=tenant.url, TRACKBASE_API_KEY=tenant.key)
    done = subprocess.run(
        [PYTHON, "-m", "trackbase.cli", "--json", "import", "neptune", *args, "--project", target or tenant.ref],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def by_source(summary: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {r["source"]: r for r in summary["runs"]}


def files_of(tenant: Tenant, run: str, prefix: str = "") -> List[str]:
    client = api(tenant)
    base = f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run}/files"
    out: List[str] = []

    def walk(p: str) -> None:
        listing = client.get(base + (f"?prefix={quote(p, safe='')}" if p else ""))
        for entry in listing["entries"]:
            if entry["type"] == "dir":
                walk(entry["path"])
            else:
                out.append(entry["path"])

    walk(prefix)
    return sorted(out)


def download(tenant: Tenant, run: str, path: str) -> bytes:
    import urllib.request

    client = api(tenant)
    answer = client.get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run}/files/url?path={quote(path, safe='')}")
    url = answer["url"]
    if url.startswith("/"):
        url = tenant.url + url
    with urllib.request.urlopen(url) as response:
        return response.read()  # type: ignore[no-any-return]


def every_type_export(root: Path) -> None:
    """Three runs of one Neptune Scale project (a fork among them), one 2.x run, and one incomplete run."""
    parent = RunExport(root, PROJECT, "exp-main")
    parent.param("sys/custom_run_id", "string", "exp-main")
    parent.param("sys/name", "string", "resnet-sweep")
    parent.param("sys/tags", "string_set", ["baseline", "gpu"])
    parent.param("sys/group_tags", "string_set", ["team-a"])
    parent.param("sys/owner", "string", "ada")
    parent.param("sys/description", "string", "the baseline")
    parent.param("sys/creation_time", "datetime", CREATED)
    parent.param("sys/state", "string", "Inactive")
    parent.param("sys/failed", "bool", False)
    parent.param("parameters/lr", "float", 0.001)
    parent.param("parameters/epochs", "int", 12)
    parent.param("parameters/optimizer", "string", "adam")
    parent.param("parameters/nesterov", "bool", True)
    parent.param("parameters/deadline", "datetime", datetime(2025, 4, 1, tzinfo=timezone.utc))
    parent.param("parameters/augment", "string_set", ["flip", "crop"])
    parent.param("parameters/too_long", "string", "x" * 5000)
    parent.series("metrics/loss", "float_series", [(s, 1.0 / (s + 1)) for s in range(10)])
    parent.series("metrics/lr_frac", "float_series", [(0.5, 1.0), (1.0, 2.0), (1.25, 3.0), (2.0, float("nan"))])
    parent.series("monitoring/cpu", "float_series", [(s, 50.0 + s) for s in range(3)])
    parent.series("logs/stdout", "string_series", [(0, "epoch 0"), (1, "epoch 1")])
    parent.series(
        "metrics/weights",
        "histogram_series",
        [
            (0, {"type": "COUNTING", "edges": [0.0, 1.0, 2.0], "values": [3.0, 4.0]}),
            (1, {"type": "COUNTING", "edges": [0.0, 1.0, 2.0], "values": [1.0, 6.0]}),
        ],
    )
    parent.file("model/config", "file", "exp-main/model/config/config.yaml", b"layers: 50\n")
    parent.file("images/samples", "file_series", "exp-main/images/samples/0.png", b"\x89PNG-zero", step=0)
    parent.file("images/samples", "file_series", "exp-main/images/samples/1.png", b"\x89PNG-one", step=1)
    parent.file("model/missing", "file", "exp-main/model/missing.bin")
    parent.row("source_code/git", "git_ref", None)
    parent.write(parts=3)

    child = RunExport(root, PROJECT, "exp-fork")
    child.param("sys/custom_run_id", "string", "exp-fork")
    child.param("sys/name", "string", "resnet-sweep")
    child.param("sys/creation_time", "datetime", datetime(2025, 3, 2, tzinfo=timezone.utc))
    child.param("sys/forking/parent", "string", "exp-main")
    child.param("sys/forking/step", "float", 5.0)
    child.param("sys/failed", "bool", True)
    child.series("metrics/loss", "float_series", [(s, 0.1) for s in range(6, 9)])
    child.write()

    legacy = RunExport(root, "acme/legacy", "LEG-7")
    legacy.param("sys/id", "string", "LEG-7")
    legacy.param("sys/name", "string", "old run")
    legacy.file("dataset", "file_set", "acme/legacy/LEG-7/dataset", None)
    (legacy.files_dir / "acme/legacy/LEG-7/dataset/sub").mkdir(parents=True)
    (legacy.files_dir / "acme/legacy/LEG-7/dataset/a.csv").write_bytes(b"a,b\n1,2\n")
    (legacy.files_dir / "acme/legacy/LEG-7/dataset/sub/b.csv").write_bytes(b"c\n3\n")
    legacy.file("weights", "artifact", "acme/legacy/LEG-7/weights/files_list.json", b'[{"filePath": "w.pt"}]')
    legacy.write()

    incomplete = RunExport(root, PROJECT, "exp-partial")
    incomplete.param("sys/custom_run_id", "string", "exp-partial")
    paths = incomplete.write(parts=2)
    paths[-1].unlink()  # part 0 is renamed last: without it the run's export never finished


def test_import_maps_every_attribute_type_and_a_second_import_adds_nothing(tenant: Tenant, tmp_path: Path) -> None:
    export = tmp_path / "exports"
    every_type_export(export)
    first = cli(tenant, tmp_path, str(export))
    runs = by_source(first)
    assert set(runs) == {f"{PROJECT}/exp-main", f"{PROJECT}/exp-fork", "acme/legacy/LEG-7"}
    assert first["runsImported"] == 3 and first["runsSkipped"] == 0
    assert first["points"] == 10 + 4 + 3 + 3

    main = run_detail(tenant, runs[f"{PROJECT}/exp-main"]["key"])
    assert main["name"] == "exp-main"
    assert main["externalId"] == f"neptune:{PROJECT}/exp-main"
    assert main["state"] == "finished"
    assert main["description"] == "the baseline"
    assert sorted(main["tags"]) == ["baseline", "gpu", "team-a"]
    assert main["startedAt"].startswith("2025-03-01T12:00:00")
    params = main["params"]
    flat = params if "parameters.lr" in params else _flatten(params)
    assert flat["parameters.lr"] == 0.001
    assert flat["parameters.epochs"] == 12
    assert flat["parameters.optimizer"] == "adam"
    assert flat["parameters.nesterov"] is True
    assert flat["parameters.deadline"].startswith("2025-04-01T00:00:00")
    assert flat["parameters.augment"] == ["crop", "flip"]
    assert flat["sys.owner"] == "ada" and flat["sys.name"] == "resnet-sweep" and flat["sys.state"] == "Inactive"
    assert flat["import.source"] == "neptune" and flat["import.run_id"] == "exp-main"
    assert flat["import.step_scale.metrics.lr_frac"] == 100
    assert "parameters.too_long" not in flat

    loss = series(tenant, main["key"], "metrics/loss")
    assert loss["steps"] == list(range(10))
    assert loss["values"] == pytest.approx([1.0 / (s + 1) for s in range(10)])
    assert loss["times"][3] == 1_700_000_000_000 + 3000
    frac = series(tenant, main["key"], "metrics/lr_frac")
    assert frac["steps"] == [50, 100, 125, 200]
    assert frac["values"][:3] == [1.0, 2.0, 3.0] and frac["values"][3] == "NaN"
    assert series(tenant, main["key"], "monitoring/cpu", kind="system")["values"] == [50.0, 51.0, 52.0]
    assert series(tenant, main["key"], "logs/stdout", kind="text")["lines"] == ["epoch 0", "epoch 1"]

    assert files_of(tenant, main["key"]) == [
        "images/samples/step_0/0.png",
        "images/samples/step_1/1.png",
        "metrics/weights/histograms.json",
        "model/config/config.yaml",
    ]
    assert download(tenant, main["key"], "model/config/config.yaml") == b"layers: 50\n"
    histograms = json.loads(download(tenant, main["key"], "metrics/weights/histograms.json"))["histograms"]
    assert [h["step"] for h in histograms] == [0, 1] and histograms[1]["values"] == [1.0, 6.0]

    fork = run_detail(tenant, runs[f"{PROJECT}/exp-fork"]["key"])
    assert fork["state"] == "failed"
    fork_params = fork["params"] if "fork.parent" in fork["params"] else _flatten(fork["params"])
    assert fork_params["fork.parent"] == main["key"]
    assert fork_params["fork.parent_run_id"] == "exp-main" and fork_params["fork.step"] == 5.0
    # A Trackbase fork: the parent's loss through step 5, then the fork's own (6..8); nothing copied.
    assert fork["fork"] == {"runId": main["id"], "key": main["key"], "step": 5}
    loss = series(tenant, fork["key"], "metrics/loss")
    assert loss["steps"] == list(range(9))
    assert loss["values"][:6] == [1.0 / (s + 1) for s in range(6)] and loss["values"][6:] == [0.1] * 3
    assert loss["inheritedThrough"] == 5

    legacy = run_detail(tenant, runs["acme/legacy/LEG-7"]["key"])
    assert legacy["name"] == "old run"
    assert files_of(tenant, legacy["key"]) == ["dataset/a.csv", "dataset/sub/b.csv", "weights/files_list.json"]

    unmapped = {(u["path"], u["reason"].split(":")[0].split(" ")[0]) for u in first["unmapped"]}
    assert ("parameters/too_long", "string") in unmapped
    assert ("model/missing", "file") in unmapped
    assert ("source_code/git", "attribute") in unmapped
    assert ("weights", "artifact") in unmapped
    assert ("metrics/lr_frac", "points") not in unmapped

    second = cli(tenant, tmp_path, str(export))
    assert second["runsImported"] == 0 and second["runsSkipped"] == 3 and second["points"] == 0
    assert {r["key"] for r in second["runs"]} == {r["key"] for r in first["runs"]}
    assert series(tenant, main["key"], "metrics/loss")["steps"] == list(range(10))
    assert len(api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs?limit=100")["items"]) == 3


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from trackbase import _api
    from trackbase.cli import main
    sent = {"n": 0}
    original = _api.TrackbaseApi.send_batch
    def send_batch(self, *args, **kwargs):
        answer = original(self, *args, **kwargs)
        sent["n"] += 1
        if sent["n"] >= int(os.environ["KILL_AFTER_BATCHES"]):
            os.kill(os.getpid(), signal.SIGKILL)
        return answer
    _api.TrackbaseApi.send_batch = send_batch
    main(sys.argv[1:])
    """
)


def test_import_killed_halfway_then_rerun_sends_every_point_exactly_once(tenant: Tenant, tmp_path: Path) -> None:
    export = tmp_path / "exports"
    runs = 3
    points = 250_000  # three batches per run
    for r in range(runs):
        run = RunExport(export, PROJECT, f"big-{r}")
        run.param("sys/custom_run_id", "string", f"big-{r}")
        run.series("metrics/x", "float_series", [(s, float(s % 97)) for s in range(points)])
        run.write(parts=2)
    env = child_env(tmp_path, TRACKBASE_URL=tenant.url, TRACKBASE_API_KEY=tenant.key, KILL_AFTER_BATCHES="5")
    killed = subprocess.run(
        [PYTHON, "-c", KILLER, "--json", "import", "neptune", str(export), "--project", tenant.ref],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr
    client: Api = api(tenant)
    listed = client.get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs?limit=100")["items"]
    assert any(r["state"] != "finished" for r in listed) or len(listed) < runs

    summary = cli(tenant, tmp_path, str(export))
    assert summary["runsImported"] + summary["runsSkipped"] == runs
    assert summary["duplicateBatches"] >= 1 or summary["runsSkipped"] >= 1
    for run in summary["runs"]:
        detail = run_detail(tenant, run["key"])
        assert detail["state"] == "finished"
        [x] = [s for s in detail["series"] if s["name"] == "metrics/x"]
        assert x["count"] == points
        assert x["lastStep"] == points - 1


def _flatten(value: Any, prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict):
            out.update(_flatten(item, f"{path}."))
        else:
            out[path] = item
    return out
