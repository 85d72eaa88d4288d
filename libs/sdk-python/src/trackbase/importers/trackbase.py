"""
`trackbase import trackbase <export dir or archive.tar> --project org/proj`: a `trackbase export`
(docs/export-format.md) into another project or server. Idempotent as the other importers: external id
`trackbase:<source project>/<run id>`, stream and seqs from the source run and the order of its records.
"""

from __future__ import annotations

import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from .. import _archive
from .. import _paths as paths
from .._api import TrackbaseApi
from .._artifacts import log_artifact_files
from .._files import collect_path
from ._writer import IN_FLIGHT, PARAMS_PER_BATCH, POINTS_PER_BATCH, SEQ_BLOCK, RunWriter, Summary, wire_float

Progress = Callable[[int, int], None]
#: The fields of an asset reference a batch accepts (an exported one also carries its id and time).
ASSET_FIELDS = (
    "kind", "name", "version", "uri", "digest", "sizeBytes", "columns", "preview",
    "framework", "modelClass", "hyperparameters", "preprocessing", "metadata",
)  # fmt: skip


def _asset(value: Dict[str, Any]) -> Dict[str, Any]:
    return {k: value[k] for k in ASSET_FIELDS if value.get(k) is not None}


def _value(row: Dict[str, Any]) -> Any:
    for column in ("float_value", "int_value", "bool_value", "string_value"):
        if row[column] is not None:
            return row[column]
    return json.loads(row["json_value"]) if row["json_value"] is not None else None


def _ms(time: Any) -> float:
    return float(time.timestamp() * 1000) if time is not None else 0.0


