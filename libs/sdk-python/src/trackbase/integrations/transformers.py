"""
Hugging Face Transformers: `Trainer(..., callbacks=[TrackbaseCallback(project="org/proj")])`.

`report_to` only knows the integrations shipped with Transformers, so this callback is passed in
`callbacks=` (set `report_to="none"` to keep the others quiet). Parameters are the model's config and
the `TrainingArguments`; metrics are logged at `state.global_step` with `train/`, `eval/` and `test/`
prefixes; totals of the run (`train_runtime`, `total_flos`, ...) go to the summary.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Union

from transformers import TrainerCallback

from ._common import RunHolder, artifact_name, contained, init_options, numeric_items

if TYPE_CHECKING:
    from .._run import Run

#: What the Trainer reports once per run: the summary, not a series.
SUMMARY_KEYS = {"train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos"}


def rewrite_logs(logs: Dict[str, Any]) -> Dict[str, Any]:
    """`eval_loss` -> `eval/loss`, `test_acc` -> `test/acc`, anything else -> `train/<name>`."""
    out: Dict[str, Any] = {}
    for key, value in logs.items():
        for prefix in ("eval_", "test_"):
            if key.startswith(prefix):
                out[f"{prefix[:-1]}/{key[len(prefix) :]}"] = value
                break
        else:
            out[f"train/{key}"] = value
    return out


class TrackbaseCallback(TrainerCallback):  # type: ignore[misc]
    """
    Logs a `Trainer` to a Trackbase run (process 0 only).

    - `run=`: log to this run (left open); otherwise the open `trackbase.init()` run, or a run started at
      train begin with `project`, `name` (default `args.run_name`), `config`, `tags` and any other
      `trackbase.init` option, finished at train end.
    - `log_checkpoints`: None (default); "checkpoint" logs every saved `checkpoint-<step>` directory as a
      version of the model artifact; "end" logs the final model (`save_pretrained`) once training ends.
      The artifact is `model_name` (default `model-<run key>`), kind `model`.
    """

    def __init__(
        self,
        project: Optional[str] = None,
        name: Optional[str] = None,
        config: Optional[Dict[str, Any]] = None,
        tags: Optional[Sequence[str]] = None,
        run: Optional[Run] = None,
        log_checkpoints: Union[None, str] = None,
        model_name: Optional[str] = None,
        **init: Any,
    ) -> None:
        if log_checkpoints not in (None, "checkpoint", "end"):
            raise ValueError('log_checkpoints is None, "checkpoint" or "end"')
        self._holder = RunHolder("Transformers", run, init_options(project, name, config, tags, init))
        self._log_checkpoints = log_checkpoints
        self._model_name = model_name
        self._params_logged = False

    @property
    def run(self) -> Optional[Run]:
        return self._holder.peek()

    def _setup(self, args: Any, state: Any, model: Any) -> Run:
        run = self._holder.get(name=getattr(args, "run_name", None) or None)
        if not self._params_logged:
            self._params_logged = True
            params: Dict[str, Any] = {"args": _args_dict(args)}
            model_config = getattr(model, "config", None)
            if model_config is not None and hasattr(model_config, "to_dict"):
                params["model"] = model_config.to_dict()
            if model is not None and hasattr(model, "num_parameters"):
                params["model/num_parameters"] = int(model.num_parameters())
            run.config.update(params)
        return run

    @contained()
    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            self._setup(args, state, model)

    @contained()
    def on_log(
        self, args: Any, state: Any, control: Any, logs: Optional[Dict[str, Any]] = None, model: Any = None, **kwargs: Any
    ) -> None:
        if not state.is_world_process_zero or not logs:
            return
        run = self._setup(args, state, model)
        totals = {k: v for k, v in logs.items() if k in SUMMARY_KEYS}
        series = numeric_items(rewrite_logs({k: v for k, v in logs.items() if k not in SUMMARY_KEYS}))
        if series:
            run.log(series, step=state.global_step)
        for key, value in numeric_items(totals).items():
            run.summary[key] = value

    @contained()
    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._log_checkpoints != "checkpoint" or not state.is_world_process_zero:
            return
        directory = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        if os.path.isdir(directory):
            self._log_model(args, state, directory, {"step": state.global_step, "checkpoint": os.path.basename(directory)})

    @contained()
    def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        try:
            if self._log_checkpoints == "end" and model is not None and hasattr(model, "save_pretrained"):
                with tempfile.TemporaryDirectory(prefix="trackbase-hf-") as directory:
                    model.save_pretrained(directory)
                    processor = kwargs.get("processing_class") or kwargs.get("tokenizer")
                    if processor is not None and hasattr(processor, "save_pretrained"):
                        processor.save_pretrained(directory)
                    self._log_model(args, state, directory, {"step": state.global_step}, aliases=["final"])
        finally:
            self._holder.finish("finished")

    def _log_model(
        self, args: Any, state: Any, directory: str, metadata: Dict[str, Any], aliases: Optional[Sequence[str]] = None
    ) -> None:
        run = self._setup(args, state, None)
        name = artifact_name(self._model_name or f"model-{run.key or run.meta['localId']}")
        best = getattr(state, "best_model_checkpoint", None)
        if best and os.path.abspath(best) == os.path.abspath(directory):
            aliases = [*(aliases or []), "best"]
        metric = getattr(state, "best_metric", None)
        if metric is not None:
            metadata = {**metadata, "best_metric": metric}
        run.log_artifact(name, "model", directory, aliases=aliases, metadata=metadata)


def _args_dict(args: Any) -> Dict[str, Any]:
    """`TrainingArguments` as parameters, without the hub tokens a user may have put there (`hub_token`, ...)."""
    values: Dict[str, Any] = args.to_dict() if hasattr(args, "to_dict") else dict(vars(args))
    return {k: v for k, v in values.items() if not k.endswith("_token")}
