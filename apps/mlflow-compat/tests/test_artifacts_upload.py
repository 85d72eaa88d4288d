"""The artifact proxy with large files, on both storage drivers: multipart upload (create, parts, complete, abort) and the streamed PUT."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import mlflow
import pytest
import requests
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository
from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository
from trackbase_testing import ServerProcess, new_tenant, repo_root

from conftest import Mlflow, mlflow_for

MiB = 1024 * 1024
# S3's smallest part (all but the last): the client's chunk size must be at least this on a real store.
CHUNK = 5 * MiB

# s3rver (a real S3-protocol server, the one the API's own storage tests use), from the repository's node_modules.
S3RVER = """
const S3rver = require('s3rver');
new S3rver({ address: '127.0.0.1', port: 0, directory: process.argv[1], silent: true, configureBuckets: [{ name: 'mlflow-compat' }] })
  .run().then(({ port }) => process.stdout.write(`${port}\n`));
"""


class S3rver:
    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="mlflow-compat-s3rver-")
        self.proc = subprocess.Popen(
            ["node", "-e", S3RVER, self.directory], cwd=str(repo_root()), stdout=subprocess.PIPE, start_new_session=True
        )
        assert self.proc.stdout is not None
        self.endpoint = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    @property
    def env(self) -> dict:
        return {
            "STORAGE_DRIVER": "s3",
            "S3_BUCKET": "mlflow-compat",
            "S3_ENDPOINT": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "S3RVER",
            "S3_SECRET_ACCESS_KEY": "S3RVER",
            "S3_FORCE_PATH_STYLE": "true",
        }

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module", params=["local", "s3"])
def server(request: pytest.FixtureRequest) -> Iterator[object]:
    """The session's server (local disk) or one of our own on s3rver."""
    if request.param == "local":
        yield request.getfixturevalue("trackbase_server")
        return
    s3 = S3rver()
    try:
        proc = ServerProcess(env=s3.env).start()
        try:
            yield proc
        finally:
            proc.close()
    finally:
        s3.close()


@pytest.fixture
def mlx(server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mlflow]:
    yield from mlflow_for(new_tenant(server.url), monkeypatch)


def big_file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def multipart_on(monkeypatch: pytest.MonkeyPatch) -> list:
    """Turns the client's proxy multipart on for files of CHUNK bytes and more; records each multipart upload it makes."""
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(CHUNK))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(CHUNK))
    calls: list = []
    real = HttpArtifactRepository._try_multipart_upload

    def recording(self, local_file, artifact_path=None):  # type: ignore[no-untyped-def]
        calls.append((local_file, artifact_path))
        return real(self, local_file, artifact_path)

    monkeypatch.setattr(HttpArtifactRepository, "_try_multipart_upload", recording)
    return calls


def error_code(error: requests.HTTPError) -> str:
    return str(error.response.json()["error_code"])


def test_a_file_over_the_multipart_threshold_goes_up_in_parts_and_reads_back_byte_for_byte(
    mlx: Mlflow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = multipart_on(monkeypatch)
    source = big_file(tmp_path, "weights.bin", 2 * CHUNK + 12345)
    small = big_file(tmp_path, "small.bin", 1000)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(source), artifact_path="model")
        mlflow.log_artifact(str(small), artifact_path="model")
    assert [Path(f).name for f, _ in calls] == ["weights.bin"]  # the small one went as one PUT

    listed = {f.path: f.file_size for f in mlx.client.list_artifacts(run.info.run_id, "model")}
    assert listed == {"model/weights.bin": source.stat().st_size, "model/small.bin": 1000}
    back = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="model/weights.bin", dst_path=str(tmp_path / "d")))
    assert back.read_bytes() == source.read_bytes()
    # It is a run file like any other: Trackbase's own API lists it with its size.
    files = mlx.tenant.owner.api.get(f"/orgs/{mlx.tenant.org}/projects/default/runs/{run.info.run_id}/files?prefix=model")
    assert {e["name"]: e.get("size") for e in files["entries"]}["weights.bin"] == source.stat().st_size


