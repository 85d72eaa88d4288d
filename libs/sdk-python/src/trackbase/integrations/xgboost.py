"""
XGBoost: `xgb.train(params, dtrain, evals=[(dval, "val")], callbacks=[TrackbaseXGBoostCallback(...)])`
or `XGBClassifier(callbacks=[...])`.

Each boosting round logs `<eval name>/<metric>` at step = round (`cv` gives the mean, and the standard
deviation as `<metric>_std`); the booster's parameters go to `run.config` under `xgboost`, the best
iteration and score to the summary, and with `log_model` the trained booster becomes a model artifact.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence

import xgboost
from xgboost.callback import TrainingCallback

from ._common import RunHolder, artifact_name, contained, init_options

if TYPE_CHECKING:
    from .._run import Run


def round_metrics(evals_log: Dict[str, Dict[str, Any]]) -> Dict[str, float]:
    """The last value of every `evals_log[data][metric]` list; `cv` entries are (mean, std) pairs."""
    out: Dict[str, float] = {}
    for data, metrics in evals_log.items():
        for metric, history in metrics.items():
            if not history:
                continue
            last = history[-1]
            if isinstance(last, (tuple, list)):
                out[f"{data}/{metric}"] = float(last[0])
                out[f"{data}/{metric}_std"] = float(last[1])
            else:
                out[f"{data}/{metric}"] = float(last)
    return out


def booster_params(model: Any) -> Dict[str, Any]:
    """The training parameters a booster reports in its configuration (learner, objective, tree booster)."""
    config = json.loads(model.save_config())
    learner = config.get("learner", {})
    params: Dict[str, Any] = {}
    params.update(learner.get("learner_train_param", {}))
    params.update(learner.get("learner_model_param", {}))
    objective = learner.get("objective", {})
    if objective.get("name"):
        params["objective"] = objective["name"]
    booster = learner.get("gradient_booster", {})
    for key in ("tree_train_param", "gbtree_train_param", "gbtree_model_param", "updater", "gblinear_train_param"):
        value = booster.get(key)
        if isinstance(value, dict) and key != "updater":
            params.update(value)
    return {k: _number(v) for k, v in params.items()}


def _number(value: Any) -> Any:
    """XGBoost writes every parameter as a string; numbers become numbers again."""
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


class TrackbaseXGBoostCallback(TrainingCallback):  # type: ignore[misc]
    """
    - `run=`: log to this run (left open); otherwise the open `trackbase.init()` run, or one started
      before training with `project`, `name`, `config`, `tags` and other `trackbase.init` options, finished
      after training.
    - `log_model`: the booster (`model.json`) as a version of `model_name` (default `model-<run key>`).
    """

    def __init__(
        self,
        project: Optional[str] = None,
        name: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        run: Optional[Run] = None,
        log_model: bool = False,
        model_name: Optional[str] = None,
        **init: Any,
    ) -> None:
        super().__init__()
        self._holder = RunHolder("XGBoost", run, init_options(project, name, config, tags, init))
        self._log_model = log_model
        self._model_name = model_name

    @property
    def run(self) -> Optional[Run]:
        return self._holder.peek()

    @contained(lambda self, model: model)
    def before_training(self, model: Any) -> Any:
        self._holder.get().config.update({"xgboost": {**booster_params(model), "version": xgboost.__version__}})
        return model

    @contained(lambda self, model, epoch, evals_log: False)
    def after_iteration(self, model: Any, epoch: int, evals_log: Dict[str, Dict[str, Any]]) -> bool:
        values = round_metrics(evals_log)
        if values:
            self._holder.get().log(values, step=epoch)
        return False

    @contained(lambda self, model: model)
    def after_training(self, model: Any) -> Any:
        try:
            run = self._holder.get()
            attributes = model.attributes()
            for key in ("best_iteration", "best_score"):
                if key in attributes:
                    run.summary[key] = _number(attributes[key])
            run.summary["rounds"] = int(model.num_boosted_rounds())
            if self._log_model:
                with tempfile.TemporaryDirectory(prefix="trackbase-xgb-") as directory:
                    path = os.path.join(directory, "model.json")
                    model.save_model(path)
                    name = artifact_name(self._model_name or f"model-{run.key or run.meta['localId']}")
                    run.log_artifact(
                        name, "model", path, metadata={"framework": "xgboost", "xgboost_version": xgboost.__version__}
                    )
        finally:
            self._holder.finish("finished")
        return model
