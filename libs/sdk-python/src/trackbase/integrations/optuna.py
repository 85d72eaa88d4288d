"""
Optuna: one Trackbase run per trial, grouped by study.

    callback = TrackbaseOptunaCallback(project="org/proj")
    study.optimize(objective, n_trials=20, callbacks=[callback])

Each trial's run is named `<study>-trial-<n>`, tagged `optuna:<study>` (filter the project's runs by that
tag to see the study), holds the trial's parameters as its config (and `optuna.*`: study, trial number,
directions), its objective value(s) as metrics and in the summary, and the values it reported with
`trial.report(value, step)` as the `intermediate_value` series. A completed trial's run is `finished`,
a pruned one `aborted`, a failed one `failed`.

To log from inside the objective, decorate it: the trial's run is open while the objective runs
(`trackbase.log(...)` and `trackbase.run` reach it), and the callback completes it afterwards.

    @callback.track_in_trackbase()
    def objective(trial): ...
"""

from __future__ import annotations

import functools
import traceback
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

import optuna

from ._common import RunHolder, contained, init_options

if TYPE_CHECKING:
    from .._run import Run

#: Trials end without a console or a process worth sampling: these runs skip both unless asked.
QUIET = {"capture_console": False, "system_metrics_interval": 0}


def study_tag(study_name: str) -> str:
    return f"optuna:{study_name}"[:120]


class TrackbaseOptunaCallback:
    """
    - `project`, `tags`, `config` and other `trackbase.init` options apply to every trial's run.
    - `metric_names`: names of the objective values (default the study's `metric_names`, else `value`,
      or `value_0`, `value_1`, ... for several objectives).
    """

    def __init__(
        self,
        project: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        metric_names: Optional[Sequence[str]] = None,
        **init: Any,
    ) -> None:
        self._options = {**QUIET, **init_options(project, None, config, tags, init)}
        self._metric_names = list(metric_names) if metric_names else None
        self._open: Dict[Tuple[str, int], Run] = {}  # (study, trial) -> the run the decorated objective opened
        self._holder = RunHolder("Optuna")

    def _start(self, study: Any, number: int, params: Dict[str, Any]) -> Run:
        import trackbase

        options = dict(self._options)
        config = {**params, "optuna": self._study_config(study, number), **(options.pop("config", None) or {})}
        tags = [study_tag(study.study_name), *(options.pop("tags", None) or [])]
        run = trackbase.init(name=f"{study.study_name}-trial-{number}", config=config, tags=tags, **options)
        self._holder._run = run
        return run

    @staticmethod
    def _study_config(study: Any, number: int) -> Dict[str, Any]:
        return {"study": study.study_name, "trial": number, "directions": [d.name.lower() for d in study.directions]}

    def _names(self, study: Any, count: int) -> List[str]:
        names = self._metric_names or getattr(study, "metric_names", None)
        if names and len(names) == count:
            return list(names)
        return ["value"] if count == 1 else [f"value_{i}" for i in range(count)]

    @contained()
    def __call__(self, study: Any, trial: Any) -> None:
        run = self._open.pop((study.study_name, trial.number), None)
        if run is not None and run.finished:
            return  # the decorated objective raised (and Optuna caught it): its run recorded the failure
        if run is None:
            run = self._start(study, trial.number, dict(trial.params))
        else:
            run.config.update(dict(trial.params))
        try:
            for step, value in sorted(trial.intermediate_values.items()):
                run.log({"intermediate_value": value}, step=step)
            values = trial.values or []
            named = dict(zip(self._names(study, len(values)), values))
            if named:
                run.log(named, step=0)
                for key, value in named.items():
                    run.summary[key] = value
            run.summary["optuna_state"] = trial.state.name.lower()
            if trial.datetime_start and trial.datetime_complete:
                run.summary["duration_s"] = (trial.datetime_complete - trial.datetime_start).total_seconds()
            if trial.user_attrs:
                run.config.update({"optuna": {"user_attrs": dict(trial.user_attrs)}})
        finally:
            state = {"COMPLETE": "finished", "PRUNED": "aborted"}.get(trial.state.name, "failed")
            run.finish(state)

    def track_in_trackbase(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorates an objective so that its trial's run is open (and current) while it runs."""

        def decorate(objective: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(objective)
            def wrapper(trial: Any, *args: Any, **kwargs: Any) -> Any:
                run: Optional[Run] = None
                try:
                    run = self._start(trial.study, trial.number, {})
                    self._open[(trial.study.study_name, trial.number)] = run
                except Exception as error:
                    self._holder.report("track_in_trackbase", error)
                try:
                    return objective(trial, *args, **kwargs)
                except optuna.TrialPruned:
                    raise  # the callback records it
                except BaseException as error:
                    # Optuna calls no callback for a trial whose objective raised: record the failure here.
                    if run is not None:
                        state = "aborted" if isinstance(error, KeyboardInterrupt) else "failed"
                        try:
                            run.finish(
                                state, traceback="".join(traceback.format_exception(type(error), error, error.__traceback__))
                            )
                        except Exception as failure:
                            self._holder.report("track_in_trackbase", failure)
                    raise

            return wrapper

        return decorate
