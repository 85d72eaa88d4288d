"""run.log_artifact onto Trackbase artifact versions."""

from __future__ import annotations

from conftest import WandbEnv, marker

LOG = """
import wandb
run = wandb.init()
print(f"RUN_ID={run.id}")
art = wandb.Artifact("mnist-small", type="dataset", description="tiny", metadata={"rows": 3})
with art.new_file("data/train.csv") as f:
    f.write("a,b\\n1,2\\n")
with art.new_file("README.md") as f:
    f.write("CONTENT\\n")
run.log_artifact(art, aliases=["best"])
art.wait()
print(f"VERSION={art.version}")
print(f"ART_ID={art.id}")
run.finish()
"""


def test_log_artifact_commits_a_version_with_its_files_and_aliases(wb: WandbEnv) -> None:
    out = wb.python(LOG.replace("CONTENT", "first")).stdout
    # art.wait() read the committed version back. W&B counts versions from 0: Trackbase's v1 is the client's v0.
    assert marker(out, "VERSION") == "v0"
    run = wb.run(marker(out, "RUN_ID"))
    api = wb.tenant.owner.api
    base = f"/orgs/{wb.tenant.org}/projects/{wb.tenant.project}/artifacts/mnist-small"

    def committed() -> dict:
        detail = api.get(base)
        assert detail["kind"] == "dataset"
        return {v["version"]: v for v in detail["versions"] if v["state"] == "committed"}

    versions = committed()
    assert sorted(versions) == ["v1"]
    v1 = versions["v1"]
    assert sorted(v1["aliases"]) == ["best", "latest"]
    assert v1["description"] == "tiny"
    assert v1["metadata"]["rows"] == 3
    assert v1["producer"]["id"] == run["id"]
    files = {f["path"]: f for f in api.get(f"{base}/versions/v1/files")["files"]}
    assert sorted(files) == ["README.md", "data/train.csv"]
    assert files["data/train.csv"]["size"] == len("a,b\n1,2\n") and files["data/train.csv"]["state"] == "available"

    # The same content again is the same version: CreateArtifact answers it (W&B digest deduplication), so the
    # client uploads nothing and reads v0 (Trackbase's v1) back. New content is v2 (the client's v1) and takes `latest`.
    again = wb.python(LOG.replace("CONTENT", "first")).stdout
    assert marker(again, "ART_ID") == marker(out, "ART_ID") == v1["id"]
    assert marker(again, "VERSION") == "v0"
    assert sorted(committed()) == ["v1"]
    assert marker(wb.python(LOG.replace("CONTENT", "second")).stdout, "VERSION") == "v1"
    versions = committed()
    assert sorted(versions) == ["v1", "v2"]
    assert "latest" in versions["v2"]["aliases"] and "latest" not in versions["v1"]["aliases"]


USE = """
import hashlib, os, sys, wandb
run = wandb.init()
print(f"RUN_ID={run.id}")
art = run.use_artifact(sys.argv[1])
print(f"VERSION={art.version}")
root = art.download()
for dirpath, _, names in sorted(os.walk(root)):
    for n in sorted(names):
        p = os.path.join(dirpath, n)
        print(f"FILE={os.path.relpath(p, root)}:{hashlib.sha256(open(p, 'rb').read()).hexdigest()}")
run.finish()
"""

READ = """
import hashlib, os, sys, wandb
try:
    art = wandb.Api().artifact(sys.argv[1])
except Exception as error:
    print(f"MISSING={type(error).__name__}: {error}")
    raise SystemExit(0)
print(f"VERSION={art.version}")
print(f"DIGEST={art.digest}")
root = art.download()
for n in sorted(os.listdir(os.path.join(root, "data"))):
    p = os.path.join(root, "data", n)
    print(f"FILE=data/{n}:{hashlib.sha256(open(p, 'rb').read()).hexdigest()}")
"""

BINARY = """
import os, wandb
run = wandb.init()
art = wandb.Artifact("weights", type="model")
with open("blob.bin", "wb") as f:
    f.write(os.urandom(300_000))
art.add_file("blob.bin", name="data/blob.bin")
with art.new_file("data/notes.txt") as f:
    f.write("hello")
run.log_artifact(art, aliases=["best"])
run.finish()
"""


def _files(out: str) -> dict:
    return dict(line[len("FILE=") :].rsplit(":", 1) for line in out.splitlines() if line.startswith("FILE="))


def test_use_artifact_in_another_run_downloads_the_same_bytes_and_records_the_input(wb: WandbEnv) -> None:
    import hashlib

    wb.python(BINARY)
    blob = (wb.dir / "blob.bin").read_bytes()
    out = wb.python(USE, "weights:best").stdout
    assert marker(out, "VERSION") == "v0"
    assert _files(out) == {"data/blob.bin": hashlib.sha256(blob).hexdigest(), "data/notes.txt": hashlib.sha256(b"hello").hexdigest()}
    # The consuming run is recorded as an input of the version (lineage).
    consumer = wb.run(marker(out, "RUN_ID"))
    version = wb.tenant.owner.api.get(f"/orgs/{wb.tenant.org}/projects/{wb.tenant.project}/artifacts/weights/versions/v1")
    assert [c["id"] for c in version["consumers"]] == [consumer["id"]]


def test_a_viewer_key_reads_an_artifact_and_another_organization_sees_none(wb: WandbEnv) -> None:
    from trackbase_testing import new_tenant

    wb.python(BINARY)
    name = f"{wb.tenant.org}/{wb.tenant.project}/weights:latest"
    viewer = wb.tenant.add_member("member").api_key()  # an org member reads the org-visible project: a viewer there
    out = wb.python(READ, name, key=viewer).stdout
    assert marker(out, "VERSION") == "v0"
    assert sorted(_files(out)) == ["data/blob.bin", "data/notes.txt"]
    # Another organization's key: the artifact answers as missing, as one that does not exist.
    other = new_tenant(wb.tenant.url)
    assert "not found" in marker(wb.python(READ, name, key=other.key).stdout, "MISSING")
    assert "not found" in marker(wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/nothing:latest").stdout, "MISSING")
    # The first version is W&B's v0 (Trackbase's v1) by name too, and another organization cannot name it so either;
    # there is no v1 yet.
    assert marker(wb.python(READ, name.replace(":latest", ":v0"), key=viewer).stdout, "VERSION") == "v0"
    assert "not found" in marker(wb.python(READ, name.replace(":latest", ":v0"), key=other.key).stdout, "MISSING")
    assert "not found" in marker(wb.python(READ, name.replace(":latest", ":v1")).stdout, "MISSING")
