"""
`trackbase import mlflow --from <tracking URI or mlruns directory>`, read with the `mlflow` client itself.

Mapping: each experiment becomes a project (slug from its name; or every run goes to `--project`);
runs keep their name, start time and final state; params as params; tags as params under `tags.`
(`mlflow.note.content` becomes the description); nested runs (`mlflow.parentRunId`) name their parent
in `parent` (its Trackbase key) and `parent_run_id`; each metric's full history as a metric series;
dataset inputs as the run's dataset inputs; the run's artifacts as run files; registered models as
Trackbase model artifacts, one version per model version (files from the version's source), with the
registry's aliases. Not yet: MLflow 3 logged models that were never registered, and traces.

Idempotency as for Neptune: external id `mlflow:<run_id>`, stream `mlflow.<sha1>`, seq from the order
of metric keys and points (the history is sorted by step, then time, then value).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .._api import TrackbaseApi
from .._artifacts import log_artifact_files
from .._files import collect_path
from ._writer import IN_FLIGHT, PARAM_STRING_MAX, PARAMS_PER_BATCH, POINTS_PER_BATCH, SEQ_BLOCK, RunWriter, Summary, wire_float

STATES = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "aborted"}
Progress = Callable[[int, int], None]


def _mlflow() -> Any:
    try:
        import mlflow
        from mlflow.tracking import MlflowClient  # noqa: F401
    except ImportError as error:
        raise ImportError("importing from MLflow needs the mlflow client: pip install mlflow") from error
    return mlflow


def tracking_uri(source: str) -> str:
    """A directory (an `mlruns` store) becomes a file: URI; anything else is a tracking URI as given."""
    if "://" not in source and not source.startswith(("sqlite:", "file:")) and os.path.isdir(source):
        return Path(source).resolve().as_uri()
    return source


def slugify(name: str) -> str:
    """As `slugify` in libs/contracts/src/slug.ts."""
    s = unicodedata.normalize("NFKD", name)
    s = re.sub(r"[\u0300-\u036f]", "", s).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:48].rstrip("-")
    return s if len(s) >= 2 else f"mlflow-{s or 'default'}"


def _iso(ms: Optional[int]) -> Optional[str]:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat() if ms else None


class MlflowImporter:
    def __init__(
        self,
        api: TrackbaseApi,
        org: str,
        source: str,
        project: Optional[str] = None,
        experiments: Sequence[str] = (),
        progress: Optional[Progress] = None,
        ensure_project: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.api = api
        self.org = org
        self.project = project
        self.uri = tracking_uri(source)
        self.only = list(experiments)
        self.progress = progress
        self.ensure_project = ensure_project
        self.summary = Summary()
        self.keys: Dict[str, Tuple[str, str]] = {}
        self.client: Any = None

    def run(self) -> Summary:
        _mlflow()
        from mlflow.entities import ViewType
        from mlflow.tracking import MlflowClient

        self.client = MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)
        experiments = [
            e
            for e in self.client.search_experiments(view_type=ViewType.ACTIVE_ONLY)
            if not self.only or e.name in self.only or e.experiment_id in self.only
        ]
        plan: List[Tuple[Any, str, List[Any]]] = []
        for experiment in experiments:
            runs = self._runs(experiment.experiment_id, ViewType.ACTIVE_ONLY)
            if not runs and experiment.name == "Default":
                continue
            project = self.project or slugify(experiment.name)
            plan.append((experiment, project, runs))
        total = sum(len(r) for _, _, r in plan)
        done = 0
        with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="trackbase-import") as pool:
            for experiment, project, runs in plan:
                if self.ensure_project:
                    self.ensure_project(project)
                for run in runs:
                    self.import_run(experiment, project, run, pool)
                    done += 1
                    if self.progress:
                        self.progress(done, total)
                self.import_models(experiment, project)
        return self.summary

    def _runs(self, experiment_id: str, view: Any) -> List[Any]:
        runs: List[Any] = []
        token = None
        while True:
            page = self.client.search_runs([experiment_id], run_view_type=view, max_results=1000, page_token=token)
            runs.extend(page)
            token = page.token
            if not token:
                break
        by_id = {r.info.run_id: r for r in runs}
        ordered: List[Any] = []
        seen: set[Any] = set()

        def visit(run: Any) -> None:
            if run.info.run_id in seen:
                return
            seen.add(run.info.run_id)
            parent = by_id.get(run.data.tags.get("mlflow.parentRunId", ""))
            if parent is not None:
                visit(parent)
            ordered.append(run)

        for run in sorted(runs, key=lambda r: (r.info.start_time or 0, r.info.run_id)):
            visit(run)
        return ordered

    def import_run(self, experiment: Any, project: str, run: Any, pool: ThreadPoolExecutor) -> None:
        s = self.summary
        info, data = run.info, run.data
        label = f"{experiment.name}/{info.run_id}"
        writer = RunWriter(self.api, self.org, project, s, "mlflow", pool)
        body: Dict[str, Any] = {"name": (info.run_name or info.run_id)[:250]}
        started = _iso(info.start_time)
        if started:
            body["startedAt"] = started
        note = data.tags.get("mlflow.note.content")
        if note:
            body["description"] = note[:10_000]
        fresh = writer.open((info.run_id,), body)
        self.keys[info.run_id] = (project, str(writer.run["key"]))
        s.runs.append({"source": label, "key": writer.run["key"], "id": writer.id, "project": project, "skipped": not fresh})
        if not fresh:
            s.runs_skipped += 1
            return
        params: Dict[str, Any] = {
            "import.source": "mlflow",
            "import.run_id": info.run_id,
            "import.experiment_id": info.experiment_id,
            "import.experiment": experiment.name,
        }
        if info.user_id:
            params["import.user"] = info.user_id
        for key, value in data.params.items():
            params[key] = self._limited(label, f"params/{key}", value)
        for key, value in data.tags.items():
            if key != "mlflow.note.content":
                params[f"tags.{key}"] = self._limited(label, f"tags/{key}", value)
        parent = data.tags.get("mlflow.parentRunId")
        if parent:
            params["parent_run_id"] = parent
            if parent in self.keys and self.keys[parent][0] == project:
                params["parent"] = self.keys[parent][1]
        params = {k: v for k, v in params.items() if v is not None and len(k) <= 250}
        items = sorted(params.items())
        inputs = self._datasets(run)
        for i in range(0, len(items), PARAMS_PER_BATCH):
            batch: Dict[str, Any] = {"params": dict(items[i : i + PARAMS_PER_BATCH])}
            if i == 0 and inputs:
                batch["inputs"] = inputs
            writer.send(i // PARAMS_PER_BATCH, batch)
        s.params += len(items)
        self._metrics(writer, info.run_id, sorted(data.metrics))
        self._artifacts(writer, info.run_id)
        state = STATES.get(info.status)
        if state:
            writer.finish(state)
            s.runs_imported += 1
        else:
            writer.flush()
            s.runs_imported += 1
            s.skip(label, "info/status", f"run is {info.status} in MLflow: left running, re-imported next time")

    def _limited(self, label: str, path: str, value: str) -> Optional[str]:
        if value is not None and len(value) > PARAM_STRING_MAX:
            self.summary.skip(label, path, f"value longer than {PARAM_STRING_MAX} characters")
            return None
        return value

    def _metrics(self, writer: RunWriter, run_id: str, keys: List[str]) -> None:
        seq = SEQ_BLOCK
        batch: List[Dict[str, Any]] = []
        points = 0
        for key in keys:
            history = sorted(self.client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp, m.value))
            negative = [m for m in history if m.step < 0]
            if negative:
                self.summary.skip(run_id, f"metrics/{key}", "points with a negative step", len(negative))
            history = [m for m in history if m.step >= 0]
            for i in range(0, len(history), POINTS_PER_BATCH):
                chunk = history[i : i + POINTS_PER_BATCH]
                batch.append(
                    {
                        "name": key,
                        "steps": [m.step for m in chunk],
                        "values": [wire_float(m.value) for m in chunk],
                        "times": [max(m.timestamp, 0) for m in chunk],
                    }
                )
                points += len(chunk)
                if points >= POINTS_PER_BATCH:
                    writer.send(seq, {"metrics": batch}, points)
                    seq, batch, points = seq + 1, [], 0
        if batch:
            writer.send(seq, {"metrics": batch}, points)

    def _datasets(self, run: Any) -> List[Dict[str, Any]]:
        inputs = getattr(run, "inputs", None)
        out: List[Dict[str, Any]] = []
        for item in getattr(inputs, "dataset_inputs", None) or []:
            ds = item.dataset
            metadata: Dict[str, Any] = {"source_type": ds.source_type, "source": ds.source}
            context = [t.value for t in item.tags if t.key == "mlflow.data.context"]
            if context:
                metadata["context"] = context[0]
            if ds.profile:
                metadata["profile"] = ds.profile
            if ds.schema:
                metadata["schema"] = ds.schema
            out.append({"kind": "dataset", "name": ds.name[:250], "digest": ds.digest, "metadata": metadata})
        return out

    def _artifacts(self, writer: RunWriter, run_id: str) -> None:
        if not self.client.list_artifacts(run_id):
            return
        with tempfile.TemporaryDirectory(prefix="trackbase-mlflow-") as tmp:
            local = self.client.download_artifacts(run_id, "", tmp)
            files = collect_path(local)
            writer.upload([(f.local_path, f.remote_path) for f in files])

    def import_models(self, experiment: Any, project: str) -> None:
        """Registered models whose versions came from runs of this experiment, with their aliases."""
        try:
            models = self.client.search_registered_models()
        except Exception as error:  # a file store without a registry, or a server without one
            self.summary.skip(experiment.name, "registered_models", f"registry not readable: {error}")
            return
        from mlflow.artifacts import download_artifacts

        for model in models:
            versions = sorted(self.client.search_model_versions(f"name='{model.name}'"), key=lambda v: int(v.version))
            aliases: Dict[str, List[str]] = {}
            for alias, version in (getattr(model, "aliases", None) or {}).items():
                aliases.setdefault(str(version), []).append(alias)
            name = re.sub(r"[^A-Za-z0-9._-]", "-", model.name).lstrip("._-") or "model"
            for version in versions:
                if not version.run_id or version.run_id not in self.keys or self.keys[version.run_id][0] != project:
                    continue
                label = f"registered_models/{model.name}/{version.version}"
                with tempfile.TemporaryDirectory(prefix="trackbase-mlflow-model-") as tmp:
                    try:
                        local = download_artifacts(artifact_uri=version.source, dst_path=tmp, tracking_uri=self.uri)
                    except Exception as error:
                        self.summary.skip(experiment.name, label, f"model files not downloadable: {error}")
                        continue
                    metadata = {
                        "mlflow": {
                            "registered_model": model.name,
                            "version": version.version,
                            "source": version.source,
                            "run_id": version.run_id,
                            "stage": getattr(version, "current_stage", None),
                            "tags": dict(version.tags or {}),
                        }
                    }
                    wanted = [a for a in aliases.get(str(version.version), []) if re.match(r"^[A-Za-z][A-Za-z0-9._-]*$", a)]
                    stored = log_artifact_files(
                        self.api,
                        self.org,
                        project,
                        name,
                        "model",
                        local,
                        aliases=wanted or None,
                        metadata=metadata,
                        description=(version.description or model.description or None),
                        run=self.keys[version.run_id][1],
                    )
                    self.summary.files += 1 if stored.get("created") else 0
                    self.summary.runs.append({"source": label, "key": f"{name}:{stored.get('version')}", "model": True})
