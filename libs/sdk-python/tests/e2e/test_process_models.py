"""fork (DataLoader workers, multiprocessing), spawn, and torchrun ranks joining one run."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest
from processes import env_for, run_python, script
from trackbase_testing import Tenant

from conftest import PYTHON
from helpers import run_detail, runs, series


def key_of(output: str) -> str:
    return next(line.split("=", 1)[1] for line in output.splitlines() if line.startswith("KEY="))


def test_a_forked_child_neither_duplicates_data_nor_hangs_nor_finishes_the_parents_run(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    import multiprocessing as mp
    run = start()
    run.log({"x": 0}, step=0)
    forked_at = time.monotonic()
    pid = os.fork()
    if pid == 0:
        run.log({"x": 999}, step=999)      # the child shares nothing with the run
        trackbase.log({"child": 1})
        sys.exit(0)                         # its exit handlers must not finish the parent's run
    _, status = os.waitpid(pid, 0)
    assert status == 0, status
    assert time.monotonic() - forked_at < 5, "the child hung on its way out"
    with mp.get_context("fork").Pool(2) as pool:   # what DataLoader workers do
        assert pool.map(abs, range(-3, 3)) == [3, 2, 1, 0, 1, 2]
    assert run_state() == "running"
    run.log({"x": 1}, step=1)
    print("KEY=" + run.key, flush=True)
    """
    prelude = """
    import json, urllib.request
    def run_state():
        trackbase.run.flush(timeout=20)
        req = urllib.request.Request(os.environ["TRACKBASE_URL"] + "/api/v1/orgs/%s/projects/%s/runs/%s" % (
            trackbase.run.meta["org"], trackbase.run.meta["project"], trackbase.run.id),
            headers={"authorization": "Bearer " + os.environ["TRACKBASE_API_KEY"]})
        return json.load(urllib.request.urlopen(req))["state"]
    """
    done = run_python(script(tmp_path, prelude + body), env_for(tmp_path, tenant), timeout=60)
    assert done.returncode == 0, done.stderr
    key = key_of(done.stdout)
    detail = run_detail(tenant, key)
    assert detail["state"] == "finished"
    assert [s["name"] for s in detail["series"]] == ["x"]
    assert series(tenant, key, "x")["steps"] == [0, 1]


def test_spawned_workers_join_the_run_by_external_id(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    import multiprocessing as mp

    def worker(external_id, index):
        r = start(external_id=external_id, log_all_ranks=True)
        r.log({f"worker{index}": index}, step=0)
        r.finish()

    if __name__ == "__main__":
        run = start(external_id="spawned-job-1")
        ctx = mp.get_context("spawn")
        procs = [ctx.Process(target=worker, args=("spawned-job-1", i)) for i in range(2)]
        for p in procs: p.start()
        for p in procs: p.join(60); assert p.exitcode == 0, p.exitcode
        run.log({"main": 1}, step=0)
        print("KEY=" + run.key, flush=True)
    """
    done = run_python(script(tmp_path, body), env_for(tmp_path, tenant), timeout=120)
    assert done.returncode == 0, done.stderr
    key = key_of(done.stdout)
    assert len(runs(tenant)) == 1
    assert sorted(s["name"] for s in run_detail(tenant, key)["series"]) == ["main", "worker0", "worker1"]


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="torch==2.13.0 is installed with the test extras on Python 3.11"
)
def test_torchrun_ranks_join_one_run_metrics_from_rank_zero_system_metrics_from_every_rank(
    tenant: Tenant, tmp_path: Path
) -> None:
    body = """
    import socket
    import torch
    import torch.distributed as dist
    dist.init_process_group("gloo")
    run = start(system_metrics_interval=0.2)
    total = torch.tensor(float(dist.get_rank() + 1))
    dist.all_reduce(total)
    run.log({"loss": total}, step=0)         # a 0-d tensor; rank 0's is kept
    time.sleep(0.8)
    dist.barrier()
    if dist.get_rank() == 0:
        print("KEY=" + run.key, flush=True)
        print("HOST=" + socket.gethostname(), flush=True)
    run.finish()
    dist.destroy_process_group()
    """
    path = script(tmp_path, body, "train.py")
    env = env_for(tmp_path, tenant, GLOO_SOCKET_IFNAME="lo", OMP_NUM_THREADS="1")
    done = subprocess.run(
        [PYTHON, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    key = key_of(done.stdout)
    host = next(line.split("=", 1)[1] for line in done.stdout.splitlines() if line.startswith("HOST="))
    assert len(runs(tenant)) == 1
    detail = run_detail(tenant, key)
    assert detail["externalId"].startswith("torchrun-")
    assert series(tenant, key, "loss")["values"] == [3]
    system = {s["name"] for s in detail["series"] if s["kind"] == "system"}
    assert f"{host}/rank0/cpu.utilization_percent" in system
    assert f"{host}/rank1/cpu.utilization_percent" in system
    assert detail["state"] == "finished"
