"""
Cost on the training thread of logging images: 1,000 images of 256x256x3 (float32 in [0, 1], as a model
emits them) logged one per step with `run.log({"samples": trackbase.Image(array)})`. Prints the time per
call on the training thread, and how long the background writer takes to encode and journal them all
(offline mode: uploading is the sender's work, off the training thread, and is not timed here).

By default the images are paced at BENCH_RATE_PER_MIN (1,000 a minute) with training work between them
(numpy matrix products on the training thread until the next image is due), so the writer competes with
a busy trainer as it would in a real loop; it also prints the deepest writer backlog seen. With
BENCH_RATE_PER_MIN=0 they are logged back to back.

    libs/sdk-python/.venv/bin/python tools/bench/python/media_bench.py
    BENCH_RATE_PER_MIN=0 libs/sdk-python/.venv/bin/python tools/bench/python/media_bench.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

import numpy as np
import trackbase

IMAGES = int(os.environ.get("BENCH_IMAGES", "1000"))
RATE_PER_MIN = float(os.environ.get("BENCH_RATE_PER_MIN", "1000"))


def train_until(deadline: float, weights: np.ndarray) -> int:
    """Stand-in for a training step: matrix products on this thread until `deadline`; returns how many."""
    done = 0
    while time.perf_counter() < deadline:
        weights = np.tanh(weights @ weights.T * 0.01)
        done += 1
    return done


def main() -> None:
    rng = np.random.default_rng(0)
    frames = [rng.random((256, 256, 3), dtype=np.float32) for _ in range(16)]
    with tempfile.TemporaryDirectory() as data_dir:
        run = trackbase.init(
            project="bench/media", mode="offline", dir=data_dir, context=False, save_code=False, capture_console=False,
            system_metrics_interval=0, say=lambda m: None,
        )  # fmt: skip
        costs = []
        backlog = 0
        train_steps = 0
        weights = rng.random((128, 128), dtype=np.float32)
        interval = 60.0 / RATE_PER_MIN if RATE_PER_MIN > 0 else 0.0
        engine = run._engine
        assert engine is not None
        started = time.perf_counter()
        for step in range(IMAGES):
            if interval:
                train_steps += train_until(started + step * interval, weights)
            t0 = time.perf_counter()
            run.log(
                {
                    "samples": trackbase.Image(frames[step % len(frames)]),
                    "loss": 1.0 / (step + 1),
                },
                step=step,
            )
            costs.append(time.perf_counter() - t0)
            backlog = max(backlog, len(engine.pending))
        logged = time.perf_counter() - started
        engine.writer_wake.set()
        while engine.pending:
            time.sleep(0.01)
        with engine.work_lock:
            pass
        journalled = time.perf_counter() - started
        run.finish()
    costs.sort()
    pace = f"paced at {RATE_PER_MIN:.0f}/min with training between" if interval else "back to back"
    print(f"images logged: {IMAGES} of 256x256x3 float32, {pace}")
    print(
        f"training thread per image: mean {statistics.mean(costs) * 1e6:.0f} us, median {costs[len(costs) // 2] * 1e6:.0f} us, p99 {costs[int(len(costs) * 0.99)] * 1e6:.0f} us"
    )
    print(f"training thread total: {logged:.2f} s for {IMAGES} images")
    print(f"writer backlog at most {backlog} records after a log call")
    if interval:
        print(f"training work between images: {train_steps} matrix products ({train_steps / logged:.0f}/s)")
    print(
        f"writer: all {IMAGES} encoded (PNG) and journalled {journalled:.2f} s after the first log ({IMAGES / journalled:.0f} images/s)"
    )


if __name__ == "__main__":
    main()
