"""
Python SDK benchmarks: what `run.log` costs the training thread (against `wandb.log` offline and
`mlflow.log_metrics`), committed points/s from one process, `import trackbase`, init to the first
acknowledged batch, and memory during a simulated outage. Prints its figures; asserts nothing.

    tools/python/venv.sh tools/bench/python/.venv-bench -e libs/sdk-python 'wandb' 'mlflow-skinny'
    npx nx run @trackbase/api:build
    tools/bench/python/.venv-bench/bin/python tools/bench/python/sdk_bench.py

BENCH_CALLS (default 200,000), BENCH_E2E_POINTS (3,000,000), BENCH_OUTAGE_SECONDS (60).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List

CALLS = int(os.environ.get("BENCH_CALLS", "200000"))
E2E_POINTS = int(os.environ.get("BENCH_E2E_POINTS", "3000000"))
OUTAGE_SECONDS = float(os.environ.get("BENCH_OUTAGE_SECONDS", "60"))
QUIET = dict(context=False, save_code=False, capture_console=False, system_metrics_interval=0, say=lambda m: None)


def values(n: int, step: int) -> Dict[str, float]:
    return {f"m{i}": step * 0.001 + i for i in range(n)}


def per_call_us(
    log: Callable[[Dict[str, float], int], Any], width: int, calls: int, idle: Callable[[], None] = lambda: None
) -> float:
    """
    Time on the calling thread per call, in bursts of 1,000 calls with a pause between them (as a
    training step does work between its logs); `idle` waits, untimed, for background work to catch up.
    """
    payloads = [values(width, s) for s in range(1000)]
    for s in range(1000):
        log(payloads[s], s)
    idle()
    spent = 0.0
    step = 1000
    for _ in range(max(1, calls // 1000)):
        started = time.perf_counter()
        for s in range(1000):
            log(payloads[s], step + s)
        spent += time.perf_counter() - started
        step += 1000
        idle()
    return spent / (step - 1000) * 1e6


def sustained_us(log: Callable[[Dict[str, float], int], Any], width: int, calls: int) -> float:
    """Back-to-back calls with no pause: bound by how fast the background work goes (log() waits when it falls behind)."""
    payloads = [values(width, s) for s in range(1000)]
    started = time.perf_counter()
    for s in range(calls):
        log(payloads[s % 1000], s)
    return (time.perf_counter() - started) / calls * 1e6


def import_time_ms() -> float:
    code = "import time; t = time.perf_counter(); import trackbase; print((time.perf_counter() - t) * 1000)"
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) for _ in range(10)
    ]
    return statistics.median(samples)


def trackbase_cost(url: str, key: str, project: str, width: int) -> tuple[float, float]:
    import trackbase

    with tempfile.TemporaryDirectory() as d:
        run = trackbase.init(project=project, url=url, api_key=key, dir=d, **QUIET)
        engine = run._engine
        assert engine is not None

        def idle() -> None:
            time.sleep(0.02)
            while engine.pending:
                time.sleep(0.005)

        cost = per_call_us(lambda v, s: run.log(v, step=s), width, CALLS, idle)
        run.finish(timeout=120)
        run = trackbase.init(project=project, url=url, api_key=key, dir=d, **QUIET)
        sustained = sustained_us(lambda v, s: run.log(v, step=s), width, CALLS)
        run.finish(timeout=120)
    return cost, sustained


def wandb_cost(width: int) -> float:
    import wandb

    with tempfile.TemporaryDirectory() as d:
        run = wandb.init(mode="offline", dir=d, project="bench", settings=wandb.Settings(console="off", _disable_stats=True))
        cost = per_call_us(lambda v, s: run.log(v, step=s), width, max(CALLS // 10, 5000), lambda: time.sleep(0.02))
        run.finish()
    return cost


def mlflow_cost(width: int, synchronous: bool) -> float:
    import mlflow

    with tempfile.TemporaryDirectory() as d:
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # the local file store: no database in the measured path
        mlflow.set_tracking_uri(f"file://{d}")
        mlflow.set_experiment("bench")
        with mlflow.start_run():
            cost = per_call_us(
                lambda v, s: mlflow.log_metrics(v, step=s, synchronous=synchronous), width, 2000, lambda: time.sleep(0.02)
            )
    return cost


def end_to_end(url: str, key: str, project: str) -> Dict[str, float]:
    import trackbase

    width = 10
    calls = E2E_POINTS // width
    payloads = [values(width, s) for s in range(1000)]
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        run = trackbase.init(project=project, url=url, api_key=key, dir=d, **QUIET)
        run.log({"first": 1.0}, step=0)
        run.flush()
        first_ack = time.perf_counter() - t0
        started = time.perf_counter()
        for s in range(calls):
            run.log(payloads[s % 1000], step=s)
        logged = time.perf_counter() - started
        assert run.finish(timeout=600)
        total = time.perf_counter() - started
    return {"init_to_first_ack_ms": first_ack * 1000, "points": calls * width, "log_s": logged, "total_s": total}


def rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def outage_memory() -> Dict[str, float]:
    """100,000 points/s (10,000 calls of 10 values) against an unreachable server; RSS sampled every second."""
    import trackbase

    with tempfile.TemporaryDirectory() as d:
        run = trackbase.init(project="bench/outage", url="http://127.0.0.1:9", api_key="tbk_unreachable", dir=d, **QUIET)
        payloads = [values(10, s) for s in range(1000)]
        baseline = rss()
        peak = baseline
        samples: List[int] = []
        started = time.perf_counter()
        step = 0
        next_sample = started + 1
        while time.perf_counter() - started < OUTAGE_SECONDS:
            target = int((time.perf_counter() - started) * 10_000)
            while step < target:
                run.log(payloads[step % 1000], step=step)
                step += 1
            now = time.perf_counter()
            if now >= next_sample:
                samples.append(rss())
                peak = max(peak, samples[-1])
                next_sample += 1
            time.sleep(0.002)
        journal = run.journal.size() if run.journal else 0
        run.finish(timeout=0)
    return {
        "seconds": OUTAGE_SECONDS,
        "points": step * 10,
        "baseline_mb": baseline / 1e6,
        "peak_above_mb": (peak - baseline) / 1e6,
        "last_above_mb": (samples[-1] - baseline) / 1e6 if samples else 0,
        "journal_mb": journal / 1e6,
    }


def main() -> None:
    from trackbase_testing import ServerProcess, new_tenant

    print(f"import trackbase: {import_time_ms():.1f} ms (median of 10 fresh interpreters)")
    server = ServerProcess().start()
    try:
        tenant = new_tenant(server.url)
        for width in (1, 10):
            ours, sustained = trackbase_cost(server.url, tenant.key, tenant.ref, width)
            print(
                f"run.log with {width:>2} value(s): trackbase {ours:.2f} us/call in bursts of 1,000 (async, server up); "
                f"{sustained:.2f} us/call back to back (bound by the writer and sender sharing the GIL)"
            )
            try:
                w = wandb_cost(width)
                print(f"                      wandb.log offline {w:.2f} us/call ({w / ours:.0f}x trackbase)")
            except Exception as error:  # a peer that is not installed is reported, not fatal
                print(f"                      wandb: {error!r}")
            try:
                m_sync = mlflow_cost(width, True)
                m_async = mlflow_cost(width, False)
                print(
                    f"                      mlflow.log_metrics {m_sync:.1f} us/call synchronous ({m_sync / ours:.0f}x), "
                    f"{m_async:.1f} us/call asynchronous ({m_async / ours:.0f}x)"
                )
            except Exception as error:
                print(f"                      mlflow: {error!r}")
        e2e = end_to_end(server.url, tenant.key, tenant.ref)
        print(f"init to first acknowledged batch: {e2e['init_to_first_ack_ms']:.0f} ms")
        print(
            f"end to end: {e2e['points']:,} points committed in {e2e['total_s']:.1f} s = {e2e['points'] / e2e['total_s']:,.0f} points/s "
            f"(logging loop alone {e2e['log_s']:.1f} s = {e2e['points'] / e2e['log_s']:,.0f} points/s)"
        )
    finally:
        server.close()
    out = outage_memory()
    print(
        f"outage: {out['points']:,.0f} points in {out['seconds']:.0f} s against an unreachable server: RSS baseline {out['baseline_mb']:.0f} MB, "
        f"peak +{out['peak_above_mb']:.1f} MB, at the end +{out['last_above_mb']:.1f} MB; journal {out['journal_mb']:.0f} MB on disk"
    )


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
