"""
What every importer shares: a run created idempotently by its external id, batches with a stream id
and sequence numbers derived from the source (so a re-run, or a run after a crash halfway, sends the
very same batches and the server applies each once), large batches on the bulk ingestion path, files
through the upload protocol (content the server holds is not sent again), and the summary.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from .._api import TrackbaseApi
from .._files import LocalFile, remote_path, upload_run_files
from .._journal import dumps

#: Points per batch: about 5 MB of JSON, well under the API's 16 MB body limit.
POINTS_PER_BATCH = 100_000
#: Text bytes per batch.
TEXT_BYTES_PER_BATCH = 4 * 1024 * 1024
#: Parameters per batch (the API takes at most 10,000).
PARAMS_PER_BATCH = 5_000
#: Batches in flight per importer: the server group-commits concurrent batches.
IN_FLIGHT = 4
#: Sequence numbers: metadata batches take 0..SEQ_BLOCK-1, source part n the block n + 1.
SEQ_BLOCK = 1_000_000

PARAM_STRING_MAX = 4_096
TAG_MAX = 120
DESCRIPTION_MAX = 10_000
TEXT_LINE_MAX = 16 * 1024


def stream_id(source: str, *key: str) -> str:
    """A stable stream per source run: `<source>.<40 hex of sha1(key)>` (matches the API's stream id pattern)."""
    digest = hashlib.sha1("\0".join(key).encode()).hexdigest()[:40]
    return f"{source}.{digest}"


def external_id(source: str, *key: str) -> str:
    ref = f"{source}:{'/'.join(key)}"
    return ref if len(ref) <= 250 else f"{source}:sha1:{hashlib.sha1(ref.encode()).hexdigest()}"


def wire_float(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


@dataclass
class Unmapped:
    path: str
    reason: str
    count: int = 0
    runs: List[str] = field(default_factory=list)


@dataclass
class Summary:
    runs_imported: int = 0
    runs_skipped: int = 0
    points: int = 0
    text_lines: int = 0
    params: int = 0
    files: int = 0
    file_bytes: int = 0
    batches: int = 0
    duplicate_batches: int = 0
    runs: List[Dict[str, Any]] = field(default_factory=list)
    unmapped: Dict[Tuple[str, str], Unmapped] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def skip(self, run: str, path: str, reason: str, count: int = 1) -> None:
        with self._lock:
            entry = self.unmapped.setdefault((path, reason), Unmapped(path, reason))
            entry.count += count
            if run not in entry.runs and len(entry.runs) < 5:
                entry.runs.append(run)

    def to_json(self) -> Dict[str, Any]:
        return {
            "runsImported": self.runs_imported,
            "runsSkipped": self.runs_skipped,
            "points": self.points,
            "textLines": self.text_lines,
            "params": self.params,
            "files": self.files,
            "fileBytes": self.file_bytes,
            "batches": self.batches,
            "duplicateBatches": self.duplicate_batches,
            "runs": self.runs,
            "unmapped": [
                {"path": u.path, "reason": u.reason, "count": u.count, "runs": u.runs}
                for u in sorted(self.unmapped.values(), key=lambda u: (u.path, u.reason))
            ],
        }

    def human(self) -> str:
        lines = [
            f"Imported {self.runs_imported} runs ({self.runs_skipped} already complete, skipped): "
            f"{self.points} points, {self.text_lines} text lines, {self.params} params, {self.files} files; "
            f"{self.batches} batches ({self.duplicate_batches} already applied).",
        ]
        for run in self.runs:
            lines.append(f"  {run['source']} -> {run['key']}{' (skipped)' if run.get('skipped') else ''}")
        if self.unmapped:
            lines.append("Not imported:")
            for u in sorted(self.unmapped.values(), key=lambda u: (u.path, u.reason)):
                lines.append(f"  {u.path}: {u.reason} ({u.count}x, e.g. run {', '.join(u.runs)})")
        return "\n".join(lines) + "\n"


class RunWriter:
    """One imported run: creation, batches numbered by the caller's deterministic sequence, files, the final state."""

    def __init__(
        self,
        api: TrackbaseApi,
        org: str,
        project: str,
        summary: Summary,
        source: str,
        pool: ThreadPoolExecutor,
        on_sent: Optional[Callable[[int], None]] = None,
    ) -> None:
        self.api = api
        self.org = org
        self.project = project
        self.summary = summary
        self.source = source
        self.pool = pool
        self.on_sent = on_sent
        self.run: Dict[str, Any] = {}
        self.stream = ""
        self._pending: List[Future[None]] = []

    @property
    def id(self) -> str:
        return str(self.run["id"])

    def open(self, key: Tuple[str, ...], body: Dict[str, Any]) -> bool:
        """Creates (or finds) the run; False when an earlier import of it completed, so there is nothing to do."""
        self.stream = stream_id(self.source, *key)
        body = {**body, "externalId": external_id(self.source, *key)}
        self.run = self.api.create_run(self.org, self.project, body)
        return self.run.get("state") not in ("finished", "failed", "aborted")

    def send(self, seq: int, batch: Dict[str, Any], points: int = 0, lines: int = 0) -> None:
        """Queues a batch; at most IN_FLIGHT are sent at once (the caller's thread waits for room)."""
        body = dumps({"streamId": self.stream, "seq": seq, **batch}).encode()
        while len(self._pending) >= IN_FLIGHT:
            self._pending.pop(0).result()
        self._pending.append(self.pool.submit(self._post, body, points, lines))

    def _post(self, body: bytes, points: int, lines: int) -> None:
        ack = self.api.send_batch(self.org, self.project, self.id, body, attempts=8)
        with self.summary._lock:
            self.summary.batches += 1
            if ack.get("duplicate"):
                self.summary.duplicate_batches += 1
            else:
                self.summary.points += points
                self.summary.text_lines += lines
        if self.on_sent:
            self.on_sent(points)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for f in pending:
            f.result()

    def upload(self, files: List[Tuple[str, str]]) -> None:
        """(local path, remote path) pairs; the server skips content it already holds."""
        local = [LocalFile(p, remote_path(r), os.path.getsize(p)) for p, r in files]
        if not local:
            return
        stored = upload_run_files((self.api, self.org, self.project, self.id), local)
        self.summary.files += len(stored)
        self.summary.file_bytes += sum(f.size for f in local)

    def upload_bytes(self, data: bytes, remote: str) -> None:
        with tempfile.TemporaryDirectory(prefix="trackbase-import-") as tmp:
            path = os.path.join(tmp, os.path.basename(remote) or "data")
            with open(path, "wb") as f:
                f.write(data)
            self.upload([(path, remote)])

    def finish(self, state: str) -> None:
        """Sends what is queued, then the final state: only a completely imported run leaves `running`."""
        self.flush()
        self.run = self.api.update_run(self.org, self.project, self.id, {"state": state})
