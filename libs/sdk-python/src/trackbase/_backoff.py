"""Exponential backoff with full jitter and Retry-After, as `libs/sdk/src/client/backoff.ts`."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Callable, Optional


@dataclass(frozen=True)
class Backoff:
    initial_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0


DEFAULT_BACKOFF = Backoff()


def backoff_delay(attempt: int, options: Backoff = DEFAULT_BACKOFF, rand: Callable[[], float] = random.random) -> float:
    """A random wait up to the exponential ceiling, in seconds."""
    ceiling = min(options.max_s, options.initial_s * options.factor**attempt)
    return rand() * ceiling


def retry_after_seconds(header: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """`Retry-After` as seconds or an HTTP date; None when absent or unreadable."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
