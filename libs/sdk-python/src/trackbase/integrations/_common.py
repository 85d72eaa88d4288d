"""
What every integration shares: which run it logs to (one it was given, the current one, or one it
starts and therefore finishes), and a guard that keeps a tracking failure out of the training loop.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, TypeVar

if TYPE_CHECKING:
    from .._run import Run

F = TypeVar("F", bound=Callable[..., Any])


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class RunHolder:
    """
    The run an integration logs to. `run=` wins; else, with no `init` options, the run of the last
    `trackbase.init()` that is still open; else a run started on first use with `init_kwargs`, which the
    integration then owns and finishes.
    """

    def __init__(self, what: str, run: Optional[Run] = None, init_kwargs: Optional[Dict[str, Any]] = None) -> None:
        self.what = what
        self._run = run
        self._init_kwargs = dict(init_kwargs or {})
        self.owned = False
        self._failures = 0
        self._start_error: Optional[Exception] = None

    @property
    def started(self) -> bool:
        return self._run is not None

    def peek(self) -> Optional[Run]:
        return self._run

    def get(self, **defaults: Any) -> Run:
        """The run, started with `defaults` under the user's own `init` options when there is none yet."""
        if self._run is not None:
            return self._run
        import trackbase

        current = trackbase._current()
        if not self._init_kwargs and current is not None and not current.finished:
            self._run = current
            return current
        options = {**defaults, **self._init_kwargs}
        if defaults.get("config") and self._init_kwargs.get("config"):
            options["config"] = {**defaults["config"], **self._init_kwargs["config"]}
        if defaults.get("tags") and self._init_kwargs.get("tags"):
            options["tags"] = [*defaults["tags"], *self._init_kwargs["tags"]]
        if self._start_error is not None:
            # A run that could not start (a wrong key or project) is not asked for again at every step.
            raise self._start_error
        try:
            self._run = trackbase.init(**options)
        except Exception as error:
            self._start_error = error
            raise
        self.owned = True
        return self._run

    def finish(self, state: str = "finished") -> None:
        """Finishes the run if this integration started it; a run it was given stays open."""
        run = self._run
        if run is not None and self.owned and not run.finished:
            run.finish(state)

    def report(self, where: str, error: BaseException) -> None:
        """The first failure is printed with its cause; later ones are only counted, so a broken server never floods the log."""
        self._failures += 1
        if self._failures > 1:
            return
        say = getattr(self._run, "_say", None) or _say
        say(
            f"trackbase: the {self.what} integration failed in {where} ({type(error).__name__}: {error}); "
            "training goes on, and further failures are not reported"
        )

    @property
    def failures(self) -> int:
        return self._failures


def contained(fallback: Optional[Callable[..., Any]] = None) -> Callable[[F], F]:
    """
    Wraps a framework hook so that an exception in it is reported once (through `self._holder`) and
    swallowed; the hook then answers `fallback(self, *args, **kwargs)` (None without one).
    KeyboardInterrupt and SystemExit pass through: they are the user's, not ours.
    """

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:
                self._holder.report(method.__name__, error)
                return fallback(self, *args, **kwargs) if fallback else None

        return wrapper  # type: ignore[return-value]

    return decorate


def init_options(
    project: Optional[str], name: Optional[str], config: Optional[Dict[str, Any]], tags: Optional[Any], extra: Dict[str, Any]
) -> Dict[str, Any]:
    """The `trackbase.init` options an integration was given, leaving out those not set."""
    options = {"project": project, "name": name, "config": config, "tags": list(tags) if tags else None, **extra}
    return {k: v for k, v in options.items() if v is not None}


ARTIFACT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def artifact_name(name: str) -> str:
    """A valid artifact name from free text (letters, digits, dot, dash, underscore; starting with a letter or digit)."""
    cleaned = ARTIFACT_NAME.sub("-", name).strip("-._")[:128]
    return cleaned or "model"


def numeric_items(values: Mapping[str, Any]) -> Dict[str, Any]:
    """The entries a metric series can hold: numbers and 0-d arrays or tensors, not strings or containers."""
    out: Dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (int, float)) or getattr(value, "ndim", None) == 0:
            out[key] = value
    return out
