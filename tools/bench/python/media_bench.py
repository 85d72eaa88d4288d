"""
Cost on the training thread of logging images: 1,000 images of 256x256x3 (float32 in [0, 1], as a model
emits them) logged one per step with `run.log({"samples": trackbase.Image(array)})`. Prints the time per
call on the training thread, and how long the background writer takes to encode and journal them all
(offline mode: uploading is the sender's work, off the training thread, and is not timed here).

    libs/sdk-python/.venv/bin/python tools/bench/python/media_bench.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

import numpy as np
import trackbase

IMAGES = int(os.environ.get("BENCH_IMAGES", "1000"))


def main() -> None:
    rng = np.random.default_rng(0)
    frames = [rng.random((256, 256, 3), dtype=np.float32) for _ in range(16)]
    with tempfile.TemporaryDirectory() as data_dir:
        run = trackbase.init(
            project="bench/media", mode="offline", dir=data_dir, context=False, save_code=False, capture_console=False,
            system_metrics_interval=0, say=lambda m: None,
        )  # fmt: skip
        costs = []
        started = time.perf_counter()
        for step in range(IMAGES):
            t0 = time.perf_counter()
            run.log(
                {
                    "samples": trackbase.Image(frames[step % len(frames)]),
                    "loss": 1.0 / (step + 1),
                },
                step=step,
            )
            costs.append(time.perf_counter() - t0)
        logged = time.perf_counter() - started
        engine = run._engine
        assert engine is not None
        engine.writer_wake.set()
        while engine.pending:
            time.sleep(0.01)
        with engine.work_lock:
            pass
        journalled = time.perf_counter() - started
        run.finish()
    costs.sort()
    print(f"images logged: {IMAGES} of 256x256x3 float32")
    print(
        f"training thread per image: mean {statistics.mean(costs) * 1e6:.0f} us, median {costs[len(costs) // 2] * 1e6:.0f} us, p99 {costs[int(len(costs) * 0.99)] * 1e6:.0f} us"
    )
    print(f"training thread total: {logged:.2f} s for {IMAGES} images")
    print(
        f"writer: all {IMAGES} encoded (PNG) and journalled {journalled:.2f} s after the first log ({IMAGES / journalled:.0f} images/s)"
    )


if __name__ == "__main__":
    main()
