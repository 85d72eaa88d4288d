"""Errors as the TypeScript SDK names them; retry rules shared with it (see the shared test vectors)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class TrackbaseError(Exception):
    """Base of every error the SDK raises."""


class TrackbaseApiError(TrackbaseError):
    """An answer from the server that retrying will not change (a 4xx other than 408 and 429)."""

    def __init__(self, status: int, code: str, message: str, details: Optional[List[Dict[str, Any]]] = None) -> None:
        self.status = status
        self.code = code
        self.details: List[Dict[str, Any]] = list(details or [])
        text = f"{message} ({status} {code})"
        if self.details:
            text += ": " + "; ".join(
                f"{d['path']}: {d.get('message', '')}" if d.get("path") else str(d.get("message", "")) for d in self.details
            )
        super().__init__(text)


class TrackbaseUnavailableError(TrackbaseError):
    """The server could not be reached or kept failing; what was logged stays on disk."""

    def __init__(self, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(message)
        #: Seconds the server asked to wait (Retry-After of the last answer), if it said.
        self.retry_after = retry_after


class TrackbaseOfflineError(TrackbaseError):
    """Something that needs the server was asked of a run in offline mode."""


def is_retryable_status(status: int) -> bool:
    """408, 429 and 5xx are worth retrying; 409 answers lasting conflicts (a slug taken) on ordinary calls."""
    return status in (408, 429) or status >= 500


def is_retryable_batch_status(status: int) -> bool:
    """A batch is also retried on 409: a conflict on (stream, seq) resolves once the other attempt commits."""
    return is_retryable_status(status) or status == 409
