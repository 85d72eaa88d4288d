"""wandb.init / log / summary / save / finish against Trackbase, read back through Trackbase's REST API."""

from __future__ import annotations

import json

from conftest import WandbEnv, marker

LOGGING_SCRIPT = """
import sys, time
import wandb
from tqdm import tqdm

run = wandb.init(
    config={"lr": 0.01, "model": {"layers": 3, "act": "relu"}},
    tags=["baseline", "tiny"],
    notes="first try",
    group="sweep-a",
    job_type="train",
    settings=wandb.Settings(x_stats_sampling_interval=0.5),
)
print(f"RUN_ID={run.id}")
print(f"RUN_NAME={run.name}")
for step in range(20):
    run.log({"loss": 1.0 / (step + 1), "train": {"acc": step / 20, "deep": {"x": step}}})
print("hello from stdout")
print("something went wrong", file=sys.stderr)
for _ in tqdm(range(5), desc="epochs", file=sys.stderr, mininterval=0):
    time.sleep(0.2)
run.summary["best_acc"] = 0.95
run.summary["note"] = "ok"
run.config.update({"batch_size": 32})
with open("weights.txt", "w") as f:
    f.write("w=1\\n")
run.save("weights.txt", policy="now")
time.sleep(2)  # system metrics are sampled every 0.5 s
run.finish()
"""


def test_init_log_summary_console_and_files_land_in_trackbase(wb: WandbEnv) -> None:
    out = wb.python(LOGGING_SCRIPT).stdout
    run_id, run_name = marker(out, "RUN_ID"), marker(out, "RUN_NAME")
    run = wb.run(run_id)

    # The run: the client's 8-character id as external id, its display name, tags, notes, final state.
    assert run["externalId"] == run_id and len(run_id) == 8
    assert run["name"] == run_name
    assert run["state"] == "finished"
    assert sorted(run["tags"]) == ["baseline", "tiny"]
    assert run["notes"] == "first try"
    # Config unwrapped from {"value": ...} into flat parameters, including a later update.
    assert run["params"]["lr"] == 0.01
    assert run["params"]["model.layers"] == 3 and run["params"]["model.act"] == "relu"
    assert run["params"]["batch_size"] == 32
    assert not any(k.startswith("_wandb") for k in run["params"])
    # W&B's own config and fields beside it in the context.
    assert run["context"]["wandb"]["group"] == "sweep-a"
    assert run["context"]["wandb"]["jobType"] == "train"
    assert "_wandb" in run["context"]["wandb"]
    assert run["context"]["summary"]["best_acc"] == 0.95 and run["context"]["summary"]["note"] == "ok"

    # History: nested keys flattened, one point per step, `_step` as the step.
    metrics = wb.series(run["id"])
    assert metrics["loss"]["steps"] == list(range(20))
    assert metrics["loss"]["values"][0] == 1.0 and abs(metrics["loss"]["values"][19] - 1 / 20) < 1e-12
    assert metrics["train.acc"]["steps"] == list(range(20))
    assert metrics["train.deep.x"]["values"] == [float(i) for i in range(20)]
    assert not any(name.startswith("_") for name in metrics)
    assert all(t > 1.7e12 for t in metrics["loss"]["times"])  # `_timestamp` seconds became epoch milliseconds

    # System metrics from wandb-events.jsonl.
    system = wb.series(run["id"], kind="system")
    assert system, "no system series"
    assert any("memory" in name or "cpu" in name for name in system), list(system)

    # Console: stdout and stderr apart; the tqdm bar redrawn with \\r is one line, in its final state.
    text = wb.series(run["id"], kind="text")
    assert any("hello from stdout" in line for line in text["stdout"]["lines"])
    assert any("something went wrong" in line for line in text["stderr"]["lines"])
    bars = [line for line in text["stderr"]["lines"] + text["stdout"]["lines"] if "epochs" in line]
    assert len(bars) == 1, bars
    assert "100%" in bars[0] and "5/5" in bars[0]

    # Files: run.save and the client's own files, with their content.
    files = wb.files(run["id"])
    for path in ["weights.txt", "config.yaml", "wandb-summary.json", "output.log", "requirements.txt", "wandb-metadata.json"]:
        assert path in files, (path, sorted(files))
    assert wb.file_text(run["id"], "weights.txt") == "w=1\n"
    assert json.loads(wb.file_text(run["id"], "wandb-summary.json"))["best_acc"] == 0.95


def test_finish_with_an_exit_code_marks_the_run_failed(wb: WandbEnv) -> None:
    out = wb.python(
        """
        import wandb
        run = wandb.init()
        print(f"RUN_ID={run.id}")
        run.log({"x": 1})
        run.finish(exit_code=3)
        """
    ).stdout
    assert wb.run(marker(out, "RUN_ID"))["state"] == "failed"


def test_an_uncaught_exception_marks_the_run_failed(wb: WandbEnv) -> None:
    result = wb.python(
        """
        import wandb
        run = wandb.init()
        print(f"RUN_ID={run.id}", flush=True)
        run.log({"x": 1})
        raise RuntimeError("training diverged")
        """,
        check=False,
    )
    assert result.returncode != 0
    run = wb.run(marker(result.stdout, "RUN_ID"))
    assert run["state"] == "failed"
    assert any("training diverged" in line for line in wb.series(run["id"], kind="text")["stderr"]["lines"])


def test_printed_links_open_the_run_and_project_pages(wb: WandbEnv) -> None:
    import http.client
    import urllib.parse

    out = wb.python(
        """
        import wandb
        run = wandb.init()
        print(f"RUN_ID={run.id}")
        print(f"RUN_URL={run.url}")
        print(f"PROJECT_URL={run.project_url}")
        run.finish()
        """
    ).stdout
    run = wb.run(marker(out, "RUN_ID"))

    def location(url: str) -> str:
        import base64

        # With a key that may read the run (without one, the link tells nothing of the run: test_wire).
        auth = "Basic " + base64.b64encode(f"api:{wb.tenant.key}".encode()).decode()
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.netloc, timeout=10)
        conn.request("GET", parts.path, headers={"accept": "text/html", "authorization": auth})
        response = conn.getresponse()
        assert response.status == 302, (url, response.status)
        return str(response.getheader("location"))

    assert marker(out, "RUN_URL") == f"{wb.base_url}/{wb.tenant.org}/{wb.tenant.project}/runs/{run['externalId']}"
    assert location(marker(out, "RUN_URL")) == f"/{wb.tenant.org}/{wb.tenant.project}/runs/{run['key']}"
    assert location(marker(out, "PROJECT_URL")) == f"/{wb.tenant.org}/{wb.tenant.project}"
