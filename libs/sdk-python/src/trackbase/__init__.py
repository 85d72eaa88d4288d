"""
Trackbase: experiment tracking.

    import trackbase

    with trackbase.init(project="my-org/my-project", config={"lr": 3e-4}) as run:
        for step in range(100):
            run.log({"train/loss": loss}, step=step)

`import trackbase` stays cheap: requests, psutil and everything heavy load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from ._errors import TrackbaseApiError, TrackbaseError, TrackbaseOfflineError, TrackbaseUnavailableError

if TYPE_CHECKING:
    from pathlib import Path

    from . import plot
    from ._media import Audio, Figure, Histogram, Html, Image, Markdown, Video
    from ._run import Run
    from ._table import Table

__version__ = "0.1.0"
__all__ = [
    "Audio",
    "Figure",
    "Histogram",
    "Html",
    "Image",
    "Markdown",
    "Run",
    "Video",
    "Table",
    "TrackbaseApiError",
    "TrackbaseError",
    "TrackbaseOfflineError",
    "TrackbaseUnavailableError",
    "finish",
    "init",
    "log",
    "plot",
    "run",
    "use_artifact",
]


def init(*args: Any, **kwargs: Any) -> Run:
    """Starts or joins a run; see `trackbase._init.init` for every option."""
    from ._init import init as _init

    return _init(*args, **kwargs)


def _current() -> Optional[Run]:
    import sys

    module = sys.modules.get("trackbase._init")
    return getattr(module, "current", None) if module else None


def log(data: Dict[str, Any], step: Optional[int] = None, commit: bool = True) -> None:
    """Logs to the run of the last `init()`."""
    current = _current()
    if current is None:
        raise TrackbaseError("trackbase.log() before trackbase.init()")
    current.log(data, step=step, commit=commit)


def finish(state: str = "finished", timeout: Optional[float] = None) -> bool:
    """Finishes the run of the last `init()`."""
    current = _current()
    return True if current is None else current.finish(state, timeout=timeout)


def use_artifact(
    ref: str, project: Optional[str] = None, root: Optional[str] = None, url: Optional[str] = None, api_key: Optional[str] = None
) -> Path:
    """
    Downloads an artifact version (`"name:alias"`, `"org/project/name:v3"`) into the verified cache and
    returns its directory; inside a run, the run is recorded as its consumer.
    """
    current = _current()
    if current is not None and not current.finished and url is None and api_key is None:
        return current.use_artifact(ref, root=root)
    from ._artifacts import use_artifact as _use

    return _use(ref, project=project, root=root, url=url, api_key=api_key)


_MEDIA = ("Audio", "Figure", "Histogram", "Html", "Image", "Markdown", "Video")


def __getattr__(name: str) -> Any:
    if name == "run":
        return _current()
    if name == "Run":
        from ._run import Run

        return Run
    if name in _MEDIA:
        from . import _media

        return getattr(_media, name)
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    if name == "Table":
        from ._table import Table

        return Table
    if name in ("config", "summary"):
        current = _current()
        if current is None:
            raise AttributeError(f"trackbase.{name} exists once trackbase.init() has started a run")
        return getattr(current, name)
    raise AttributeError(f"module 'trackbase' has no attribute {name!r}")
