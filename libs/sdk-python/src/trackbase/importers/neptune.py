"""
`trackbase import neptune`: the Parquet parts and files written by neptune-exporter (one long-format
schema: project_id, run_id, attribute_path, attribute_type, step decimal(18,6), timestamp, one typed
value column per type; see docs/import.md).

Mapping: params of every type (`sys/*` too) as parameters with dotted paths; float series as metrics
(`monitoring/*` as system series); string series as text series; histogram series as one JSON file
per attribute; files, file series, file sets and 2.x artifact listings as run files; `sys/tags` and
`sys/group_tags` as tags, `sys/description` as the description, `sys/creation_time` as the start,
`sys/failed` as the final state; Neptune Scale forks as `fork.*` parameters naming the imported parent.

Steps: ours are integers. A series whose steps are all integers keeps them; a series with fractional
steps (Neptune quantises them to 1e-6) has every step multiplied by the smallest power of ten that
makes them integers (at most 10^6), recorded in the parameter `import.step_scale.<series>`, so no two
points collide and the original step is that step divided by the scale.

Idempotency: the run's external id is `neptune:<project_id>/<run_id>`; its batches carry the stream
`neptune.<sha1>` and seq numbers from the part number and the chunk's position in the part, so a
second import, or one after a crash halfway, sends the same batches and the server applies each once.
A run is set finished (or failed) only once everything was sent; such runs are skipped next time.
"""

from __future__ import annotations

import json
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from .._api import TrackbaseApi
from ._writer import (
    DESCRIPTION_MAX,
    IN_FLIGHT,
    PARAM_STRING_MAX,
    PARAMS_PER_BATCH,
    POINTS_PER_BATCH,
    SEQ_BLOCK,
    TAG_MAX,
    TEXT_BYTES_PER_BATCH,
    TEXT_LINE_MAX,
    RunWriter,
    Summary,
    wire_float,
)

PARAM_TYPES = ("float", "int", "string", "bool", "datetime", "string_set")
SERIES_TYPES = ("float_series", "string_series", "histogram_series", "file_series")
FILE_TYPES = ("file", "file_series", "file_set", "artifact")
PART = re.compile(r"^(?P<prefix>.+)_part_(?P<n>\d+)\.parquet$")
SERIES_NAME_MAX = 250
#: Rows read from a part at a time (the exporter's parts roll at ~50 MB compressed, millions of rows).
READ_ROWS = 500_000

Progress = Callable[[int, int], None]


def _pa() -> Any:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.compute
        import pyarrow.parquet
    except ImportError as error:
        raise ImportError("reading Neptune exports needs pyarrow: pip install 'trackbase[import]'") from error
    return pyarrow


@dataclass
class SourceRun:
    project_dir: Path
    files_root: Path
    parts: List[Tuple[int, Path]]
    rows: int = 0
    project_id: str = ""
    run_id: str = ""
    params: Dict[str, Tuple[str, Any]] = field(default_factory=dict)
    #: Per series, the power of ten its steps are multiplied by.
    scales: Dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.project_id}/{self.run_id}"

    def param(self, path: str) -> Any:
        entry = self.params.get(path)
        return entry[1] if entry else None

    @property
    def fork_parent(self) -> Optional[str]:
        value = self.param("sys/forking/parent") or self.param("sys/fork_run_id")
        return str(value) if value else None

    @property
    def fork_step(self) -> Any:
        step = self.param("sys/forking/step")
        return step if step is not None else self.param("sys/fork_step")


def find_runs(export_dir: Path, files_dir: Optional[Path]) -> List[SourceRun]:
    """Complete runs (those with a part 0) of every project under the export's data directory."""
    export_dir = Path(export_dir)
    if (export_dir / "data").is_dir():
        data, files = export_dir / "data", files_dir or export_dir / "files"
        project_dirs = sorted(p for p in data.iterdir() if p.is_dir())
    elif any(export_dir.glob("*_part_0.parquet")):
        data, files = export_dir.parent, files_dir or export_dir.parent.parent / "files"
        project_dirs = [export_dir]
    else:
        data, files = export_dir, files_dir or export_dir.parent / "files"
        project_dirs = sorted(p for p in data.iterdir() if p.is_dir())
    runs: List[SourceRun] = []
    for project_dir in project_dirs:
        parts: Dict[str, List[Tuple[int, Path]]] = {}
        for path in project_dir.iterdir():
            match = PART.match(path.name)
            if match and path.is_file():
                parts.setdefault(match["prefix"], []).append((int(match["n"]), path))
        for prefix in sorted(parts):
            numbered = sorted(parts[prefix])
            if numbered[0][0] == 0:
                runs.append(SourceRun(project_dir, files / project_dir.name, numbered))
    return runs


