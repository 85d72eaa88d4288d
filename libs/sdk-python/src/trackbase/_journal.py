"""
The journal: an append-only record of everything a run logged, written before it is sent, in the
format `docs/journal-format.md` describes and the TypeScript SDK writes and reads too.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

JOURNAL = "journal.jsonl"
META = "meta.json"
#: Content objects of media items, by SHA-256, beside the journal until the run is delivered.
MEDIA_DIR = "media"
CONTROL = ("b", "a", "r", "finish")

Entry = Dict[str, Any]


def wire_float(value: Any) -> Any:
    """JSON has no NaN or infinities: they travel as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


# One encoder, made once: json.dumps with options builds a new encoder on every call, which costs
# more than encoding a small entry.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(entry: Any) -> str:
    return _ENCODER.encode(entry)


class BatchBuffer:
    """Columnar buffers of everything logged since the last batch; the same class rebuilds a batch from journal entries."""

    __slots__ = (
        "metrics",
        "system",
        "text",
        "params",
        "tags_add",
        "tags_remove",
        "context",
        "inputs",
        "outputs",
        "media",
        "points",
        "records",
    )

    def __init__(self) -> None:
        self.metrics: Dict[str, Tuple[List[int], List[Any], List[float]]] = {}
        self.system: Dict[str, Tuple[List[int], List[Any], List[float]]] = {}
        self.text: Dict[str, Tuple[List[int], List[str], List[float]]] = {}
        self.params: Optional[Dict[str, Any]] = None
        self.tags_add: Dict[str, None] = {}
        self.tags_remove: Dict[str, None] = {}
        self.context: Optional[Dict[str, Any]] = None
        self.inputs: List[Any] = []
        self.outputs: List[Any] = []
        self.media: List[Dict[str, Any]] = []
        self.points = 0
        self.records = 0

    def add_points(self, kind: str, step: int, time: float, values: Dict[str, Any]) -> None:
        target = self.metrics if kind == "metric" else self.system
        for name, v in values.items():
            columns = target.get(name)
            if columns is None:
                columns = target[name] = ([], [], [])
            columns[0].append(step)
            columns[1].append(wire_float(v))
            columns[2].append(time)
        self.points += len(values)
        self.records += 1

    def add_text(self, name: str, step: int, time: float, line: str) -> None:
        columns = self.text.get(name)
        if columns is None:
            columns = self.text[name] = ([], [], [])
        columns[0].append(step)
        columns[1].append(line)
        columns[2].append(time)
        self.points += 1
        self.records += 1

    def apply(self, entry: Entry) -> None:
        t = entry.get("t")
        if t == "m":
            values = {k: v for k, v in entry["v"].items() if v is not None}
            return self.add_points(entry["k"], entry["s"], entry["ts"], values)
        if t == "x":
            return self.add_text(entry["n"], entry["s"], entry["ts"], entry["l"])
        if t == "params":
            self.params = {**(self.params or {}), **entry["v"]}
        elif t == "tags":
            for tag in entry.get("add") or []:
                self.tags_add[tag] = None
                self.tags_remove.pop(tag, None)
            for tag in entry.get("remove") or []:
                self.tags_remove[tag] = None
                self.tags_add.pop(tag, None)
        elif t == "ctx":
            self.context = {**(self.context or {}), **entry["v"]}
        elif t == "io":
            (self.inputs if entry["d"] == "input" else self.outputs).append(entry["v"])
        elif t == "md":
            self.media.append(entry["v"])
        else:
            return
        self.records += 1

    def is_empty(self) -> bool:
        return self.records == 0

    def to_batch(self, stream_id: str, seq: int) -> Dict[str, Any]:
        batch: Dict[str, Any] = {"streamId": stream_id, "seq": seq}
        if self.metrics:
            batch["metrics"] = [{"name": n, "steps": c[0], "values": c[1], "times": c[2]} for n, c in self.metrics.items()]
        if self.system:
            batch["system"] = [{"name": n, "steps": c[0], "values": c[1], "times": c[2]} for n, c in self.system.items()]
        if self.text:
            batch["text"] = [{"name": n, "steps": c[0], "lines": c[1], "times": c[2]} for n, c in self.text.items()]
        if self.params is not None:
            batch["params"] = self.params
        if self.tags_add or self.tags_remove:
            batch["tags"] = {"add": list(self.tags_add), "remove": list(self.tags_remove)}
        if self.context is not None:
            batch["context"] = self.context
        if self.inputs:
            batch["inputs"] = self.inputs
        if self.outputs:
            batch["outputs"] = self.outputs
        if self.media:
            batch["media"] = self.media
        return batch


