"""Uploads (single and multipart), artifact versions and the verified content cache shared with the TypeScript SDK."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from processes import python_cli
from trackbase_testing import ServerProcess, Tenant, new_tenant

import trackbase

from conftest import ROOT, child_env
from helpers import run_detail, series

PART = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def small_parts() -> Iterator[ServerProcess]:
    """A server cutting uploads into 5 MiB parts, so an 11 MiB file takes the multipart path."""
    server = ServerProcess(env={"UPLOAD_PART_SIZE": str(PART)}).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def t(small_parts: ServerProcess) -> Tenant:
    return new_tenant(small_parts.url)


def start(tenant: Tenant) -> trackbase.Run:
    return trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_upload_single_and_multipart_and_come_back_identical(t: Tenant, tmp_path: Path) -> None:
    plots = tmp_path / "plots"
    (plots / "sub").mkdir(parents=True)
    (plots / "a.txt").write_text("alpha")
    (plots / "sub" / "b.csv").write_text("x,y\n1,2\n")
    big = tmp_path / "weights.bin"
    big.write_bytes(os.urandom(2 * PART + 1234))
    run = start(t)
    stored = run.upload_dir(str(plots), "eval")
    assert sorted(f["path"] for f in stored or []) == ["eval/a.txt", "eval/sub/b.csv"]
    assert (run.upload_file(str(big)) or {})["size"] == big.stat().st_size
    assert (run.upload_file(str(big), "copy/weights.bin") or {})["sha256"] == sha(big)  # same content: nothing sent again
    run.finish()
    env = child_env(tmp_path, TRACKBASE_URL=t.url, TRACKBASE_API_KEY=t.key)
    out = tmp_path / "out"
    done = python_cli(env, "files", "download", t.ref, str(run.key), "--dir", str(out), "--json")
    assert done.returncode == 0, done.stderr
    assert sha(out / "weights.bin") == sha(big)
    assert (out / "eval" / "sub" / "b.csv").read_text() == "x,y\n1,2\n"
    assert (out / "copy" / "weights.bin").exists()


def test_artifacts_are_versioned_by_content_and_used_through_the_shared_cache(t: Tenant, tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"layers": 2}')
    (model / "weights.bin").write_bytes(os.urandom(PART + 10))
    run = start(t)
    first = run.log_artifact("net", "model", str(model), aliases=["candidate"])
    again = run.log_artifact("net", "model", str(model))
    assert first and again and first["version"] == "v1" and first["created"] is True and again["created"] is False
    assert "candidate" in first["aliases"]
    run.log_input(kind="dataset", name="mnist", version="v1", size_bytes=100)
    run.log_output(kind="model", name="net", version="v1", framework="pytorch")
    run.log_text("notes", "first line")
    run.finish()
    detail = run_detail(t, str(run.key))
    assert any(i.get("name") == "mnist" for i in detail["inputs"]) and any(o.get("name") == "net" for o in detail["outputs"])
    assert series(t, str(run.key), "notes", kind="text")["lines"] == ["first line"]

    consumer = start(t)
    directory = consumer.use_artifact("net:candidate")
    assert sha(directory / "weights.bin") == sha(model / "weights.bin")
    assert (directory / "config.json").stat().st_ino == (
        Path(os.environ["TRACKBASE_CACHE_DIR"])
        / "objects"
        / "sha256"
        / sha(model / "config.json")[:2]
        / sha(model / "config.json")
    ).stat().st_ino
    consumer.finish()
    assert any(
        c["key"] == consumer.key
        for c in trackbase._artifacts.TrackbaseApi(  # type: ignore[attr-defined]
            trackbase._http.HttpClient(t.url, t.key)  # type: ignore[attr-defined]
        ).artifact_version(t.org, t.project, "net", "v1")["consumers"]
    )

    # The TypeScript CLI finds every byte in the cache the Python SDK filled.
    env = child_env(tmp_path, TRACKBASE_URL=t.url, TRACKBASE_API_KEY=t.key)
    got = subprocess.run(
        ["node", str(ROOT / "libs/sdk/dist/cli.js"), "artifacts", "get", t.ref, "net:v1", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.returncode == 0, got.stderr
    answer = json.loads(got.stdout)
    assert answer["downloaded"] == 0 and answer["reused"] == 2
    # And the module-level function, without a run, reuses it too.
    assert (
        trackbase.use_artifact(f"{t.org}/{t.project}/net:latest", root=str(tmp_path / "copy"), url=t.url, api_key=t.key)
        == tmp_path / "copy"
    )
    assert (tmp_path / "copy" / "config.json").read_text() == '{"layers": 2}'


def test_uploads_need_the_server_offline_runs_say_so(t: Tenant, tmp_path: Path) -> None:
    run = trackbase.init(
        project=t.ref, mode="offline", context=False, save_code=False, capture_console=False, system_metrics_interval=0
    )
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(trackbase.TrackbaseOfflineError, match="trackbase files upload"):
        run.upload_file(str(tmp_path / "f.txt"))
    run.finish()
