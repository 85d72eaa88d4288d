"""The public API's run queries: `wandb.Api().run(...)`, `.runs(...)`, `run.update()`, `run.summary`,
`run.history()`, `run.files()`, `run.delete()`, with the real client, and who may use them."""

from __future__ import annotations

import json

from conftest import WandbEnv, marker
from test_wire import call

LOG = """
import wandb
with open("extra.txt", "w") as f:
    f.write("saved file")
run = wandb.init(id="pub00001", name="first", config={"lr": 0.1, "model": {"layers": 2}}, group="grp", job_type="train", tags=["a"])
for step in range(5):
    run.log({"loss": 1.0 / (step + 1), "acc": step * 0.1})
run.summary["best"] = 0.9
run.save("extra.txt")
run.finish()
"""

READ = """
import json, sys, wandb
api = wandb.Api()
try:
    run = api.run(sys.argv[1])
except Exception as error:
    print(f"MISSING={type(error).__name__}: {error}")
    raise SystemExit(0)
print(f"PROJECT_ID={run._project_internal_id!r}")
print(f"NAME={run.name}")
print(f"STATE={run.state}")
print(f"GROUP={run.group}")
print(f"JOB_TYPE={run.job_type}")
print(f"TAGS={','.join(run.tags)}")
print(f"CONFIG={json.dumps(run.config, sort_keys=True)}")
print(f"SUMMARY_BEST={run.summary.get('best')}")
print(f"LAST_STEP={run.lastHistoryStep}")
print(f"USER={run.user.name if run.user else None}")
rows = run.history(pandas=False)
print(f"HISTORY={json.dumps([{k: r[k] for k in ('_step', 'loss')} for r in rows])}")
rows = run.history(keys=["acc"], pandas=False)
print(f"SAMPLED={json.dumps([[r['_step'], round(r['acc'], 3)] for r in rows])}")
files = {f.name: f.size for f in run.files()}
print(f"FILES={json.dumps(files, sort_keys=True)}")
print(f"EXTRA={run.file('extra.txt').download(root=sys.argv[2], replace=True).read()}")
"""

LIST = """
import sys, wandb
runs = wandb.Api().runs(sys.argv[1])
print(f"COUNT={len(runs)}")
print(f"IDS={','.join(r.id for r in runs)}")
print(f"PROJECT_IDS={','.join(str(r._project_internal_id) for r in runs)}")
"""

UPDATE = """
import sys, wandb
run = wandb.Api().run(sys.argv[1])
run.tags.append("b")
run.notes = "changed notes"
run.config["lr"] = 0.2
run.summary["best"] = 0.95
run.update()
print("UPDATED=1")
"""

DELETE = """
import sys, wandb
run = wandb.Api().run(sys.argv[1])
run.delete()
print("DELETED=1")
"""

UPSERT_BY_ID = """mutation U($id: String, $notes: String) { upsertBucket(input: {id: $id, notes: $notes}) { bucket { id notes } } }"""
DELETE_RUN = """mutation D($id: ID!) { deleteRun(input: {id: $id}) { clientMutationId } }"""


def test_a_logged_run_reads_back_through_the_public_api(wb: WandbEnv) -> None:
    wb.python(LOG)
    out = wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/pub00001", str(wb.dir / "down")).stdout
    assert int(marker(out, "PROJECT_ID")) > 0
    assert marker(out, "NAME") == "first" and marker(out, "STATE") == "finished"
    assert marker(out, "GROUP") == "grp" and marker(out, "JOB_TYPE") == "train" and marker(out, "TAGS") == "a"
    assert json.loads(marker(out, "CONFIG")) == {"lr": 0.1, "model": {"layers": 2}}
    assert marker(out, "SUMMARY_BEST") == "0.9"
    assert marker(out, "LAST_STEP") == "4"
    assert marker(out, "USER") == "Owner"
    assert json.loads(marker(out, "HISTORY")) == [{"_step": s, "loss": 1.0 / (s + 1)} for s in range(5)]
    assert json.loads(marker(out, "SAMPLED")) == [[s, round(s * 0.1, 3)] for s in range(5)]
    files = json.loads(marker(out, "FILES"))
    assert files["extra.txt"] == len("saved file") and "wandb-summary.json" in files and "config.yaml" in files, files
    assert marker(out, "EXTRA") == "saved file"


