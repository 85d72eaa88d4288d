"""
`trackbase export org/proj --out DIR`: a project's runs, params, series and text in Parquet (one
long-format schema, docs/export-format.md), plus run files and artifact versions with their manifests.

    DIR/export.json                       what was exported, the schema version, counts
    DIR/data/part-<n>.parquet             long-format records; a run's records are never split across parts
    DIR/files/<run id>/<path>             run files
    DIR/artifacts/<name>/<version>/...    artifact version files, beside manifest.json (paths, sizes, SHA-256)

By default the whole directory comes from the server as one tar stream (`GET .../export/archive.tar`: records in
Parquet parts, run files, artifact versions and export.json), written out as it arrives. `records="client"` builds the
records here from the run, series and text endpoints instead (servers without the stream) and fetches files and
artifact versions from their own endpoints; both give the same rows and types (tests/e2e/test_export_roundtrip.py).
"""

from __future__ import annotations

import io
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import quote, urlencode

from . import _archive
from . import _paths as paths
from ._api import TrackbaseApi
from ._artifacts import download_artifact
from ._errors import TrackbaseApiError
from ._files import download_run_files

FORMAT = "trackbase-export"
FORMAT_VERSION = 1
#: Rows per Parquet part before a new part starts (at a run boundary).
ROWS_PER_PART = 2_000_000
TEXT_PAGE = 100_000
#: Seconds the archive download may wait for its next bytes.
ARCHIVE_READ_TIMEOUT_S = 300.0

RUN_FIELDS = ("key", "name", "externalId", "state", "createdAt", "startedAt", "endedAt", "description", "notes")


def schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("project", pa.string()),
            ("run_id", pa.string()),
            ("run_key", pa.string()),
            ("record", pa.string()),
            ("name", pa.string()),
            ("step", pa.int64()),
            ("time", pa.timestamp("ms", tz="UTC")),
            ("float_value", pa.float64()),
            ("int_value", pa.int64()),
            ("bool_value", pa.bool_()),
            ("string_value", pa.string()),
            ("json_value", pa.string()),
        ]
    )


def _pa() -> Any:
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.parquet  # noqa: F401
    except ImportError as error:
        raise ImportError("export needs pyarrow: pip install 'trackbase[import]'") from error
    return pyarrow


class Rows:
    """Records of one part: single records in column lists, series as Arrow blocks (never a Python object per point)."""

    def __init__(self) -> None:
        self.columns: Dict[str, List[Any]] = {name: [] for name in schema().names}
        self.blocks: List[Any] = []
        self.block_rows = 0

    def __len__(self) -> int:
        return len(self.columns["record"]) + self.block_rows

    def table(self) -> Any:
        pa = _pa()
        return pa.concat_tables([pa.Table.from_pydict(self.columns, schema=schema()), *self.blocks])

    def add_block(self, base: Dict[str, Any], record: str, name: str, steps: Any, values: Any, times: Any) -> None:
        """A numeric series: steps (int64), values (float64) and times (timestamp) as Arrow arrays."""
        pa = _pa()
        n = len(steps)
        columns = {
            **{key: pa.array([base[key]] * n, pa.string()) for key in ("project", "run_id", "run_key")},
            "record": pa.array([record] * n, pa.string()),
            "name": pa.array([name] * n, pa.string()),
            "step": steps,
            "time": times,
            "float_value": values,
        }
        arrays = [columns.get(f.name, pa.nulls(n, f.type)) for f in schema()]
        self.blocks.append(pa.Table.from_arrays(arrays, schema=schema()))
        self.block_rows += n

    def add(
        self, base: Dict[str, Any], record: str, name: str, value: Any = None, step: Optional[int] = None, time: Any = None
    ) -> None:
        c = self.columns
        for key in ("project", "run_id", "run_key"):
            c[key].append(base[key])
        c["record"].append(record)
        c["name"].append(name)
        c["step"].append(step)
        c["time"].append(time)
        f = i = b = s = j = None
        if isinstance(value, bool):
            b = value
        elif isinstance(value, int):
            i = value
        elif isinstance(value, float):
            f = value
        elif isinstance(value, str):
            s = value
        elif value is not None:
            j = json.dumps(value, sort_keys=True)
        c["float_value"].append(f)
        c["int_value"].append(i)
        c["bool_value"].append(b)
        c["string_value"].append(s)
        c["json_value"].append(j)