def batch_from_entries(stream_id: str, seq: int, entries: Iterable[Entry]) -> Tuple[Dict[str, Any], int]:
    buffer = BatchBuffer()
    for entry in entries:
        buffer.apply(entry)
    return buffer.to_batch(stream_id, seq), buffer.points


@dataclass
class PendingBatch:
    seq: int
    entries: List[Entry]


@dataclass
class JournalState:
    meta: Dict[str, Any]
    pending: List[PendingBatch] = field(default_factory=list)
    tail: List[Entry] = field(default_factory=list)
    next_seq: int = 0
    finish_state: Optional[str] = None
    rejected: int = 0


def write_meta(directory: Path, meta: Dict[str, Any]) -> None:
    tmp = directory / f".{META}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, indent=2, ensure_ascii=False))
    os.replace(tmp, directory / META)


class JournalInUse(Exception):
    """Another live process still writes this journal."""


def _flock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; a journal is never taken from a live process there
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise


class Journal:
    """
    Lines: entries, `b` (the entries since the previous cut form batch `seq`), `a` (acknowledged),
    `r` (refused for good), `finish`. Appends from several threads are serialised; `position` is
    where the next line starts, so a batch can be re-read by its byte range.
    """

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self._fd = os.open(self.dir / JOURNAL, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        # The writer holds an advisory lock for its lifetime (released by the kernel when it dies), so
        # `trackbase sync` and a restarted job never take over a journal a live process still writes.
        if not _flock(self._fd):
            os.close(self._fd)
            raise JournalInUse(f"{self.dir} is being written by a live process")
        self.position = os.fstat(self._fd).st_size
        self._lock = threading.Lock()
        self.closed = False

    @staticmethod
    def create(directory: Path, meta: Dict[str, Any]) -> Journal:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_meta(directory, meta)
        return Journal(directory)

    @staticmethod
    def exists(directory: Path) -> bool:
        return (Path(directory) / META).exists()

    def update_meta(self, meta: Dict[str, Any]) -> None:
        write_meta(self.dir, meta)

    def append(self, entry: Entry) -> int:
        """Writes one line; returns the position where it starts."""
        return self.write((dumps(entry) + "\n").encode())

    def write(self, data: bytes) -> int:
        with self._lock:
            start = self.position
            view = memoryview(data)
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
            self.position += len(data)
            return start

    def read_range(self, start: int, end: int) -> List[Entry]:
        """The entries written between two positions (control lines left out), to re-send one batch."""
        data = os.pread(self._fd, end - start, start)
        out: List[Entry] = []
        for line in data.decode("utf-8").split("\n"):
            if line:
                entry = json.loads(line)
                if entry.get("t") not in CONTROL:
                    out.append(entry)
        return out

    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                os.close(self._fd)

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def replay(directory: Path) -> JournalState:
        directory = Path(directory)
        with open(directory / META, encoding="utf-8") as f:
            meta = json.load(f)
        state = JournalState(meta=meta)
        batches: Dict[int, PendingBatch] = {}
        tail: List[Entry] = []
        path = directory / JOURNAL
        if path.exists():
            with open(path, "rb") as f:
                for raw in f:
                    try:
                        entry = json.loads(raw)
                    except ValueError:
                        continue  # a line torn by a crash mid-write
                    if not isinstance(entry, dict):
                        continue
                    t = entry.get("t")
                    if t == "b":
                        batches[entry["seq"]] = PendingBatch(entry["seq"], tail)
                        tail = []
                        state.next_seq = entry["seq"] + 1
                    elif t == "a":
                        batches.pop(entry["seq"], None)
                    elif t == "r":
                        batches.pop(entry["seq"], None)
                        state.rejected += 1
                    elif t == "finish":
                        state.finish_state = entry["state"]
                    else:
                        tail.append(entry)
        state.pending = sorted(batches.values(), key=lambda b: b.seq)
        state.tail = tail
        return state


def runs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "runs"


def list_journals(data_dir: Path) -> List[Path]:
    """Journals of runs that still have something to send or finish."""
    directory = runs_dir(data_dir)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if Journal.exists(p))
