"""Exit handling, a SIGKILLed training process completed by `trackbase sync`, and exactly-once across a server SIGKILL."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from processes import env_for, popen, python_cli, run_python, script
from trackbase_testing import Tenant

import trackbase

from helpers import run_detail, series


def key_of(output: str) -> str:
    return next(line.split("=", 1)[1] for line in output.splitlines() if line.startswith("KEY="))


def test_a_normal_exit_finishes_the_run(tenant: Tenant, tmp_path: Path) -> None:
    done = run_python(script(tmp_path, 'run = start()\nrun.log({"x": 1})\nprint("KEY=" + run.key)\n'), env_for(tmp_path, tenant))
    assert done.returncode == 0, done.stderr
    key = key_of(done.stdout)
    assert run_detail(tenant, key)["state"] == "finished"
    assert series(tenant, key, "x")["values"] == [1]


def test_an_uncaught_exception_marks_the_run_failed_with_its_traceback(tenant: Tenant, tmp_path: Path) -> None:
    body = 'run = start()\nprint("KEY=" + run.key, flush=True)\nrun.log({"x": 1})\nraise RuntimeError("diverged")\n'
    done = run_python(script(tmp_path, body), env_for(tmp_path, tenant))
    assert done.returncode == 1 and "diverged" in done.stderr
    key = key_of(done.stdout)
    assert run_detail(tenant, key)["state"] == "failed"
    assert any("RuntimeError: diverged" in line for line in series(tenant, key, "traceback", kind="text")["lines"])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_mark_the_run_aborted(tenant: Tenant, tmp_path: Path, sig: int) -> None:
    body = 'run = start()\nrun.log({"x": 1})\nprint("KEY=" + run.key, flush=True)\nwhile True:\n    time.sleep(0.05)\n'
    child = popen(script(tmp_path, body), env_for(tmp_path, tenant))
    assert child.stdout is not None
    key = child.stdout.readline().strip().split("=", 1)[1]
    child.send_signal(sig)
    code = child.wait(60)
    assert code == -sig
    assert run_detail(tenant, key)["state"] == "aborted"
    assert series(tenant, key, "x")["values"] == [1]


def test_exit_is_bounded_when_the_server_is_gone_and_says_how_to_send_the_rest(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    run = start(url="http://127.0.0.1:1", exit_timeout=1)
    for step in range(100):
        run.log({"x": step}, step=step)
    """
    started = time.monotonic()
    done = run_python(script(tmp_path, body), env_for(tmp_path, tenant), timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 0
    assert "trackbase sync" in done.stderr and "not delivered" in done.stderr
    synced = python_cli(env_for(tmp_path, tenant), "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    import json

    (result,) = json.loads(synced.stdout)["runs"]
    assert result["finished"] == "finished" and result["removed"] is True
    assert series(tenant, result["runKey"], "x")["steps"] == list(range(100))


def test_a_training_process_killed_with_sigkill_loses_nothing_sync_completes_it(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    run = start(flush_interval=3600)
    for step in range(2000):
        run.log({"loss": step}, step=step)
    time.sleep(0.5)  # the writer journals within 50 ms; nothing is sent before the hour is up
    print("KEY=" + run.key, flush=True)
    while True:
        time.sleep(1)
    """
    child = popen(script(tmp_path, body), env_for(tmp_path, tenant))
    assert child.stdout is not None
    key = child.stdout.readline().strip().split("=", 1)[1]
    child.kill()
    child.wait(30)
    assert run_detail(tenant, key)["series"] == []
    synced = python_cli(env_for(tmp_path, tenant), "sync")
    assert synced.returncode == 0, synced.stderr
    assert "Synced 1 of 1 runs" in synced.stdout
    assert series(tenant, key, "loss")["steps"] == list(range(2000))


def test_exactly_once_across_a_server_sigkill_and_restart(tenant: Tenant, trackbase_server: Any) -> None:
    run = trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        flush_interval=0.02,
        memory_limit_points=200,
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
        say=lambda m: None,
    )
    stop = threading.Event()
    logged = []

    def train() -> None:
        step = 0
        while not stop.is_set():
            run.log({"v": step}, step=step)
            logged.append(step)
            step += 1
            time.sleep(0.0005)

    trainer = threading.Thread(target=train)
    trainer.start()
    time.sleep(1.0)
    trackbase_server.kill()  # SIGKILL: batches in flight may be committed without their acknowledgement
    time.sleep(1.0)
    trackbase_server.start()
    time.sleep(1.0)
    stop.set()
    trainer.join()
    assert run.finish(timeout=60) is True
    got = series(tenant, run.key, "v")
    assert got["steps"] == logged
    assert got["totalPoints"] == len(logged)
