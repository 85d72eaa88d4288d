"""
On the way out: a normal exit finishes every open run, an uncaught exception marks them failed (with
the traceback), SIGINT (KeyboardInterrupt) and SIGTERM aborted; each finish is bounded in time and
prints what is left and how to send it. A forked child never finishes its parent's runs.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import traceback
from types import FrameType, TracebackType
from typing import Any, Optional, Tuple, Type

from ._run import live_runs

_installed = False
_failure: Optional[Tuple[str, str]] = None
_previous_excepthook = sys.excepthook
_previous_sigterm: Any = None


def _finish_all(state: str, tb: Optional[str] = None) -> None:
    for run in list(live_runs):
        if run._pid != os.getpid() or run.finished:
            continue
        try:
            run.finish(state, timeout=run.exit_timeout_s, traceback=tb)
        except Exception as error:  # exit must go on
            print(f"trackbase: could not finish {run!r}: {error}", file=sys.stderr)


def _excepthook(exc_type: Type[BaseException], exc: BaseException, tb: Optional[TracebackType]) -> None:
    global _failure
    state = "aborted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
    _failure = (state, "".join(traceback.format_exception(exc_type, exc, tb)))
    _previous_excepthook(exc_type, exc, tb)


def _at_exit() -> None:
    if _failure:
        _finish_all(*_failure)
    else:
        _finish_all("finished")


def _on_sigterm(signum: int, frame: Optional[FrameType]) -> None:
    _finish_all("aborted")
    # Exit as the signal would have: restore the previous disposition and deliver it again.
    signal.signal(signal.SIGTERM, _previous_sigterm if _previous_sigterm is not None else signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def install() -> None:
    """Once per process; SIGTERM only when nobody else handles it and we are on the main thread."""
    global _installed, _previous_excepthook, _previous_sigterm
    if _installed and _pid == os.getpid():
        return
    _mark_installed()
    _previous_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    atexit.register(_at_exit)
    if threading.current_thread() is threading.main_thread():
        current = signal.getsignal(signal.SIGTERM)
        if current in (signal.SIG_DFL, None):
            _previous_sigterm = current
            signal.signal(signal.SIGTERM, _on_sigterm)


_pid = 0


def _mark_installed() -> None:
    global _installed, _pid
    _installed = True
    _pid = os.getpid()


def _after_fork_in_child() -> None:
    # The parent's runs belong to the parent: the child neither sends nor finishes them.
    for run in list(live_runs):
        run._forked = True
        live_runs.discard(run)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
