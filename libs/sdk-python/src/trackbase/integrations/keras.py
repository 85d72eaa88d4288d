"""
Keras 3 (any backend): `model.fit(..., callbacks=[TrackbaseKerasCallback(project="org/proj")])`.

Epoch metrics are logged at step = epoch as `train/<metric>` and, for Keras's `val_<metric>`,
`val/<metric>`, with the learning rate as `train/learning_rate`. With `log_every_n_batches=N` the running
averages Keras reports during an epoch are logged every N batches as `batch/<metric>`, at a global
batch step. Batch hooks are only installed then, so Keras keeps its asynchronous dispatch otherwise.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence

import keras

from ._common import RunHolder, artifact_name, contained, init_options, numeric_items

if TYPE_CHECKING:
    from .._run import Run


def epoch_metrics(logs: Dict[str, Any]) -> Dict[str, Any]:
    """`loss` -> `train/loss`, `val_accuracy` -> `val/accuracy`; `learning_rate` (Keras's own key) -> `train/learning_rate`."""
    out: Dict[str, Any] = {}
    for key, value in logs.items():
        if key.startswith("val_"):
            out[f"val/{key[4:]}"] = value
        else:
            out[f"train/{key}"] = value
    return numeric_items(out)


class TrackbaseKerasCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """
    - `run=`: log to this run (left open); otherwise the open `trackbase.init()` run, or one started at
      train begin with `project`, `name`, `config`, `tags` and other `trackbase.init` options, finished at
      train end.
    - `log_every_n_batches`: 0 (default, epochs only) or N.
    - `log_model`: save the trained model (`model.keras`) as a version of the model artifact `model_name`
      (default `model-<run key>`) when training ends.
    """

    def __init__(
        self,
        project: Optional[str] = None,
        name: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        run: Optional[Run] = None,
        log_every_n_batches: int = 0,
        log_model: bool = False,
        model_name: Optional[str] = None,
        **init: Any,
    ) -> None:
        super().__init__()
        self._holder = RunHolder("Keras", run, init_options(project, name, config, tags, init))
        self._every = int(log_every_n_batches)
        self._log_model = log_model
        self._model_name = model_name
        self._batch_step = 0
        if self._every > 0:
            # Keras skips batch hooks a callback does not override; define it only when wanted.
            self.on_train_batch_end = self._on_train_batch_end

    @property
    def run(self) -> Optional[Run]:
        return self._holder.peek()

    @contained()
    def on_train_begin(self, logs: Optional[Dict[str, Any]] = None) -> None:
        run = self._holder.get()
        params: Dict[str, Any] = {"fit": dict(self.params or {})}
        model = self.model
        if model is not None:
            params["model"] = {"name": model.name, "class": type(model).__name__, "parameters": int(model.count_params())}
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and hasattr(optimizer, "get_config"):
                params["optimizer"] = _plain(optimizer.get_config())
        run.config.update({"keras": params})

    @contained()
    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        values = epoch_metrics(dict(logs or {}))
        if "train/learning_rate" not in values:
            rate = _learning_rate(self.model)
            if rate is not None:
                values["train/learning_rate"] = rate
        if values:
            self._holder.get().log(values, step=epoch)

    @contained()
    def _on_train_batch_end(self, batch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        step = self._batch_step
        self._batch_step += 1
        if step % self._every == 0:
            values = numeric_items({f"batch/{k}": v for k, v in (logs or {}).items()})
            if values:
                self._holder.get().log(values, step=step)

    @contained()
    def on_train_end(self, logs: Optional[Dict[str, Any]] = None) -> None:
        try:
            if self._log_model and self.model is not None:
                run = self._holder.get()
                with tempfile.TemporaryDirectory(prefix="trackbase-keras-") as directory:
                    path = os.path.join(directory, "model.keras")
                    self.model.save(path)
                    name = artifact_name(self._model_name or f"model-{run.key or run.meta['localId']}")
                    metadata = {"framework": "keras", "backend": keras.backend.backend(), "keras_version": keras.__version__}
                    run.log_artifact(name, "model", path, metadata=metadata)
        finally:
            self._holder.finish("finished")


def _learning_rate(model: Any) -> Optional[float]:
    try:
        rate = model.optimizer.learning_rate
        return float(keras.ops.convert_to_numpy(rate))
    except Exception:
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