class TrackbaseImporter:
    def __init__(self, api: TrackbaseApi, org: str, project: str, progress: Optional[Progress] = None) -> None:
        self.api = api
        self.org = org
        self.project = project
        self.progress = progress
        self.summary = Summary()
        self.keys: Dict[str, str] = {}

    def run(self, export_dir: Path) -> Summary:
        export_dir = Path(export_dir)
        if export_dir.is_file():
            # An archive (`GET .../export/archive.tar` saved): unpacked next to nothing else, then read as a directory.
            with tempfile.TemporaryDirectory(prefix="trackbase-import-") as unpacked:
                with open(export_dir, "rb") as archive:
                    _archive.extract(archive, Path(unpacked))
                return self.run(Path(unpacked))
        import pyarrow.parquet as pq

        manifest = json.loads((export_dir / "export.json").read_text())
        if manifest.get("format") != "trackbase-export":
            raise ValueError(f"{export_dir} is not a trackbase export")
        parts = sorted((export_dir / "data").glob("part-*.parquet"))
        runs: Dict[str, List[Dict[str, Any]]] = {}
        for part in parts:
            for row in pq.read_table(part).to_pylist():
                runs.setdefault(row["run_id"], []).append(row)
        with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="trackbase-import") as pool:
            for done, (run_id, rows) in enumerate(_parents_first(runs)):
                self.import_run(str(manifest.get("project")), run_id, rows, export_dir, pool)
                if self.progress:
                    self.progress(done + 1, len(runs))
        self.import_artifacts(export_dir)
        return self.summary

    def import_run(
        self, source: str, run_id: str, rows: List[Dict[str, Any]], export_dir: Path, pool: ThreadPoolExecutor
    ) -> None:
        s = self.summary
        fields = {r["name"]: _value(r) for r in rows if r["record"] == "run"}
        body: Dict[str, Any] = {"name": fields.get("name") or run_id}
        for field in ("description", "startedAt"):
            if fields.get(field):
                body[field] = fields[field]
        tags = [r["name"] for r in rows if r["record"] == "tag"]
        if tags:
            body["tags"] = tags
        if fields.get("context"):
            body["context"] = fields["context"]
        lineage: Dict[str, Any] = {}
        if fields.get("forkFrom") is not None:
            parent = self.keys.get(str(fields["forkFrom"]))
            if parent is not None and isinstance(fields.get("forkStep"), int):
                body.update({"forkFrom": parent, "forkStep": fields["forkStep"]})
            else:
                # The parent stays behind (another project, or filtered out): the fork point is kept as params and the
                # history the fork showed from it (the export's inherited_* rows) becomes the run's own.
                lineage = {"fork.parent": str(fields["forkFrom"]), "fork.step": fields.get("forkStep")}
                s.skip(
                    f"{source}/{rows[0]['run_key']}",
                    "forkFrom",
                    "fork parent not in this export; imported as a plain run with its inherited history, params fork.*",
                )
        writer = RunWriter(self.api, self.org, self.project, s, "trackbase", pool)
        fresh = writer.open((source, run_id), body)
        self.keys[str(rows[0]["run_key"])] = str(writer.run["key"])
        s.runs.append(
            {"source": f"{source}/{rows[0]['run_key']}", "key": writer.run["key"], "id": writer.id, "skipped": not fresh}
        )
        if not fresh:
            s.runs_skipped += 1
            return
        params = sorted([(r["name"], _value(r)) for r in rows if r["record"] == "param"] + list(lineage.items()))
        inputs = [_asset(_value(r)) for r in rows if r["record"] == "input"]
        outputs = [_asset(_value(r)) for r in rows if r["record"] == "output"]
        for i in range(0, max(len(params), 1), PARAMS_PER_BATCH):
            batch: Dict[str, Any] = {"params": dict(params[i : i + PARAMS_PER_BATCH])}
            if i == 0:
                batch.update({k: v for k, v in (("inputs", inputs), ("outputs", outputs)) if v})
            writer.send(i // PARAMS_PER_BATCH, batch)
        s.params += len(params)
        self._series(writer, rows, inherited=bool(lineage))
        if fields.get("notes"):
            self.api.update_run(self.org, self.project, writer.id, {"notes": fields["notes"]})
        files = export_dir / "files" / run_id
        if files.is_dir():
            writer.upload([(f.local_path, f.remote_path) for f in collect_path(str(files))])
        state = fields.get("state")
        writer.finish(state if state in ("finished", "failed", "aborted") else "finished")
        s.runs_imported += 1

    def _series(self, writer: RunWriter, rows: List[Dict[str, Any]], inherited: bool = False) -> None:
        grouped: Dict[Tuple[str, str], List[Dict[str, Any]]] = {}
        for r in rows:
            record = r["record"][len("inherited_") :] if inherited and r["record"].startswith("inherited_") else r["record"]
            if record in ("metric", "system", "text"):
                grouped.setdefault((record, r["name"]), []).append(r)
        for points in grouped.values():
            points.sort(key=lambda p: p["step"])  # inherited points (all at or before the fork step) among the own
        seq = SEQ_BLOCK
        batch: Dict[str, List[Dict[str, Any]]] = {}
        count = 0
        for (record, name), points in grouped.items():
            for i in range(0, len(points), POINTS_PER_BATCH):
                chunk = points[i : i + POINTS_PER_BATCH]
                entry: Dict[str, Any] = {
                    "name": name,
                    "steps": [p["step"] for p in chunk],
                    "times": [_ms(p["time"]) for p in chunk],
                }
                if record == "text":
                    entry["lines"] = [p["string_value"] or "" for p in chunk]
                else:
                    entry["values"] = [wire_float(p["float_value"]) for p in chunk]
                batch.setdefault({"metric": "metrics", "system": "system", "text": "text"}[record], []).append(entry)
                count += len(chunk)
                if count >= POINTS_PER_BATCH:
                    self._send(writer, seq, batch)
                    seq, batch, count = seq + 1, {}, 0
        if batch:
            self._send(writer, seq, batch)

    @staticmethod
    def _send(writer: RunWriter, seq: int, batch: Dict[str, List[Dict[str, Any]]]) -> None:
        points = sum(len(e["steps"]) for k in ("metrics", "system") for e in batch.get(k, []))
        lines = sum(len(e["steps"]) for e in batch.get("text", []))
        writer.send(seq, batch, points, lines)

    def import_artifacts(self, export_dir: Path) -> None:
        root = export_dir / "artifacts"
        if not root.is_dir():
            return
        manifests = sorted(
            root.glob("*/*/manifest.json"), key=lambda p: (p.parent.parent.name, int(p.parent.name.lstrip("v") or 0))
        )
        for path in manifests:
            manifest = json.loads(path.read_text())
            files = path.parent / "files"
            producer = self.keys.get(str(manifest.get("producer")))
            aliases = [a for a in manifest.get("aliases") or [] if a != "latest"] or None
            name, kind = manifest["artifact"], manifest.get("kind") or "artifact"
            if manifest.get("files") and files.is_dir():
                stored = log_artifact_files(
                    self.api, self.org, self.project, name, kind, str(files), aliases=aliases,
                    metadata=manifest.get("metadata") or None, description=manifest.get("description") or None, run=producer,
                )  # fmt: skip
            elif manifest.get("reference"):
                # A reference version (files kept elsewhere): the same reference again.
                body: Dict[str, Any] = {
                    "kind": kind,
                    "reference": {k: v for k, v in manifest["reference"].items() if v is not None},
                    **{k: manifest[k] for k in ("metadata", "description") if manifest.get(k)},
                    **({"aliases": aliases} if aliases else {}),
                    **({"run": producer} if producer else {}),
                }
                stored = self.api.http.request("POST", paths.artifact_versions(self.org, self.project, name), body)["version"]
            else:
                self.summary.skip(str(path.parent), "artifacts", "version without files or a reference is not re-imported")
                continue
            for consumer in manifest.get("consumers") or []:
                if consumer in self.keys:
                    use = paths.artifact_version_use(self.org, self.project, name, str(stored.get("version")))
                    self.api.http.request("POST", use, {"run": self.keys[consumer]})
            self.summary.runs.append({"source": f"{name}:{manifest['version']}", "key": stored.get("version"), "artifact": True})


def _parents_first(runs: Dict[str, List[Dict[str, Any]]]) -> List[Tuple[str, List[Dict[str, Any]]]]:
    """Runs in export order, each fork after the run it was forked from (when that run is in the export)."""
    by_key = {str(rows[0]["run_key"]): run_id for run_id, rows in runs.items()}
    ordered: List[Tuple[str, List[Dict[str, Any]]]] = []
    seen: set[str] = set()

    def visit(run_id: str) -> None:
        if run_id in seen:
            return
        seen.add(run_id)
        rows = runs[run_id]
        parent = next((r["string_value"] for r in rows if r["record"] == "run" and r["name"] == "forkFrom"), None)
        if parent is not None and str(parent) in by_key:
            visit(by_key[str(parent)])
        ordered.append((run_id, rows))

    for run_id in runs:
        visit(run_id)
    return ordered
