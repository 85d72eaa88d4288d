"""
PyTorch Lightning: `Trainer(logger=TrackbaseLogger(project="org/proj"))`.

Hyperparameters go to `run.config` (nesting kept), metrics to their series at the trainer's step, and
with `log_checkpoints` the checkpoints of `ModelCheckpoint` become versions of a model artifact (alias
`best` on the best one). Works with `lightning` (`lightning.pytorch`) or `pytorch_lightning`.
"""

from __future__ import annotations

import os
from argparse import Namespace
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

try:
    from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
    from lightning.pytorch.utilities import rank_zero_only
except ImportError:  # the standalone package
    from pytorch_lightning.loggers.logger import Logger, rank_zero_experiment
    from pytorch_lightning.utilities import rank_zero_only

from ._common import RunHolder, artifact_name, contained, init_options

if TYPE_CHECKING:
    from .._run import Run

#: Lightning's final statuses, as run states.
FINAL_STATES = {"success": "finished", "failed": "failed", "finished": "aborted"}


class TrackbaseLogger(Logger):  # type: ignore[misc]
    """
    A Lightning logger writing to a Trackbase run.

    - `run=`: log to this run (it is left open); otherwise the open `trackbase.init()` run, or a run
      started with `project`, `name`, `config`, `tags` and any other `trackbase.init` option in `init`,
      which the logger finishes when training ends (and reopens if `trainer.test()` logs more).
    - `log_checkpoints`: False (default); True logs the best and last checkpoints when training ends;
      "all" logs every checkpoint as it is saved. Versions go to the artifact `checkpoint_name`
      (default `model-<run key>`), kind `model`.
    - `prefix`: put in front of every metric name (`prefix/name`).
    """

    LOGGER_JOIN_CHAR = "/"

    def __init__(
        self,
        project: Optional[str] = None,
        name: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        run: Optional[Run] = None,
        log_checkpoints: Union[bool, str] = False,
        checkpoint_name: Optional[str] = None,
        prefix: str = "",
        **init: Any,
    ) -> None:
        super().__init__()
        if log_checkpoints not in (False, True, "all"):
            raise ValueError('log_checkpoints is False, True or "all"')
        self._holder = RunHolder("Lightning", run, init_options(project, name, config, tags, init))
        self._log_checkpoints = log_checkpoints
        self._checkpoint_name = checkpoint_name
        self._prefix = prefix
        self._checkpoint_callback: Any = None
        self._logged: Dict[str, float] = {}  # checkpoint path -> modification time logged
        self._best_logged: Optional[str] = None
        self._reopen: Optional[Dict[str, Any]] = None

    # ---- what Lightning asks every logger --------------------------------------------------------
    @property
    def name(self) -> Optional[str]:
        run = self._holder.peek()
        return run.project if run is not None else self._holder._init_kwargs.get("project")

    @property
    def version(self) -> Optional[str]:
        run = self._holder.peek()
        return (run.key or run.meta["localId"]) if run is not None else None

    @property
    def save_dir(self) -> Optional[str]:
        return None

    @property
    @rank_zero_experiment  # type: ignore[untyped-decorator,misc]
    def experiment(self) -> Run:
        """The Trackbase run (started on first use), for anything the logger does not cover: `logger.experiment.log_text(...)`."""
        run = self._holder.peek()
        return run if run is not None else self._run()

    def _run(self) -> Run:
        if self._reopen is not None:
            # trainer.test() after trainer.fit(): the run the logger finished continues.
            options, self._reopen = self._reopen, None
            import trackbase

            self._holder._run = trackbase.init(**options)
            self._holder.owned = True
        return self._holder.get()

    @rank_zero_only  # type: ignore[untyped-decorator,misc]
    @contained()
    def log_hyperparams(self, params: Union[Dict[str, Any], Namespace], *args: Any, **kwargs: Any) -> None:
        values = _plain_params(params)
        if values:
            self._run().config.update(values)

    @rank_zero_only  # type: ignore[untyped-decorator,misc]
    @contained()
    def log_metrics(self, metrics: Mapping[str, float], step: Optional[int] = None) -> None:
        run = self._run()
        prefix = f"{self._prefix}{self.LOGGER_JOIN_CHAR}" if self._prefix else ""
        run.log({f"{prefix}{k}": v for k, v in metrics.items()}, step=step)

    @rank_zero_only  # type: ignore[untyped-decorator,misc]
    @contained()
    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        self._checkpoint_callback = checkpoint_callback
        if self._log_checkpoints == "all":
            self._log_new_checkpoints()

    @rank_zero_only  # type: ignore[untyped-decorator,misc]
    @contained()
    def finalize(self, status: str) -> None:
        if self._log_checkpoints and self._checkpoint_callback is not None and status == "success":
            self._log_new_checkpoints()
        run = self._holder.peek()
        if run is None or not self._holder.owned or run.finished:
            return
        state = FINAL_STATES.get(status, "finished")
        self._holder.finish(state)
        if state == "finished" and run.id:
            self._reopen = {**self._holder._init_kwargs, "resume": run.id, "context": False, "save_code": False}
            self._reopen.pop("config", None)

    # ---- checkpoints -------------------------------------------------------------------------------
    def _log_new_checkpoints(self) -> None:
        """Logs the checkpoints not logged yet (or rewritten since); the best one last, so it takes the `best` alias."""
        callback = self._checkpoint_callback
        run = self._run()
        best = os.path.abspath(callback.best_model_path) if getattr(callback, "best_model_path", "") else None
        name = artifact_name(self._checkpoint_name or f"model-{run.key or run.meta['localId']}")
        monitor = getattr(callback, "monitor", None)
        for path, score in sorted(_checkpoints(callback), key=lambda item: item[0] == best):
            mtime = os.path.getmtime(path)
            is_best = path == best
            if self._logged.get(path) == mtime and not (is_best and self._best_logged != path):
                continue
            metadata: Dict[str, Any] = {"file": os.path.basename(path)}
            if monitor:
                metadata["monitor"] = monitor
            if score is not None:
                metadata["score"] = score
                if monitor:
                    metadata["metrics"] = {monitor: score}
            run.log_artifact(name, "model", {"model.ckpt": path}, aliases=["best"] if is_best else None, metadata=metadata)
            self._logged[path] = mtime
            if is_best:
                self._best_logged = path