def _scale(steps: List[float]) -> int:
    """The smallest power of ten (<= 10^6) making every step an integer."""
    for k in range(7):
        scale: int = 10**k
        if all(abs(s * scale - round(s * scale)) < 1e-6 * scale for s in steps):
            return scale
    return 10**6


def survey(run: SourceRun) -> None:
    """First pass: ids, params, row counts and each series' step scale, without reading the values of series."""
    pa = _pa()
    fractional: Dict[str, List[float]] = {}
    for _, part in run.parts:
        run.rows += pa.parquet.ParquetFile(part).metadata.num_rows
        table = pa.parquet.read_table(part, columns=["project_id", "run_id", "attribute_path", "attribute_type", "step"])
        if table.num_rows and not run.run_id:
            run.project_id = str(table.column("project_id")[0].as_py())
            run.run_id = str(table.column("run_id")[0].as_py())
        types = table.column("attribute_type")
        series = table.filter(pa.compute.is_in(types, value_set=pa.array(SERIES_TYPES)))
        steps = pa.compute.cast(series.column("step"), pa.float64()).to_pylist()
        for path, step in zip(series.column("attribute_path").to_pylist(), steps):
            if step is not None and step != int(step):
                fractional.setdefault(path, []).append(step)
            else:
                fractional.setdefault(path, [])
        full = pa.parquet.read_table(part, filters=[("attribute_type", "in", list(PARAM_TYPES))])
        for row in full.to_pylist():
            run.params[row["attribute_path"]] = (row["attribute_type"], _param_value(row))
    for path, steps in fractional.items():
        scale = _scale(steps) if steps else 1
        if scale and scale > 1:
            run.scales[path] = scale


def _param_value(row: Dict[str, Any]) -> Any:
    kind = row["attribute_type"]
    if kind == "string_set":
        return sorted(row.get("string_set_value") or [])
    return row.get(f"{kind}_value")


def topological(runs: List[SourceRun]) -> List[SourceRun]:
    """Fork parents before their children; otherwise by creation time, unknown last."""

    def created(run: SourceRun) -> Tuple[int, str, str]:
        value = run.param("sys/creation_time")
        return (0, value.isoformat(), run.label) if isinstance(value, datetime) else (1, "", run.label)

    by_key = {(r.project_id, r.run_id): r for r in runs}
    ordered: List[SourceRun] = []
    seen: set[Any] = set()

    def visit(run: SourceRun, trail: Tuple[str, ...] = ()) -> None:
        key = (run.project_id, run.run_id)
        if key in seen or run.label in trail:
            return
        parent = by_key.get((run.project_id, run.fork_parent or ""))
        if parent is not None:
            visit(parent, (*trail, run.label))
        seen.add(key)
        ordered.append(run)

    for run in sorted(runs, key=created):
        visit(run)
    return ordered


