"""Bounded concurrency with plain threads (ThreadPoolExecutor refuses work once the interpreter is exiting, when a run's last uploads may still run)."""

from __future__ import annotations

import threading
from typing import Callable, List, Optional, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_limit(fn: Callable[[T], R], items: Sequence[T], limit: int) -> List[R]:
    """fn over items, at most `limit` at once, results in order; the first error is raised once all have stopped."""
    if len(items) <= 1 or limit <= 1:
        return [fn(item) for item in items]
    results: List[Optional[R]] = [None] * len(items)
    errors: List[BaseException] = []
    next_index = [0]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if errors or next_index[0] >= len(items):
                    return
                i = next_index[0]
                next_index[0] += 1
            try:
                results[i] = fn(items[i])
            except BaseException as error:
                with lock:
                    errors.append(error)
                return

    threads = [threading.Thread(target=worker, name="trackbase-transfer", daemon=True) for _ in range(min(limit, len(items)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
