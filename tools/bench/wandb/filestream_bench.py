"""W&B ingestion through Trackbase's file_stream endpoint.

  1. points/s committed from `wandb.log` (the real client, this venv's version) until Trackbase
     has every point, end to end;
  2. server time per file_stream request: POSTs of W&B-shaped bodies (history lines at increasing
     offsets) on loopback, timed one after another (the client sends one at a time per run).

Run with the compat venv (made by `npx nx run wandb-compat:pytest`) and a built API:
  TRACKBASE_REPO_ROOT=$PWD apps/wandb-compat/.venv-new/bin/python tools/bench/wandb/filestream_bench.py
Environment: BENCH_STEPS (default 20000), BENCH_METRICS (10), BENCH_REQUESTS (200), BENCH_LINES (100).
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from trackbase_testing import ServerProcess, new_tenant

STEPS = int(os.environ.get("BENCH_STEPS", "20000"))
METRICS = int(os.environ.get("BENCH_METRICS", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
LINES = int(os.environ.get("BENCH_LINES", "100"))


def client_throughput(server: ServerProcess) -> None:
    tenant = new_tenant(server.url)
    work = tempfile.mkdtemp(prefix="wandb-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        WANDB_BASE_URL=f"{server.url}/wandb",
        WANDB_API_KEY=tenant.key,
        WANDB_ENTITY=tenant.org,
        WANDB_PROJECT=tenant.project,
        WANDB_DIR=work,
        WANDB_CACHE_DIR=f"{work}/cache",
        WANDB_CONFIG_DIR=f"{work}/config",
        WANDB_DATA_DIR=f"{work}/data",
        WANDB_SILENT="true",
        WANDB_ERROR_REPORTING="false",
    )
    script = f"""
import time, wandb
run = wandb.init(id="benchrun")
start = time.monotonic()
for step in range({STEPS}):
    run.log({{f"m{{i}}": step * 0.001 + i for i in range({METRICS})}})
logged = time.monotonic() - start
run.finish()
print(f"LOGGED={{logged}}")
print(f"FINISHED={{time.monotonic() - start}}")
"""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=work, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    total = time.monotonic() - started
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    api = tenant.owner.api
    run = api.get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs")["items"][0]
    series = api.get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{run['id']}/series?kind=metric&maxPoints=2")
    committed = sum(s["totalPoints"] for s in series)
    points = STEPS * METRICS
    print(f"client: {STEPS} steps x {METRICS} metrics = {points} points; committed {committed}")
    print(f"  wandb.log loop {float(values['LOGGED']):.2f} s; init..finish {float(values['FINISHED']):.2f} s; process total {total:.2f} s")
    print(f"  points/s committed (from the first log to finish returning): {points / float(values['FINISHED']):,.0f}")


def request_cost(server: ServerProcess) -> None:
    tenant = new_tenant(server.url)
    auth = "Basic " + base64.b64encode(f"api:{tenant.key}".encode()).decode()

    def post(path: str, body: object) -> object:
        request = urllib.request.Request(
            f"{server.url}/wandb{path}", data=json.dumps(body).encode(), headers={"content-type": "application/json", "authorization": auth}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    upsert = "mutation U($name: String, $project: String, $entity: String) { upsertBucket(input: {name: $name, modelName: $project, entityName: $entity}) { bucket { id } } }"
    post("/graphql", {"query": upsert, "variables": {"name": "reqbench", "project": tenant.project, "entity": tenant.org}})
    path = f"/files/{tenant.org}/{tenant.project}/reqbench/file_stream"

    def body(offset: int) -> object:
        lines = [
            json.dumps({**{f"m{i}": (offset + j) * 0.001 + i for i in range(METRICS)}, "_step": offset + j, "_runtime": 1.0, "_timestamp": time.time()})
            for j in range(LINES)
        ]
        return {"files": {"wandb-history.jsonl": {"offset": offset, "content": lines}}}

    for kind, make in (("heartbeat {}", lambda i: {}), (f"history {LINES} lines x {METRICS} metrics", lambda i: body(i * LINES))):
        timings = []
        for i in range(REQUESTS):
            payload = make(i)
            t0 = time.perf_counter()
            post(path, payload)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"file_stream {kind}: {REQUESTS} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def main() -> None:
    server = ServerProcess().start()
    try:
        request_cost(server)
        client_throughput(server)
    finally:
        server.close()


if __name__ == "__main__":
    main()
