"""`trackbase export` to Parquet, then `trackbase import trackbase` into another project reproduces the project."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pyarrow.parquet as pq
from trackbase_testing import Tenant

from trackbase._api import TrackbaseApi
from trackbase._artifacts import log_artifact_files
from trackbase._files import upload_run_file
from trackbase._http import HttpClient

from conftest import PYTHON, child_env
from helpers import api


def cli(tenant: Tenant, tmp: Path, *args: str) -> Dict[str, Any]:
    env = child_env(tmp, TRACKBASE_URL=tenant.url, TRACKBASE_API_KEY=tenant.key)
    done = subprocess.run([PYTHON, "-m", "trackbase.cli", "--json", *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def populate(tenant: Tenant, tmp: Path) -> None:
    client = api(tenant)
    base = f"/orgs/{tenant.org}/projects/{tenant.project}/runs"
    sdk = TrackbaseApi(HttpClient(tenant.url, tenant.key))
    for r in range(2):
        run = client.post(
            base,
            {
                "name": f"run-{r}",
                "description": f"run number {r}",
                "tags": ["exported", f"r{r}"],
                "params": {"optimizer": {"lr": 0.01 * (r + 1), "name": "adam"}, "epochs": 3, "flags": [1, 2], "on": True},
                "startedAt": "2025-01-02T03:04:05.000Z",
            },
        )
        client.post(
            f"{base}/{run['id']}/batches",
            {
                "streamId": "populate",
                "seq": 0,
                "metrics": [
                    {
                        "name": "loss",
                        "steps": [0, 1, 2, 5],
                        "values": [1.5, "NaN", 0.5, "Infinity"],
                        "times": [1e12, 1e12 + 1, 1e12 + 2, 1e12 + 3],
                    }
                ],
                "system": [{"name": "cpu", "steps": [0, 1], "values": [10.0, 20.0], "times": [1e12, 1e12 + 5]}],
                "text": [{"name": "stdout", "steps": [0, 0, 1], "lines": ["a", "b", "c"], "times": [1e12, 1e12, 1e12 + 9]}],
                "inputs": [{"kind": "dataset", "name": "train", "version": "1", "digest": "abc"}],
            },
        )
        (tmp / f"weights-{r}.bin").write_bytes(bytes([r]) * 100)
        upload_run_file((sdk, tenant.org, tenant.project, run["id"]), str(tmp / f"weights-{r}.bin"), "ckpt/weights.bin")
        client.patch(f"{base}/{run['id']}", {"state": "failed" if r else "finished", "notes": f"notes {r}"})
        if r == 0:
            model = tmp / "model"
            model.mkdir()
            (model / "model.pkl").write_bytes(b"pickle")
            log_artifact_files(
                sdk, tenant.org, tenant.project, "classifier", "model", str(model), aliases=["prod"], run=run["key"]
            )


Record = Tuple[Any, ...]


def records(out: Path) -> Tuple[List[Record], Dict[str, str]]:
    table = pq.read_table(out / "data").to_pylist()
    names = {r["run_id"]: r["string_value"] for r in table if r["record"] == "run" and r["name"] == "name"}
    rows: List[Record] = []
    for r in table:
        if r["record"] == "run" and r["name"] in ("key", "externalId", "createdAt", "endedAt"):
            continue
        if r["record"] == "param" and r["name"].startswith("import."):
            continue
        if r["record"] in ("input", "output"):
            # An asset's id and first-seen time are the target server's own.
            r["json_value"] = json.dumps({k: v for k, v in json.loads(r["json_value"]).items() if k not in ("id", "createdAt")})
        value = r["float_value"]
        if isinstance(value, float) and math.isnan(value):
            value = "NaN"
        rows.append(
            (
                names[r["run_id"]],
                r["record"],
                r["name"],
                r["step"],
                r["time"],
                value,
                r["int_value"],
                r["bool_value"],
                r["string_value"],
                r["json_value"],
            )
        )
    return sorted(rows, key=repr), names


def test_export_then_import_into_another_project_reproduces_it(tenant: Tenant, tmp_path: Path) -> None:
    populate(tenant, tmp_path)
    first = tmp_path / "first"
    manifest = cli(tenant, tmp_path, "export", tenant.ref, "--out", str(first))
    assert manifest["counts"]["runs"] == 2 and manifest["counts"]["points"] == 12 and manifest["counts"]["textLines"] == 6
    rows, names = records(first)
    assert any(r[:4] == ("run-0", "metric", "loss", 5) and r[5] == math.inf for r in rows)
    assert any(r[1:3] == ("param", "optimizer.lr") and r[5] == 0.01 for r in rows)
    assert any(r[1:3] == ("param", "flags") and r[9] == "[1, 2]" for r in rows)
    [run0] = [i for i, n in names.items() if n == "run-0"]
    assert (first / "files" / run0 / "ckpt" / "weights.bin").read_bytes() == bytes([0]) * 100
    model_manifest = json.loads((first / "artifacts" / "classifier" / "v1" / "manifest.json").read_text())
    assert model_manifest["aliases"] == ["latest", "prod"] and model_manifest["files"][0]["path"] == "model.pkl"

    other = tenant.create_project()
    target = f"{tenant.org}/{other}"
    summary = cli(tenant, tmp_path, "import", "trackbase", str(first), "--project", target)
    assert summary["runsImported"] == 2
    again = cli(tenant, tmp_path, "import", "trackbase", str(first), "--project", target)
    assert again["runsImported"] == 0 and again["runsSkipped"] == 2 and again["points"] == 0

    second = tmp_path / "second"
    cli(tenant, tmp_path, "export", target, "--out", str(second))
    copied_rows = records(second)[0]
    assert [r for r in copied_rows if r not in rows] == [] and [r for r in rows if r not in copied_rows] == []
    assert copied_rows == rows
    [run0_again] = [i for i, n in records(second)[1].items() if n == "run-0"]
    assert (second / "files" / run0_again / "ckpt" / "weights.bin").read_bytes() == bytes([0]) * 100
    copied = json.loads((second / "artifacts" / "classifier" / "v1" / "manifest.json").read_text())
    assert copied["files"] == model_manifest["files"] and copied["aliases"] == ["latest", "prod"]
    assert copied["digest"] == model_manifest["digest"]


def test_a_fork_survives_export_and_import_as_a_fork(tenant: Tenant, tmp_path: Path) -> None:
    client = api(tenant)
    base = f"/orgs/{tenant.org}/projects/{tenant.project}/runs"

    def log(run: Dict[str, Any], steps: List[int], values: List[float]) -> None:
        times = [1e12 + s for s in steps]
        client.post(
            f"{base}/{run['id']}/batches",
            {"streamId": "s", "seq": 0, "metrics": [{"name": "loss", "steps": steps, "values": values, "times": times}]},
        )

    # Whatever order the export lists them in, the importer creates the parent before the fork.
    parent = client.post(base, {"name": "parent"})
    log(parent, [0, 1, 2, 3], [4.0, 3.0, 2.0, 1.0])
    fork = client.post(base, {"name": "fork", "forkFrom": parent["key"], "forkStep": 1})
    log(fork, [2, 3], [20.0, 30.0])
    out = tmp_path / "forked"
    cli(tenant, tmp_path, "export", tenant.ref, "--out", str(out))

    other = tenant.create_project()
    cli(tenant, tmp_path, "import", "trackbase", str(out), "--project", f"{tenant.org}/{other}")
    imported = {r["name"]: r for r in client.get(f"/orgs/{tenant.org}/projects/{other}/runs")["items"]}
    detail = client.get(f"/orgs/{tenant.org}/projects/{other}/runs/{imported['fork']['key']}")
    assert detail["fork"] == {"runId": imported["parent"]["id"], "key": imported["parent"]["key"], "step": 1}
    [loss] = client.get(f"/orgs/{tenant.org}/projects/{other}/runs/{detail['key']}/series?names=loss")
    assert loss["steps"] == [0, 1, 2, 3] and loss["values"] == [4.0, 3.0, 20.0, 30.0]


def test_the_server_stream_and_the_client_side_export_write_the_same_records(tenant: Tenant, tmp_path: Path) -> None:
    import pandas as pd

    populate(tenant, tmp_path)
    client = api(tenant)
    base = f"/orgs/{tenant.org}/projects/{tenant.project}/runs"
    first = client.get(base)["items"][0]
    fork = client.post(base, {"name": "fork", "forkFrom": first["key"], "forkStep": 1, "params": {"big": 1e-07, "u": "ü"}})
    client.post(
        f"{base}/{fork['id']}/batches",
        {"streamId": "f", "seq": 0, "text": [{"name": "stderr", "steps": [3, 3], "lines": ["x", "y"], "times": [1e12, 1e12]}]},
    )
    streamed, built = tmp_path / "streamed", tmp_path / "built"
    a = cli(tenant, tmp_path, "export", tenant.ref, "--out", str(streamed), "--no-files", "--no-artifacts")
    b = cli(tenant, tmp_path, "export", tenant.ref, "--out", str(built), "--no-files", "--no-artifacts", "--client-records")
    assert {k: v for k, v in a["counts"].items() if k != "bytes"} == {k: v for k, v in b["counts"].items() if k != "bytes"}
    assert a["counts"]["runs"] == 3 and a["counts"]["textLines"] == 8

    one, other = pq.read_table(streamed / "data"), pq.read_table(built / "data")
    assert one.schema == other.schema  # same columns, same Arrow types

    def rows(table: Any) -> List[Record]:
        out = []
        for r in table.to_pylist():
            value = r["float_value"]
            r["float_value"] = "NaN" if isinstance(value, float) and math.isnan(value) else value
            out.append(tuple(r.values()))
        return sorted(out, key=repr)

    assert rows(one) == rows(other)
    # pandas reads the stream as is, values typed.
    frame = pd.read_parquet(streamed / "data")
    loss = frame[(frame.record == "metric") & (frame.name == "loss")]
    assert sorted(loss.step.astype(int).tolist()) == [0, 0, 1, 1, 2, 2, 5, 5]  # two runs
    assert str(loss.time.dtype) == "datetime64[ms, UTC]" and loss.float_value.max() == math.inf
    assert frame[(frame.record == "param") & (frame.name == "u")].string_value.tolist() == ["ü"]


def test_the_archive_carries_every_artifact_version_into_another_organization(tenant: Tenant, tmp_path: Path) -> None:
    import requests
    from trackbase_testing import new_tenant

    sdk = TrackbaseApi(HttpClient(tenant.url, tenant.key))
    client = api(tenant)
    run = client.post(f"/orgs/{tenant.org}/projects/{tenant.project}/runs", {"name": "trainer"})
    for n, (content, meta, aliases) in enumerate(
        [(b"weights-1", {"acc": 0.9, "arch": {"depth": 3}}, ["prod"]), (b"weights-2" * 1000, {"acc": 0.95}, ["candidate"])]
    ):
        folder = tmp_path / f"model-{n}"
        (folder / "conf").mkdir(parents=True)
        (folder / "model.bin").write_bytes(content)
        (folder / "conf" / "params.json").write_text(json.dumps({"depth": 3 + n}))
        log_artifact_files(
            sdk, tenant.org, tenant.project, "ranker", "model", str(folder), aliases=aliases, metadata=meta,
            description=f"version {n + 1}", run=run["key"],
        )  # fmt: skip

    versions = f"/orgs/{tenant.org}/projects/{tenant.project}/artifacts/ranker/versions"
    reference = {"uri": "s3://models/ranker/3", "digest": "sha256:abc", "size": 12}
    client.post(versions, {"kind": "model", "reference": reference, "metadata": {"acc": 0.97}, "run": run["key"]})
    client.post(f"{versions}/v1/use", {"run": run["key"]})

    # The API's archive, saved as a file and imported from it into a project of another organization.
    archive = tmp_path / "export.tar"
    url = f"{tenant.url}/api/v1/orgs/{tenant.org}/projects/{tenant.project}/export/archive.tar"
    with requests.get(url, headers={"authorization": f"Bearer {tenant.key}"}, stream=True, timeout=60) as response:
        assert response.status_code == 200 and response.headers["content-type"] == "application/x-tar"
        with open(archive, "wb") as out:
            for chunk in response.iter_content(1 << 16):
                out.write(chunk)
    elsewhere = new_tenant(tenant.url)
    summary = cli(elsewhere, tmp_path, "import", "trackbase", str(archive), "--project", elsewhere.ref)
    assert summary["runsImported"] == 1

    def manifests(out: Path) -> List[Dict[str, Any]]:
        found = sorted((out / "artifacts" / "ranker").glob("*/manifest.json"))
        return [
            {k: v for k, v in json.loads(p.read_text()).items() if k not in ("producer", "consumers", "createdAt")} for p in found
        ]

    first, second = tmp_path / "first", tmp_path / "second"
    cli(tenant, tmp_path, "export", tenant.ref, "--out", str(first))
    cli(elsewhere, tmp_path, "export", elsewhere.ref, "--out", str(second))
    before, after = manifests(first), manifests(second)
    assert [m["version"] for m in before] == ["v1", "v2", "v3"] and before[2]["reference"] == reference
    assert before[0]["metadata"] == {"acc": 0.9, "arch": {"depth": 3}} and before[1]["aliases"] == ["candidate"]
    assert after == before  # versions, digests, aliases, metadata, descriptions and file lists
    for version in ("v1", "v2"):
        for name in ("model.bin", "conf/params.json"):
            path = Path("artifacts") / "ranker" / version / "files" / name
            assert (second / path).read_bytes() == (first / path).read_bytes()
    produced = client.get(f"/orgs/{tenant.org}/projects/{tenant.project}/artifacts/ranker/versions/v1")
    copied = api(elsewhere).get(f"/orgs/{elsewhere.org}/projects/{elsewhere.project}/artifacts/ranker/versions/v1")
    assert produced["producer"]["key"] == run["key"] and copied["producer"]["name"] == "trainer"
    assert [c["name"] for c in copied["consumers"]] == ["trainer"]


def test_a_fork_of_another_projects_run_keeps_its_fork_point_and_inherited_history(tenant: Tenant, tmp_path: Path) -> None:
    from trackbase_testing import new_tenant

    client = api(tenant)
    pretrain = tenant.create_project()

    def log(project: str, run: Dict[str, Any], steps: List[int], values: List[float]) -> None:
        client.post(
            f"/orgs/{tenant.org}/projects/{project}/runs/{run['id']}/batches",
            {
                "streamId": "s",
                "seq": 0,
                "metrics": [{"name": "loss", "steps": steps, "values": values, "times": [1e12 + s for s in steps]}],
            },
        )

    parent = client.post(f"/orgs/{tenant.org}/projects/{pretrain}/runs", {"name": "pretrain"})
    log(pretrain, parent, [0, 1, 2, 3, 4, 5], [6.0, 5.0, 4.0, 3.0, 2.0, 1.0])
    base = f"/orgs/{tenant.org}/projects/{tenant.project}/runs"
    fork = client.post(base, {"name": "finetune", "forkFrom": f"{pretrain}/{parent['key']}", "forkStep": 3})
    log(tenant.project, fork, [2, 4, 5], [40.0, 0.5, 0.25])
    [shown] = client.get(f"{base}/{fork['id']}/series?names=loss")

    out = tmp_path / "forked"
    cli(tenant, tmp_path, "export", tenant.ref, "--out", str(out))
    elsewhere = new_tenant(tenant.url)
    summary = cli(elsewhere, tmp_path, "import", "trackbase", str(out), "--project", elsewhere.ref)
    assert summary["runsImported"] == 1
    [imported] = api(elsewhere).get(f"/orgs/{elsewhere.org}/projects/{elsewhere.project}/runs")["items"]
    detail = api(elsewhere).get(f"/orgs/{elsewhere.org}/projects/{elsewhere.project}/runs/{imported['key']}")
    assert detail["fork"] is None  # the parent stayed in its project
    params = (
        detail["params"] if "fork.parent" in detail["params"] else {f"fork.{k}": v for k, v in detail["params"]["fork"].items()}
    )
    assert params["fork.parent"] == f"{pretrain}/{parent['key']}" and params["fork.step"] == 3
    [loss] = api(elsewhere).get(f"/orgs/{elsewhere.org}/projects/{elsewhere.project}/runs/{imported['key']}/series?names=loss")
    # What the fork showed (pretrain's 0, 1, 3 and its own 2, 4, 5) is the imported run's own history.
    assert (
        (loss["steps"], loss["values"])
        == (shown["steps"], shown["values"])
        == ([0, 1, 2, 3, 4, 5], [6.0, 5.0, 40.0, 3.0, 0.5, 0.25])
    )