class NeptuneImporter:
    def __init__(self, api: TrackbaseApi, org: str, project: str, progress: Optional[Progress] = None) -> None:
        self.api = api
        self.org = org
        self.project = project
        self.summary = Summary()
        self.progress = progress
        self.done_rows = 0
        self.total_rows = 0
        #: Neptune (project_id, run_id) -> Trackbase run key, for fork parents.
        self.keys: Dict[Tuple[str, str], str] = {}
        #: Neptune (project_id, run_id) -> the run as read, for the step scales of fork parents.
        self.sources: Dict[Tuple[str, str], SourceRun] = {}

    def run(self, export_dir: Path, files_dir: Optional[Path] = None) -> Summary:
        runs = find_runs(export_dir, files_dir)
        for run in runs:
            survey(run)
        self.total_rows = sum(r.rows for r in runs)
        self._tick()
        with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="trackbase-import") as pool:
            for run in topological([r for r in runs if r.run_id]):
                self.import_run(run, pool)
        return self.summary

    def _tick(self, rows: int = 0) -> None:
        self.done_rows += rows
        if self.progress:
            self.progress(self.done_rows, self.total_rows)

    def import_run(self, run: SourceRun, pool: ThreadPoolExecutor) -> None:
        s = self.summary
        writer = RunWriter(self.api, self.org, self.project, s, "neptune", pool)
        fresh = writer.open((run.project_id, run.run_id), self._create_body(run))
        self.keys[(run.project_id, run.run_id)] = str(writer.run["key"])
        self.sources[(run.project_id, run.run_id)] = run
        s.runs.append({"source": run.label, "key": writer.run["key"], "id": writer.id, "skipped": not fresh})
        if not fresh:
            s.runs_skipped += 1
            self._tick(run.rows)
            return
        params = self._params(run)
        items = sorted(params.items())
        for i in range(0, max(len(items), 1), PARAMS_PER_BATCH):
            writer.send(i // PARAMS_PER_BATCH, {"params": dict(items[i : i + PARAMS_PER_BATCH])})
        s.params += len(items)
        histograms: Dict[str, List[Dict[str, Any]]] = {}
        for n, part in run.parts:
            rows = self._import_part(run, writer, n, part, histograms)
            self._tick(rows)
        for path, points in sorted(histograms.items()):
            data = json.dumps({"histograms": points}, separators=(",", ":")).encode()
            writer.upload_bytes(data, f"{path}/histograms.json")
        failed = run.param("sys/failed") is True
        writer.finish("failed" if failed else "finished")
        s.runs_imported += 1

    def _create_body(self, run: SourceRun) -> Dict[str, Any]:
        body: Dict[str, Any] = {}
        scale_run = run.param("sys/custom_run_id") is not None
        name = run.run_id if scale_run else run.param("sys/name") or run.run_id
        body["name"] = str(name).strip()[:250] or run.run_id
        description = run.param("sys/description")
        if isinstance(description, str) and description:
            if len(description) > DESCRIPTION_MAX:
                self.summary.skip(run.label, "sys/description", f"longer than {DESCRIPTION_MAX} characters, truncated")
            body["description"] = description[:DESCRIPTION_MAX]
        tags: List[str] = []
        for path in ("sys/tags", "sys/group_tags"):
            for tag in run.param(path) or []:
                if not tag or len(tag) > TAG_MAX:
                    self.summary.skip(run.label, path, f"tag empty or longer than {TAG_MAX} characters")
                elif tag not in tags:
                    tags.append(tag)
        if tags:
            body["tags"] = tags[:500]
        created = run.param("sys/creation_time")
        if isinstance(created, datetime):
            body["startedAt"] = (created if created.tzinfo else created.replace(tzinfo=timezone.utc)).isoformat()
        body.update(self._fork(run))
        return body

    def _fork(self, run: SourceRun) -> Dict[str, Any]:
        """A Neptune Scale fork as a Trackbase fork of the imported parent (the `fork.*` params say the same)."""
        if not run.fork_parent:
            return {}
        parent_key = self.keys.get((run.project_id, run.fork_parent))
        step = run.fork_step
        if parent_key is None or step is None:
            self.summary.skip(run.label, "sys/forking/parent", "fork parent not in this export; kept as fork.* params only")
            return {}
        if float(step) < 0 or float(step) != int(float(step)):
            self.summary.skip(run.label, "sys/forking/step", "fractional fork step; kept as fork.* params only")
            return {}
        # Series with fractional steps are stored with steps × scale: the fork inherits them through stored step N.
        parent = self.sources.get((run.project_id, run.fork_parent))
        for path in sorted(parent.scales if parent else {}):
            self.summary.skip(
                run.label, path, "steps stored scaled; the fork inherits this series through the unscaled fork step"
            )
        return {"forkFrom": parent_key, "forkStep": int(float(step))}

    def _params(self, run: SourceRun) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "import.source": "neptune",
            "import.project_id": run.project_id,
            "import.run_id": run.run_id,
        }
        for path, (kind, value) in run.params.items():
            key = path.replace("/", ".")
            if value is None:
                continue
            if kind == "float":
                value = value if math.isfinite(value) else str(wire_float(value))
            elif kind == "datetime":
                value = value.isoformat() if isinstance(value, datetime) else str(value)
            elif kind == "string" and len(value) > PARAM_STRING_MAX:
                self.summary.skip(run.label, path, f"string longer than {PARAM_STRING_MAX} characters")
                continue
            elif kind == "string_set" and len(value) > 1000:
                self.summary.skip(run.label, path, "string set of more than 1,000 items")
                continue
            if len(key) > 250:
                self.summary.skip(run.label, path, "path longer than 250 characters")
                continue
            out[key] = value
        for path, scale in run.scales.items():
            out[f"import.step_scale.{path.replace('/', '.')}"] = scale
        parent = run.fork_parent
        if parent:
            out["fork.parent_run_id"] = parent
            parent_key = self.keys.get((run.project_id, parent))
            if parent_key:
                out["fork.parent"] = parent_key
            step = run.fork_step
            if step is not None:
                out["fork.step"] = float(step) if isinstance(step, (float, Decimal)) else step
        return out

    def _import_part(self, run: SourceRun, writer: RunWriter, n: int, part: Path, histograms: Dict[str, List[Any]]) -> int:
        """One part, read in slices of READ_ROWS rows so memory stays bounded for parts of millions of rows."""
        pa = _pa()
        batches = _Batches(writer, (n + 1) * SEQ_BLOCK)
        known = set(PARAM_TYPES) | set(SERIES_TYPES) | set(FILE_TYPES)
        total = 0
        for record_batch in pa.parquet.ParquetFile(part).iter_batches(batch_size=READ_ROWS):
            table = pa.Table.from_batches([record_batch])
            types = table.column("attribute_type")
            for kind in set(types.to_pylist()) - known:
                other = table.filter(pa.compute.equal(types, kind))
                for path in sorted(set(other.column("attribute_path").to_pylist())):
                    self.summary.skip(run.label, path, f"attribute type {kind} has no Trackbase equivalent")
            for kind in ("float_series", "string_series"):
                rows = table.filter(pa.compute.equal(types, kind))
                if rows.num_rows:
                    self._series(run, batches, kind, rows)
            hist = table.filter(pa.compute.equal(types, "histogram_series"))
            if hist.num_rows:
                self._histograms(run, hist, histograms)
            files = table.filter(pa.compute.is_in(types, value_set=pa.array(FILE_TYPES)))
            if files.num_rows:
                self._files(run, writer, files)
            total += table.num_rows
        batches.flush()
        return total

    def _columns(self, rows: Any, value: str) -> Iterator[Tuple[str, List[Any], List[Any], List[Any]]]:
        """Per attribute path, in the order of first appearance: steps (float), times (ms) and values."""
        pa = _pa()
        paths = rows.column("attribute_path").to_pylist()
        steps = pa.compute.cast(rows.column("step"), pa.float64()).to_pylist()
        times = pa.compute.cast(rows.column("timestamp"), pa.int64()).to_pylist()
        values = rows.column(value).to_pylist()
        order: Dict[str, List[int]] = {}
        for i, path in enumerate(paths):
            order.setdefault(path, []).append(i)
        for path, index in order.items():
            yield path, [steps[i] for i in index], [times[i] for i in index], [values[i] for i in index]

    def _series(self, run: SourceRun, batches: _Batches, kind: str, rows: Any) -> None:
        s = self.summary
        created = run.param("sys/creation_time")
        fallback = int(created.timestamp() * 1000) if isinstance(created, datetime) else 0
        for path, steps, times, values in self._columns(rows, "float_value" if kind == "float_series" else "string_value"):
            if len(path) > SERIES_NAME_MAX or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
                s.skip(run.label, path, "series name longer than 250 characters or with control characters", len(steps))
                continue
            scale = run.scales.get(path, 1)
            out_steps: List[int] = []
            out_values: List[Any] = []
            out_times: List[float] = []
            dropped = truncated = 0
            for step, time, value in zip(steps, times, values):
                if step is None or step < 0 or value is None:
                    dropped += 1
                    continue
                out_steps.append(int(round(step * scale)))
                out_times.append(time if time is not None and time >= 0 else fallback)
                if kind == "float_series":
                    out_values.append(wire_float(float(value)))
                else:
                    if len(value) > TEXT_LINE_MAX:
                        truncated += 1
                        value = value[:TEXT_LINE_MAX]
                    out_values.append(value)
            if dropped:
                s.skip(run.label, path, "points without a value or with a negative or missing step", dropped)
            if truncated:
                s.skip(run.label, path, "text lines longer than 16 KiB, truncated", truncated)
            if not out_steps:
                continue
            if kind == "float_series":
                batches.add("system" if path.startswith("monitoring/") else "metrics", path, out_steps, out_values, out_times)
            else:
                batches.add("text", path, out_steps, out_values, out_times)

    def _histograms(self, run: SourceRun, rows: Any, out: Dict[str, List[Any]]) -> None:
        pa = _pa()
        paths = rows.column("attribute_path").to_pylist()
        steps = pa.compute.cast(rows.column("step"), pa.float64()).to_pylist()
        times = pa.compute.cast(rows.column("timestamp"), pa.int64()).to_pylist()
        values = rows.column("histogram_value").to_pylist()
        for path, step, time, value in zip(paths, steps, times, values):
            if value is None:
                self.summary.skip(run.label, path, "histogram without a value")
                continue
            out.setdefault(path, []).append({"step": step, "timestamp": time, **value})

    def _files(self, run: SourceRun, writer: RunWriter, rows: Any) -> None:
        pa = _pa()
        paths = rows.column("attribute_path").to_pylist()
        kinds = rows.column("attribute_type").to_pylist()
        steps = pa.compute.cast(rows.column("step"), pa.float64()).to_pylist()
        values = rows.column("file_value").to_pylist()
        uploads: List[Tuple[str, str]] = []
        for path, kind, step, value in zip(paths, kinds, steps, values):
            relative = (value or {}).get("path")
            local = (run.files_root / relative) if relative else None
            if local is None or not local.exists() or not _inside(local, run.files_root):
                self.summary.skip(run.label, path, "file missing from the export's files directory")
                continue
            if kind == "artifact":
                self.summary.skip(run.label, path, "artifact: only its file listing was exported, imported as files_list.json")
            if local.is_dir():
                for root, _, names in os.walk(local):
                    for name in sorted(names):
                        full = Path(root) / name
                        uploads.append((str(full), f"{path}/{full.relative_to(local).as_posix()}"))
            elif kind == "file_series":
                uploads.append((str(local), f"{path}/step_{_step_text(step)}/{local.name}"))
            else:
                uploads.append((str(local), f"{path}/{local.name}"))
        writer.upload(uploads)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _step_text(step: Optional[float]) -> str:
    if step is None:
        return "none"
    return str(int(step)) if float(step).is_integer() else format(Decimal(str(step)).normalize(), "f")