def test_runs_lists_the_project_and_update_and_delete_change_the_run(wb: WandbEnv) -> None:
    wb.python(LOG)
    wb.python(LOG.replace("pub00001", "pub00002").replace('"first"', '"second"'))
    ref = f"{wb.tenant.org}/{wb.tenant.project}"
    out = wb.python(LIST, ref).stdout
    assert marker(out, "COUNT") == "2" and marker(out, "IDS") == "pub00001,pub00002"
    # One number for the project, the same on every run.
    assert len(set(marker(out, "PROJECT_IDS").split(","))) == 1

    assert marker(wb.python(UPDATE, f"{ref}/pub00001").stdout, "UPDATED") == "1"
    stored = wb.run("pub00001")
    # An edit is not a resume: the finished run stays finished.
    assert stored["state"] == "finished"
    assert stored["tags"] == ["a", "b"] and stored["notes"] == "changed notes" and stored["params"]["lr"] == 0.2, stored
    out = wb.python(READ, f"{ref}/pub00001", str(wb.dir / "down")).stdout
    assert marker(out, "SUMMARY_BEST") == "0.95" and json.loads(marker(out, "CONFIG"))["lr"] == 0.2

    assert marker(wb.python(DELETE, f"{ref}/pub00002").stdout, "DELETED") == "1"
    assert "Could not find run" in marker(wb.python(READ, f"{ref}/pub00002", str(wb.dir / "down")).stdout, "MISSING")
    assert [r["externalId"] for r in wb.runs()] == ["pub00001"]


def test_a_viewer_reads_but_cannot_update_or_delete_and_another_organization_sees_nothing(wb: WandbEnv) -> None:
    from trackbase_testing import new_tenant

    wb.python(LOG)
    ref = f"{wb.tenant.org}/{wb.tenant.project}/pub00001"
    run_id = wb.run("pub00001")["id"]
    viewer = wb.tenant.add_member("member").api_key()  # an org member reads the org-visible project: a viewer there
    out = wb.python(READ, ref, str(wb.dir / "down"), key=viewer).stdout
    assert marker(out, "NAME") == "first"
    failed = wb.python(UPDATE, ref, key=viewer, check=False)
    assert failed.returncode != 0 and "your role does not allow logging to" in failed.stderr, failed.stderr[-2000:]
    for query, variables in [(UPSERT_BY_ID, {"id": run_id, "notes": "viewer"}), (DELETE_RUN, {"id": run_id})]:
        status, body = call(wb, "/graphql", {"query": query, "variables": variables}, key=viewer)
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "forbidden", body

    other = new_tenant(wb.tenant.url)
    assert "MISSING" in wb.python(READ, ref, str(wb.dir / "down"), key=other.key).stdout
    for query, variables in [(UPSERT_BY_ID, {"id": run_id, "notes": "theirs"}), (DELETE_RUN, {"id": run_id})]:
        status, body = call(wb, "/graphql", {"query": query, "variables": variables}, key=other.key)
        # Exactly as a run that does not exist.
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "not_found", body
        status, body = call(wb, "/graphql", {"query": query, "variables": {**variables, "id": "00000000-0000-4000-8000-000000000000"}})
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "not_found", body
    stored = wb.run("pub00001")
    assert stored["notes"] == "" and stored["state"] == "finished", stored


def test_run_filters_are_refused_not_ignored(wb: WandbEnv) -> None:
    wb.python(LOG)
    failed = wb.python(
        "import sys, wandb\nprint(len(wandb.Api().runs(sys.argv[1], filters={'state': 'finished'})))",
        f"{wb.tenant.org}/{wb.tenant.project}",
        check=False,
    )
    assert failed.returncode != 0 and "filters are not served" in failed.stderr, failed.stderr[-2000:]