class Exporter:
    def __init__(
        self, api: TrackbaseApi, org: str, project: str, out: Path, progress: Optional[Callable[[int, int], None]] = None
    ):
        self.api = api
        self.org = org
        self.project = project
        self.out = Path(out)
        self.progress = progress
        self.counts = {"runs": 0, "params": 0, "points": 0, "textLines": 0, "files": 0, "artifactVersions": 0, "bytes": 0}

    def runs(self, filter: Optional[str]) -> Iterator[Dict[str, Any]]:
        cursor: Optional[str] = None
        while True:
            query = {k: v for k, v in (("filter", filter), ("limit", "200"), ("cursor", cursor)) if v}
            page = self.api.http.request("GET", f"{paths.runs(self.org, self.project)}?{urlencode(query)}")
            yield from page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return

    def run(
        self, filter: Optional[str] = None, files: bool = True, artifacts: bool = True, records: str = "server"
    ) -> Dict[str, Any]:
        (self.out / "data").mkdir(parents=True, exist_ok=True)
        if records == "server":
            return self.stream_archive(filter, files, artifacts)
        self.client_records(filter, files)
        if artifacts:
            self.export_artifacts()
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "project": f"{self.org}/{self.project}",
            "filter": filter,
            "exportedAt": datetime.now().astimezone().isoformat(),
            "counts": self.counts,
        }
        (self.out / "export.json").write_text(json.dumps(manifest, indent=2))
        return manifest

    def stream_archive(self, filter: Optional[str], files: bool, artifacts: bool) -> Dict[str, Any]:
        """The server's tar of the whole export, written under `out` as it arrives; its export.json is the manifest."""
        query: Dict[str, str] = {"filter": filter} if filter else {}
        for flag, wanted in (("files", files), ("artifacts", artifacts)):
            if not wanted:
                query[flag] = "false"
        url = f"{self.api.base_url}{paths.project(self.org, self.project)}/export/archive.tar"
        if query:
            url += f"?{urlencode(query)}"
        # The server spools each records part before sending it: a read may wait longer than a usual answer.
        timeout = (self.api.http.timeout_s, max(self.api.http.timeout_s, ARCHIVE_READ_TIMEOUT_S))
        with self.api.http.session().get(url, stream=True, timeout=timeout) as response:
            if not response.ok:
                _raise(response)
            response.raw.decode_content = True
            _archive.extract(response.raw, self.out)
        manifest: Dict[str, Any] = json.loads((self.out / "export.json").read_text())
        self.counts.update(manifest.get("counts") or {})
        if self.progress:
            self.progress(self.counts["runs"], self.counts["runs"])
        return manifest

    def client_records(self, filter: Optional[str], files: bool) -> None:
        """The records built here from the run, series and text endpoints, in parts of about ROWS_PER_PART rows."""
        pa = _pa()
        listed = list(self.runs(filter))
        rows = Rows()
        part = 0

        def write() -> None:
            nonlocal rows, part
            table = rows.table()
            target = self.out / "data" / f"part-{part:05d}.parquet"
            pa.parquet.write_table(table, target, compression="zstd")
            self.counts["bytes"] += target.stat().st_size
            part += 1
            rows = Rows()

        for done, item in enumerate(listed):
            self.export_run(item["id"], rows)
            if files:
                self.export_files(item["id"])
            if len(rows) >= ROWS_PER_PART:
                write()
            if self.progress:
                self.progress(done + 1, len(listed))
        if len(rows) or part == 0:
            write()

    def export_run(self, run_id: str, rows: Rows) -> None:
        detail = self.api.get_run(self.org, self.project, run_id)
        base = {"project": f"{self.org}/{self.project}", "run_id": detail["id"], "run_key": detail["key"]}
        for field in RUN_FIELDS:
            if detail.get(field) is not None:
                rows.add(base, "run", field, detail[field])
        fork = detail.get("fork")
        if fork:
            # The fork relation; the fork's series rows below are its own points only.
            parent = f"{fork['project']}/{fork['key']}" if fork.get("project") else fork["key"]
            rows.add(base, "run", "forkFrom", parent)
            rows.add(base, "run", "forkStep", int(fork["step"]))
        for tag in detail.get("tags") or []:
            rows.add(base, "tag", tag)
        if detail.get("context"):
            rows.add(base, "run", "context", detail["context"])
        for direction in ("inputs", "outputs"):
            for asset in detail.get(direction) or []:
                rows.add(base, direction[:-1], str(asset.get("name", "")), asset)
        for path, value in _flat(detail.get("params") or {}).items():
            rows.add(base, "param", path, value)
            self.counts["params"] += 1
        for s in detail.get("series") or []:
            if s["kind"] == "text":
                self._text(base, run_id, s["name"], rows)
            else:
                self._numeric(base, run_id, s["name"], s["kind"], rows)
        self.counts["runs"] += 1

    def _numeric(self, base: Dict[str, Any], run_id: str, name: str, kind: str, rows: Rows) -> None:
        path = f"{paths.run(self.org, self.project, run_id)}/series/{quote(name + '.csv', safe='')}?kind={kind}"
        response = self.api.http.session().get(self.api.base_url + path, timeout=self.api.http.timeout_s)
        response.raise_for_status()
        pa = _pa()
        import pyarrow.csv as pcsv

        types = {"step": pa.int64(), "value": pa.string(), "time": pa.timestamp("ms", tz="UTC")}
        table = pcsv.read_csv(io.BytesIO(response.content), convert_options=pcsv.ConvertOptions(column_types=types))
        values = pa.compute.cast(table.column("value"), pa.float64())  # "NaN", "Infinity", "-Infinity" parse as such
        record = "metric" if kind == "metric" else "system"
        rows.add_block(
            base,
            record,
            name,
            table.column("step").combine_chunks(),
            values.combine_chunks(),
            table.column("time").combine_chunks(),
        )
        self.counts["points"] += table.num_rows

    def _text(self, base: Dict[str, Any], run_id: str, name: str, rows: Rows) -> None:
        start = 0
        while True:
            query = urlencode({"names": name, "kind": "text", "from": start, "maxPoints": TEXT_PAGE})
            [data] = self.api.http.request("GET", f"{paths.run(self.org, self.project, run_id)}/series?{query}")
            steps, times, lines = data["steps"], data["times"], data.get("lines") or []
            full = len(steps) >= TEXT_PAGE and steps[-1] > steps[0]
            last = steps[-1] if full else None
            for step, time, line in zip(steps, times, lines):
                if last is not None and step == last:
                    break  # the next page starts at this step, so its lines come whole
                rows.add(base, "text", name, line, step=step, time=datetime.fromtimestamp(time / 1000).astimezone())
                self.counts["textLines"] += 1
            if last is None:
                return
            start = last

    def export_files(self, run_id: str) -> None:
        target = self.out / "files" / run_id
        got = download_run_files((self.api, self.org, self.project, run_id), None, str(target))
        self.counts["files"] += len(got)

    def export_artifacts(self) -> None:
        listed = self.api.artifacts(self.org, self.project)
        for artifact in listed.get("items", []) if isinstance(listed, dict) else listed:
            detail = self.api.http.request("GET", paths.artifact(self.org, self.project, artifact["name"]))
            for version in detail.get("versions") or []:
                number = version.get("version")
                if version.get("state") != "committed" or not number:
                    continue
                directory = self.out / "artifacts" / artifact["name"] / number
                files = self.api.artifact_version_files(self.org, self.project, artifact["name"], number)["files"]
                manifest = {
                    "artifact": artifact["name"],
                    "kind": version.get("kind") or artifact.get("kind"),
                    "version": number,
                    "digest": version.get("digest"),
                    "aliases": sorted(version.get("aliases") or []),
                    "metadata": version.get("metadata"),
                    "description": version.get("description"),
                    "reference": version.get("reference"),
                    "producer": (version.get("producer") or {}).get("key"),
                    "consumers": [c["key"] for c in version.get("consumers") or []],
                    "files": [{"path": f["path"], "size": f["size"], "sha256": f["sha256"]} for f in files],
                }
                if files:
                    download_artifact(
                        self.api, self.org, self.project, f"{artifact['name']}:{number}", root=str(directory / "files")
                    )
                directory.mkdir(parents=True, exist_ok=True)
                (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
                self.counts["artifactVersions"] += 1


def _raise(response: Any) -> None:
    try:
        err = response.json().get("error") or {}
    except ValueError:
        err = {}
    raise TrackbaseApiError(
        response.status_code,
        str(err.get("code") or f"http_{response.status_code}"),
        str(err.get("message") or response.reason),
        err.get("details") if isinstance(err.get("details"), list) else None,
    )


def _flat(value: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            out.update(_flat(item, f"{path}."))
        else:
            out[path] = item
    return out


def size_of(directory: Path) -> int:
    return sum(f.stat().st_size for f in Path(directory).rglob("*") if f.is_file()) if os.path.isdir(directory) else 0
