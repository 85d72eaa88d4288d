"""
Tees stdout and stderr, line by line, into text series while still writing to the terminal. A line
redrawn with carriage returns (tqdm, rich progress bars) is recorded in its last state only.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable, List, Optional


def collapse(line: str) -> str:
    """The state a terminal shows for a line redrawn with `\\r`: the last non-empty segment."""
    if "\r" not in line:
        return line
    for segment in reversed(line.split("\r")):
        if segment:
            return segment
    return ""


class Tee:
    """Everything but `write` goes to the wrapped stream, so `isatty`, `fileno`, `encoding` still answer as before."""

    def __init__(self, stream: Any, name: str, on_line: Callable[[str, str], None]) -> None:
        self._stream = stream
        self._name = name
        self._on_line = on_line
        self._pending = ""
        self._lock = threading.Lock()
        self._inside = threading.local()

    def write(self, text: Any) -> int:
        written: int = self._stream.write(text)
        if getattr(self._inside, "busy", False):
            return written
        self._inside.busy = True
        try:
            chunk = text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")
            with self._lock:
                self._pending += chunk
                if "\n" not in self._pending:
                    # Keep only the last redraw of a line that is never ended (a progress bar in progress).
                    if len(self._pending) > 64 * 1024:
                        self._pending = collapse(self._pending)[-16 * 1024 :]
                    return written
                *lines, self._pending = self._pending.split("\n")
            for line in lines:
                self._on_line(self._name, collapse(line))
        except Exception:
            pass
        finally:
            self._inside.busy = False
        return written

    def writelines(self, lines: List[str]) -> None:
        for line in lines:
            self.write(line)

    def flush_pending(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, ""
        if pending and collapse(pending):
            self._on_line(self._name, collapse(pending))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def capture_console(log_text: Callable[[str, str], None]) -> Callable[[], None]:
    """Installs the tees; returns the function that restores the streams (when nobody replaced them meanwhile)."""
    out = Tee(sys.stdout, "stdout", log_text)
    err = Tee(sys.stderr, "stderr", log_text)
    original_out, original_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]

    def restore() -> None:
        for tee, original, attr in ((out, original_out, "stdout"), (err, original_err, "stderr")):
            tee.flush_pending()
            current: Optional[Any] = getattr(sys, attr)
            if current is tee:
                setattr(sys, attr, original)
            else:
                # Someone wrapped us: stop recording but leave their stream in place.
                tee._on_line = lambda _n, _l: None

    return restore
