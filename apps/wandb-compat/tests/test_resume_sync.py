"""A crashed run resumed with resume="allow", an offline run uploaded with `wandb sync`, a run stopped from Trackbase."""

from __future__ import annotations

import time

import wandb

from conftest import WandbEnv, marker

OLD_CLIENT = tuple(int(p) for p in wandb.__version__.split(".")[:2]) < (0, 23)


def test_a_crashed_run_resumes_where_it_stopped(wb: WandbEnv) -> None:
    import signal
    import subprocess
    import sys
    import textwrap

    crashing = textwrap.dedent(
        """
        import time, wandb
        run = wandb.init(id="crash001", config={"lr": 0.1})
        for step in range(5):
            run.log({"loss": float(step)})
        print("before the crash", flush=True)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", crashing], env=wb.env(), cwd=wb.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Wait until the client has streamed what it logged, then kill it as a dying machine would.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            runs = [r for r in wb.runs() if r["externalId"] == "crash001"]
            if runs and len(wb.series(runs[0]["id"]).get("loss", {}).get("steps", [])) == 5:
                stdout = wb.series(runs[0]["id"], kind="text").get("stdout", {}).get("lines", [])
                if "before the crash" in stdout:
                    break
            time.sleep(1)
        else:
            raise AssertionError("the client never streamed its history")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert wb.run("crash001")["state"] == "running"  # nobody said it ended

    resumed = wb.python(
        """
        import wandb
        run = wandb.init(id="crash001", resume="allow")
        print(f"RESUMED={run.resumed}")
        for step in range(5):
            run.log({"loss": 10.0 + step})
        print("after the resume")
        run.finish()
        """
    ).stdout
    assert marker(resumed, "RESUMED") == "True"

    runs = [r for r in wb.runs() if r["externalId"] == "crash001"]
    assert len(runs) == 1
    run = wb.run("crash001")
    assert run["state"] == "finished"
    assert run["params"]["lr"] == 0.1
    loss = wb.series(run["id"])["loss"]
    # One point per step: the resumed client continued at step 5 and line 5 (from RunResumeStatus).
    assert loss["steps"] == list(range(10))
    assert loss["values"] == [0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 11.0, 12.0, 13.0, 14.0]
    stdout = wb.series(run["id"], kind="text")["stdout"]
    assert stdout["steps"] == sorted(set(stdout["steps"]))
    kept = [line for line in stdout["lines"] if "the crash" in line or "the resume" in line]
    if OLD_CLIENT:
        # Observed with wandb 0.22, cause not established: the resumed session's first console line
        # lands on the crashed session's last one and replaces it (docs/wandb.md). 0.31 continues after it.
        assert kept[-1] == "after the resume"
    else:
        assert kept == ["before the crash", "after the resume"]


def test_resume_must_fails_for_a_run_that_does_not_exist(wb: WandbEnv) -> None:
    result = wb.python(
        """
        import wandb
        wandb.init(id="nosuch01", resume="must")
        """,
        check=False,
    )
    assert result.returncode != 0
    assert not [r for r in wb.runs() if r["externalId"] == "nosuch01"]


def test_an_offline_run_uploads_with_wandb_sync(wb: WandbEnv) -> None:
    out = wb.python(
        """
        import wandb
        run = wandb.init(mode="offline", config={"epochs": 3})
        for step in range(7):
            run.log({"acc": step / 10})
        run.summary["final"] = "done"
        print(f"RUN_ID={run.id}")
        print(f"RUN_DIR={run.dir}")
        run.finish()
        """
    ).stdout
    run_id = marker(out, "RUN_ID")
    assert not [r for r in wb.runs() if r["externalId"] == run_id]
    run_dir = marker(out, "RUN_DIR").rsplit("/files", 1)[0]
    wb.cli("sync", run_dir)

    run = wb.run(run_id)
    assert run["state"] == "finished"
    assert run["params"]["epochs"] == 3
    assert wb.series(run["id"])["acc"]["steps"] == list(range(7))
    assert run["context"]["summary"]["final"] == "done"
    # Syncing again changes nothing.
    wb.cli("sync", "--include-synced", run_dir)
    assert wb.series(wb.run(run_id)["id"])["acc"]["steps"] == list(range(7))


def test_a_run_stopped_in_trackbase_stops_the_client(wb: WandbEnv) -> None:
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import time, wandb
        run = wandb.init(id="stopme01")
        print("STARTED", flush=True)
        for step in range(600):
            run.log({"x": step})
            time.sleep(0.1)
        print("NOT_STOPPED", flush=True)
        run.finish()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=wb.env(), cwd=wb.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "STARTED"
        run = wb.run("stopme01")
        wb.tenant.owner.api.patch(wb.run_path(run["id"]), {"state": "aborted"})
        started = time.monotonic()
        out, _ = proc.communicate(timeout=120)
        assert "NOT_STOPPED" not in out
        assert time.monotonic() - started < 100  # the client checks every 15 s
    finally:
        proc.kill()
    assert wb.run("stopme01")["state"] == "aborted"