class _Batches:
    """Series columns gathered into batches of at most POINTS_PER_BATCH points (or TEXT_BYTES_PER_BATCH of text)."""

    def __init__(self, writer: RunWriter, first_seq: int) -> None:
        self.writer = writer
        self.seq = first_seq
        self.batch: Dict[str, List[Dict[str, Any]]] = {}
        self.points = 0
        self.text_bytes = 0

    def add(self, kind: str, name: str, steps: List[int], values: List[Any], times: List[float]) -> None:
        i = 0
        while i < len(steps):
            room = POINTS_PER_BATCH - self.points
            if kind == "text":
                j, size = i, 0
                while j < len(steps) and j - i < room and (size < TEXT_BYTES_PER_BATCH - self.text_bytes or j == i):
                    size += len(values[j]) + 24
                    j += 1
                self.text_bytes += size
                entry = {"name": name, "steps": steps[i:j], "lines": values[i:j], "times": times[i:j]}
            else:
                j = min(len(steps), i + room)
                entry = {"name": name, "steps": steps[i:j], "values": values[i:j], "times": times[i:j]}
            self.batch.setdefault(kind, []).append(entry)
            self.points += j - i
            i = j
            if self.points >= POINTS_PER_BATCH or self.text_bytes >= TEXT_BYTES_PER_BATCH:
                self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        points = sum(len(e["steps"]) for entries in self.batch.values() for e in entries if "values" in e)
        lines = sum(len(e["steps"]) for e in self.batch.get("text", []))
        self.writer.send(self.seq, self.batch, points, lines)
        self.seq += 1
        self.batch, self.points, self.text_bytes = {}, 0, 0