def _checkpoints(callback: Any) -> List[Tuple[str, Optional[float]]]:
    """The checkpoint files the callback keeps (top-k, last, best), oldest first, with their scores."""
    scores: Dict[str, Optional[float]] = {}
    for path, score in (getattr(callback, "best_k_models", None) or {}).items():
        scores[os.path.abspath(path)] = _number(score)
    for attr in ("last_model_path", "best_model_path"):
        path = getattr(callback, attr, "") or ""
        if path:
            scores.setdefault(os.path.abspath(path), None)
    best = getattr(callback, "best_model_path", "") or ""
    if best and scores.get(os.path.abspath(best)) is None:
        scores[os.path.abspath(best)] = _number(getattr(callback, "best_model_score", None))
    present = [(p, s) for p, s in scores.items() if os.path.isfile(p)]
    return sorted(present, key=lambda item: os.path.getmtime(item[0]))


def _number(value: Any) -> Optional[float]:
    if value is None:
        return None
    try:
        return float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError):
        return None


def _plain_params(params: Union[Dict[str, Any], Namespace]) -> Dict[str, Any]:
    """A Namespace or mapping as plain nested values; callables by their name, as Lightning's own loggers do."""
    if isinstance(params, Namespace):
        params = vars(params)

    def plain(value: Any) -> Any:
        if isinstance(value, Namespace):
            value = vars(value)
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if callable(value) and not isinstance(value, type):
            return getattr(value, "__name__", None) or type(value).__name__
        if isinstance(value, type):
            return f"{value.__module__}.{value.__qualname__}"
        return value

    return {str(k): plain(v) for k, v in (params or {}).items()}