def test_a_large_single_put_streams_to_the_store(mlx: Mlflow, tmp_path: Path) -> None:
    source = big_file(tmp_path, "checkpoint.pt", 17 * MiB + 7)  # more than one of the S3 driver's 16 MiB stream parts
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(source))
        mlflow.log_artifact(str(source), artifact_path="again")  # the same content again: one object, two files
    back = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="again/checkpoint.pt", dst_path=str(tmp_path / "d")))
    assert back.read_bytes() == source.read_bytes()
    assert [f.path for f in mlx.client.list_artifacts(run.info.run_id)] == ["again", "checkpoint.pt"]


def start_upload(run, local: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Creates a multipart upload for `local` under the run's `big/` and sends its first part, as the client does."""
    multipart_on(monkeypatch)
    repo = get_artifact_repository(run.info.artifact_uri)
    create = repo.create_multipart_upload(str(local), 2, "big")
    assert [c.part_number for c in create.credentials] == [1, 2]
    part = repo._upload_part(create.credentials[0], str(local), CHUNK, 0)
    return repo, create, part


def test_abort_leaves_nothing_behind(mlx: Mlflow, server: ServerProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    local = big_file(tmp_path, "aborted.bin", CHUNK + 10)
    run = mlx.client.create_run("0")
    repo, create, part = start_upload(run, local, monkeypatch)
    repo.abort_multipart_upload(str(local), create.upload_id, "big")

    assert mlx.client.list_artifacts(run.info.run_id, "big") == []
    if isinstance(server, ServerProcess) and (server.data_dir / "data" / "artifacts").exists():
        # The local store: no part, no staged bytes, no object of this organization is left on disk.
        store = server.data_dir / "data" / "artifacts"
        leftovers = [p for p in store.rglob("*") if p.is_file() and run.info.run_id in str(p)]
        assert leftovers == []
        assert not any((store / ".uploads").glob("*")) if (store / ".uploads").exists() else True
        # ...and the upload cannot be completed any more.
        with pytest.raises(requests.HTTPError) as error:
            repo.complete_multipart_upload(str(local), create.upload_id, [part], "big")
        assert error.value.response.status_code in (400, 404)
    # (s3rver does not implement AbortMultipartUpload, so there the parts stay in its directory; real S3 drops them.)


def test_an_upload_of_another_run_or_organization_is_refused(mlx: Mlflow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    local = big_file(tmp_path, "theirs.bin", CHUNK + 10)
    run = mlx.client.create_run("0")
    other_run = mlx.client.create_run("0")
    repo, create, part = start_upload(run, local, monkeypatch)

    # The same upload id presented for another run of the same organization...
    other_repo = get_artifact_repository(other_run.info.artifact_uri)
    with pytest.raises(requests.HTTPError) as error:
        other_repo.complete_multipart_upload(str(local), create.upload_id, [part], "big")
    assert error_code(error.value) == "RESOURCE_DOES_NOT_EXIST"
    # ...for another file of the same run, or tampered with...
    with pytest.raises(requests.HTTPError) as error:
        repo.complete_multipart_upload(str(tmp_path / "other-name.bin"), create.upload_id, [part], "big")
    assert error_code(error.value) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(requests.HTTPError) as error:
        repo.complete_multipart_upload(str(local), create.upload_id[:-2] + "xx", [part], "big")
    assert error_code(error.value) == "RESOURCE_DOES_NOT_EXIST"

    # ...or by another organization for a run of its own: no such upload there either.
    other = new_tenant(mlx.tenant.url)
    theirs = mlx.client_for(other.key, other.org)
    their_run = theirs.create_run("0")
    mlflow.set_tracking_uri(f"{other.url}/mlflow/{other.org}")
    their_repo = get_artifact_repository(their_run.info.artifact_uri)
    with pytest.raises(requests.HTTPError) as error:
        their_repo.complete_multipart_upload(str(local), create.upload_id, [part], "big")
    assert error_code(error.value) == "RESOURCE_DOES_NOT_EXIST"
    mlflow.set_tracking_uri(mlx.uri)
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD")

    # The rightful owner still completes it (the second part, then complete), and the file reads back whole.
    part2 = repo._upload_part(create.credentials[1], str(local), CHUNK, CHUNK)
    repo.complete_multipart_upload(str(local), create.upload_id, [part, part2], "big")
    back = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="big/theirs.bin", dst_path=str(tmp_path / "d")))
    assert back.read_bytes() == local.read_bytes()
    assert [f.path for f in mlx.client.list_artifacts(other_run.info.run_id)] == []
