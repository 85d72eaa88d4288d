"""
Writes exports as neptune-exporter does (commit 8d3f44a): `data/<S(project)>/<S(run)>_part_<n>.parquet`
in its one long-format schema, and file payloads under `files/<S(project)>/`, with `S(x)` = x with
every character outside [A-Za-z0-9_-] replaced by `_`, then `-` and the 8-byte blake2b hex of x.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("project_id", pa.string()),
        ("run_id", pa.string()),
        ("attribute_path", pa.string()),
        ("attribute_type", pa.string()),
        ("step", pa.decimal128(18, 6)),
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("int_value", pa.int64()),
        ("float_value", pa.float64()),
        ("string_value", pa.string()),
        ("bool_value", pa.bool_()),
        ("datetime_value", pa.timestamp("ms", tz="UTC")),
        ("string_set_value", pa.list_(pa.string())),
        ("file_value", pa.struct([("path", pa.string())])),
        (
            "histogram_value",
            pa.struct([("type", pa.string()), ("edges", pa.list_(pa.float64())), ("values", pa.list_(pa.float64()))]),
        ),
    ]
)
VALUE_COLUMN = {
    "float": "float_value",
    "int": "int_value",
    "string": "string_value",
    "bool": "bool_value",
    "datetime": "datetime_value",
    "string_set": "string_set_value",
    "float_series": "float_value",
    "string_series": "string_value",
    "histogram_series": "histogram_value",
    "file": "file_value",
    "file_series": "file_value",
    "file_set": "file_value",
    "artifact": "file_value",
}


def sanitize(x: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", x) + "-" + hashlib.blake2b(x.encode(), digest_size=8).hexdigest()


def ms(t: float) -> datetime:
    return datetime.fromtimestamp(t / 1000, tz=timezone.utc)


class RunExport:
    """Rows of one run; `write` splits them into parts (part 0 renamed last, as the exporter does)."""

    def __init__(self, root: Path, project_id: str, run_id: str) -> None:
        self.root = root
        self.project_id = project_id
        self.run_id = run_id
        self.rows: List[Dict[str, Any]] = []

    @property
    def files_dir(self) -> Path:
        return self.root / "files" / sanitize(self.project_id)

    def row(self, path: str, kind: str, value: Any, step: Optional[float] = None, timestamp: Optional[float] = None) -> None:
        row: Dict[str, Any] = {name: None for name in SCHEMA.names}
        row.update(project_id=self.project_id, run_id=self.run_id, attribute_path=path, attribute_type=kind)
        row["step"] = None if step is None else Decimal(str(step)).quantize(Decimal("0.000001"))
        row["timestamp"] = None if timestamp is None else ms(timestamp)
        if kind in VALUE_COLUMN:
            row[VALUE_COLUMN[kind]] = value
        self.rows.append(row)

    def param(self, path: str, kind: str, value: Any) -> None:
        self.row(path, kind, value)

    def series(self, path: str, kind: str, points: List[Any], t0: float = 1_700_000_000_000) -> None:
        for step, value in points:
            self.row(path, kind, value, step=step, timestamp=t0 + float(step) * 1000)

    def file(self, path: str, kind: str, relative: str, content: Optional[bytes] = None, step: Optional[float] = None) -> None:
        if content is not None:
            target = self.files_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        self.row(path, kind, {"path": relative}, step=step)

    def write(self, parts: int = 1) -> List[Path]:
        directory = self.root / "data" / sanitize(self.project_id)
        directory.mkdir(parents=True, exist_ok=True)
        size = -(-len(self.rows) // parts)
        written: List[Path] = []
        for n in reversed(range(parts)):
            chunk = self.rows[n * size : (n + 1) * size]
            path = directory / f"{sanitize(self.run_id)}_part_{n}.parquet"
            tmp = path.with_suffix(".parquet.tmp")
            pq.write_table(pa.Table.from_pylist(chunk, schema=SCHEMA), tmp, compression="snappy")
            tmp.rename(path)
            written.append(path)
        return written
