"""
LightGBM: `lgb.train(params, train, valid_sets=[val], callbacks=[TrackbaseLightGBMCallback(...)])`.

Each iteration logs `<data name>/<metric>` at step = iteration (`cv` gives the mean, and the standard
deviation as `<metric>_std`); the parameters go to `run.config` under `lightgbm` at the first iteration.
LightGBM calls callbacks only during iterations, with no end-of-training hook, so a run the callback
started is finished at the last planned iteration; after early stopping, call `callback.finish(booster)`
(or open the run yourself with `with trackbase.init(...)`). `finish(booster)` also logs the best
iteration and, with `log_model`, the booster as a model artifact.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence

import lightgbm

from ._common import RunHolder, artifact_name, contained, init_options

if TYPE_CHECKING:
    from .._run import Run


def iteration_metrics(results: Sequence[Sequence[Any]]) -> Dict[str, float]:
    """`(data, metric, value, higher_is_better[, std])` tuples as `data/metric` (and `data/metric_std`)."""
    out: Dict[str, float] = {}
    for item in results or ():
        data, metric, value = item[0], item[1], item[2]
        if data == "cv_agg" and " " in metric:
            data, metric = metric.split(" ", 1)  # lgb.cv names them "valid l2"
        out[f"{data}/{metric}"] = float(value)
        if len(item) > 4 and item[4] is not None:
            out[f"{data}/{metric}_std"] = float(item[4])
    return out


class TrackbaseLightGBMCallback:
    """
    - `run=`: log to this run (left open); otherwise the open `trackbase.init()` run, or one started at
      the first iteration with `project`, `name`, `config`, `tags` and other `trackbase.init` options.
    - `log_model`: with `finish(booster)`, the booster (`model.txt`) as a version of `model_name`.
    """

    #: Before LightGBM's early stopping (30), so the iteration that stops training is logged too.
    order = 20
    before_iteration = False

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
        self._holder = RunHolder("LightGBM", run, init_options(project, name, config, tags, init))
        self._log_model = log_model
        self._model_name = model_name
        self._params_logged = False

    @property
    def run(self) -> Optional[Run]:
        return self._holder.peek()

    @contained()
    def __call__(self, env: Any) -> None:
        run = self._holder.get()
        if not self._params_logged:
            self._params_logged = True
            params = {k: v for k, v in (env.params or {}).items() if not callable(v)}
            run.config.update({"lightgbm": {**params, "version": lightgbm.__version__}})
        values = iteration_metrics(env.evaluation_result_list)
        if values:
            run.log(values, step=env.iteration)
        if env.iteration + 1 >= env.end_iteration and not self._log_model:
            self._holder.finish("finished")

    @contained()
    def finish(self, booster: Any = None) -> None:
        """Records the best iteration (and the model, with `log_model`) and finishes a run the callback started."""
        try:
            run = self._holder.peek()
            if booster is None or run is None or run.finished:
                return
            best = getattr(booster, "best_iteration", 0)
            if best:
                run.summary["best_iteration"] = int(best)
            for data, metrics in (getattr(booster, "best_score", None) or {}).items():
                for metric, value in metrics.items():
                    run.summary[f"best/{data}/{metric}"] = float(value)
            if self._log_model:
                with tempfile.TemporaryDirectory(prefix="trackbase-lgb-") as directory:
                    path = os.path.join(directory, "model.txt")
                    booster.save_model(path)
                    name = artifact_name(self._model_name or f"model-{run.key or run.meta['localId']}")
                    run.log_artifact(
                        name, "model", path, metadata={"framework": "lightgbm", "lightgbm_version": lightgbm.__version__}
                    )
        finally:
            self._holder.finish("finished")
