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
# No art.wait(): it reads the version back through the public API, which is not served yet.
run.log_artifact(art, aliases=["best"])
run.finish()
"""


def test_log_artifact_commits_a_version_with_its_files_and_aliases(wb: WandbEnv) -> None:
    out = wb.python(LOG.replace("CONTENT", "first")).stdout
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

    # The same content again is the same version (digest deduplication); new content is v2 and takes `latest`.
    wb.python(LOG.replace("CONTENT", "first"))
    assert sorted(committed()) == ["v1"]
    wb.python(LOG.replace("CONTENT", "second"))
    versions = committed()
    assert sorted(versions) == ["v1", "v2"]
    assert "latest" in versions["v2"]["aliases"] and "latest" not in versions["v1"]["aliases"]
