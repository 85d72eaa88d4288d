"""
The same MLflow client workload against Trackbase and against MLflow's own server, both on the machine's PostgreSQL.

  tools/python/venv.sh tools/bench/mlflow/.venv -r tools/bench/mlflow/requirements.txt
  npx nx run @trackbase/api:build
  tools/bench/mlflow/.venv/bin/python tools/bench/mlflow/bench.py [--runs 10000] [--history 100000]

Prints, for each server: log_batch points/s (8 processes, 1,000 metrics a request), fluent log_metric calls/s,
search_runs over N runs (filter on a param, order by a metric), get_metric_history of M points; then the ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time
import uuid

ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def create_db(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{ADMIN}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    return name


def drop_db(name: str) -> None:
    subprocess.run(["psql", f"{ADMIN}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def wait_http(url: str, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def _batch_worker(args):  # one process: its own run, `requests` batches of 1,000 metrics
    uri, token, experiment_id, requests = args
    if token:
        os.environ["MLFLOW_TRACKING_TOKEN"] = token
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    client = MlflowClient(uri)
    run = client.create_run(experiment_id)
    now = int(time.time() * 1000)
    start = time.perf_counter()
    for r in range(requests):
        client.log_batch(run.info.run_id, metrics=[Metric(f"m{i % 10}", float(i), now, r * 100 + i // 10) for i in range(1000)])
    return time.perf_counter() - start


def _runs_worker(args):  # creates runs with a param and a metric, for the search
    uri, token, experiment_id, count, offset = args
    if token:
        os.environ["MLFLOW_TRACKING_TOKEN"] = token
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(uri)
    for i in range(offset, offset + count):
        run = client.create_run(experiment_id)
        client.log_batch(run.info.run_id, metrics=[Metric("acc", (i * 7919 % 10007) / 10007, 0, 0)], params=[Param("lr", "0.01" if i % 10 == 0 else "0.1")])


def workload(name: str, uri: str, token: str | None, runs: int, history: int) -> dict:
    if token:
        os.environ["MLFLOW_TRACKING_TOKEN"] = token
    import mlflow
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    client = MlflowClient(uri)
    print(f"\n{name}", flush=True)

    class Figures(dict):  # prints each figure as soon as it is measured
        def __setitem__(self, k, v):
            super().__setitem__(k, v)
            print(f"  {k:40s} {v:12.1f}", flush=True)

    out = Figures()
    exp = client.create_experiment(f"bench-{uuid.uuid4().hex[:6]}")
    requests = 10
    with mp.get_context("spawn").Pool(8) as pool:
        # Each process times its own requests (after importing mlflow); all eight run at once.
        elapsed = pool.map(_batch_worker, [(uri, token, exp, requests)] * 8)
        out["log_batch points/s"] = 8 * requests * 1000 / max(elapsed)

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment_id=exp)
    with mlflow.start_run():
        start = time.perf_counter()
        for step in range(300):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        out["fluent log_metric calls/s"] = 300 / (time.perf_counter() - start)

    search_exp = client.create_experiment(f"search-{uuid.uuid4().hex[:6]}")
    per = runs // 8
    with mp.get_context("spawn").Pool(8) as pool:
        start = time.perf_counter()
        pool.map(_runs_worker, [(uri, token, search_exp, per, k * per) for k in range(8)])
        out[f"create {per * 8} runs (s)"] = time.perf_counter() - start
    times = []
    for _ in range(3):
        start = time.perf_counter()
        found = client.search_runs([search_exp], "params.lr = '0.01'", order_by=["metrics.acc DESC"], max_results=100)
        times.append(time.perf_counter() - start)
    assert len(found) == min(100, per * 8 // 10), len(found)
    out[f"search_runs {per * 8} runs (ms)"] = min(times) * 1000

    run = client.create_run(exp)
    now = int(time.time() * 1000)
    for b in range(history // 1000):
        client.log_batch(run.info.run_id, metrics=[Metric("h", float(i), now, b * 1000 + i) for i in range(1000)])
    times = []
    for _ in range(3):
        start = time.perf_counter()
        points = client.get_metric_history(run.info.run_id, "h")
        times.append(time.perf_counter() - start)
    assert len(points) == history, len(points)
    out[f"get_metric_history {history} points (ms)"] = min(times) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=100_000)
    a = parser.parse_args()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
    sys.path.insert(0, os.path.join(root, "tools/python/trackbase-testing/src"))
    from trackbase_testing.server import free_port
    from trackbase_testing.tenants import new_tenant

    tb_db, ml_db = create_db("trackbase_bench"), create_db("mlflow_bench")
    procs = []
    try:
        port = free_port()
        env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATABASE_URL": f"{ADMIN}/{tb_db}", "LOG_LEVEL": "warn",
               "JWT_SECRET": "bench-secret-that-is-long-enough-for-hs256-signing", "AUTH_RATE_LIMIT_PER_MINUTE": "100000",
               "TRACKBASE_DATA_DIR": f"/tmp/{tb_db}"}
        procs.append(subprocess.Popen(["node", "apps/api/dist/apps/api/src/main.js"], cwd=root, env=env, stdout=subprocess.DEVNULL))
        tb_url = f"http://127.0.0.1:{port}"
        wait_http(f"{tb_url}/readyz")
        tenant = new_tenant(tb_url)
        mport = free_port()
        procs.append(subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "mlflow"), "server", "--backend-store-uri", f"{ADMIN.replace('postgresql://', 'postgresql+psycopg2://')}/{ml_db}",
             "--host", "127.0.0.1", "--port", str(mport), "--workers", "4"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}))
        ml_url = f"http://127.0.0.1:{mport}"
        wait_http(f"{ml_url}/health")
        os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
        os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
        tb = workload("Trackbase", f"{tb_url}/mlflow/{tenant.org}", tenant.key, a.runs, a.history)
        os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
        ml = workload("mlflow server (PyPI)", ml_url, None, a.runs, a.history)
        print("\nTrackbase / MLflow (higher is better for rates; MLflow time / Trackbase time for latencies)")
        for k in tb:
            ratio = tb[k] / ml[k] if "/s" in k else ml[k] / tb[k]
            print(f"  {k:40s} {ratio:8.1f}x")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        time.sleep(1)
        drop_db(tb_db)
        drop_db(ml_db)


if __name__ == "__main__":
    main()
