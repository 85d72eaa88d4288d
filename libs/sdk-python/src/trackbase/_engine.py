"""
The pipeline behind a run: the training thread only appends to a deque; a writer thread converts
values, reports bad ones, writes the journal and cuts batches; a sender thread delivers them in
order, retrying with backoff, and records each acknowledgement in the journal.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, List, Optional, Set, Tuple

from ._api import TrackbaseApi
from ._backoff import backoff_delay
from ._errors import TrackbaseApiError, TrackbaseUnavailableError
from ._journal import BatchBuffer, Journal, batch_from_entries, dumps, wire_float
from ._media import Media, media_values
from ._media_store import journal_item, refused_items, upload_batch_media
from ._values import TEXT_LINE_LENGTH, name_problem, to_number


@dataclass
class EngineOptions:
    flush_interval_s: float = 1.0
    #: Cut a batch early once this many points are buffered.
    max_buffered_points: int = 100_000
    #: Text bytes buffered before a batch is cut (batches must stay well under 16 MB).
    max_buffered_text_bytes: int = 4 * 1024 * 1024
    #: Points of unsent batches kept in memory; the others are re-read from the journal when their turn comes.
    max_queued_points: int = 200_000
    #: Records waiting for the writer before log() waits for it (bounded memory when logging outruns it).
    max_pending_records: int = 20_000
    #: Media items buffered before a batch is cut (their objects are uploaded before the batch is sent).
    max_buffered_media: int = 256
    writer_interval_s: float = 0.05
    heartbeat_interval_s: float = 30.0


@dataclass
class Queued:
    seq: int
    points: int
    batch: Optional[Dict[str, Any]]
    start: int
    end: int


# A record as the training thread leaves it: (kind, step, time ms, payload).
Record = Tuple[str, Any, int, Any]


class Engine:
    def __init__(
        self,
        meta: Dict[str, Any],
        journal: Journal,
        api: Optional[TrackbaseApi],
        connect: Callable[[], None],
        options: EngineOptions,
        say: Callable[[str], None],
        threaded: bool,
        sending: bool,
    ) -> None:
        self.meta = meta
        self.journal = journal
        self.api = api
        self.connect = connect
        self.options = options
        self.say = say
        self.pending: Deque[Record] = collections.deque()
        self.buffer = BatchBuffer()
        self.buffer_text_bytes = 0
        self.queue: Deque[Queued] = collections.deque()
        self.next_seq = 0
        self.batch_start = journal.position
        self.last_cut = time.monotonic()
        self.last_sent = 0.0
        self.last_values: Dict[str, Any] = {}
        self.good_names: Set[str] = set()
        self.reported: Set[str] = set()
        self.work_lock = threading.RLock()
        self.queue_cond = threading.Condition()
        self.stop_writer = threading.Event()
        self.stop_sending = threading.Event()
        self.sending = sending
        self.delivered_points = 0
        self.rejected_batches = 0
        self.writer: Optional[threading.Thread] = None
        self.sender: Optional[threading.Thread] = None
        self.writer_wake = threading.Event()
        self.caught_up = threading.Event()
        if threaded:
            self.writer = threading.Thread(target=self._writer_loop, name="trackbase-writer", daemon=True)
            self.writer.start()
            if sending:
                self.sender = threading.Thread(target=self._sender_loop, name="trackbase-sender", daemon=True)
                self.sender.start()

    # ---- the training thread's side -------------------------------------------------------
    def put(self, record: Record) -> None:
        self.pending.append(record)
        if len(self.pending) > self.options.max_pending_records:
            if self.writer is None:
                self.process()
            else:
                # Logging outruns the writer: wait for it rather than holding unbounded memory.
                self.caught_up.clear()
                self.writer_wake.set()
                self.caught_up.wait(5.0)

    # ---- the writer -------------------------------------------------------------------------
    def _writer_loop(self) -> None:
        while not self.stop_writer.is_set():
            self.writer_wake.wait(self.options.writer_interval_s)
            self.writer_wake.clear()
            try:
                self.process()
                if time.monotonic() - self.last_cut >= self.options.flush_interval_s:
                    self.cut()
            except Exception as error:  # never let the writer die silently
                self.report_once("writer", f"trackbase: the background writer failed ({error!r}); logging continues")

    def process(self) -> None:
        """Converts and journals everything the training thread left, in order."""
        with self.work_lock:
            lines: List[str] = []
            pending = self.pending
            buffer = self.buffer
            while pending:
                kind, step, ts, payload = pending.popleft()
                if kind == "m" or kind == "s":
                    media: List[Tuple[str, List[Media]]] = []
                    values = self._convert(payload, media if kind == "m" else None)
                    if values is None and not media:
                        continue
                    step = self._step(step)
                    if step is None:
                        continue
                    k = "metric" if kind == "m" else "system"
                    if values is not None:
                        lines.append(dumps({"t": "m", "k": k, "s": step, "ts": ts, "v": values}))
                        buffer.add_points(k, step, ts, values)
                        if kind == "m":
                            self.last_values.update(values)
                    for name, items in media:
                        self._journal_media(lines, buffer, name, items, step, ts)
                elif kind == "x":
                    name, line = payload
                    problem = name_problem(name)
                    if problem:
                        self.report_once(
                            f"name:{name!r}", f"trackbase: dropped text {name!r}: {problem} (reported once per name)"
                        )
                        continue
                    text = line if len(line) <= TEXT_LINE_LENGTH else line[:TEXT_LINE_LENGTH]
                    text = text.encode("utf-8", "replace").decode("utf-8")
                    lines.append(dumps({"t": "x", "n": name, "s": step, "ts": ts, "l": text}))
                    buffer.add_text(name, step, ts, text)
                    self.buffer_text_bytes += len(text)
                elif payload.get("t") == "ctx":
                    # Context travels in a batch of its own: were it refused, no metric goes with it.
                    self._write(lines)
                    lines = []
                    self.cut()
                    self.journal.append(payload)
                    self.buffer.apply(payload)
                    self.cut()
                    buffer = self.buffer
                    continue
                else:
                    lines.append(dumps(payload))
                    buffer.apply(payload)
                if (
                    buffer.points >= self.options.max_buffered_points
                    or len(buffer.media) >= self.options.max_buffered_media
                    or self.buffer_text_bytes >= self.options.max_buffered_text_bytes
                ):
                    self._write(lines)
                    lines = []
                    self.cut()
                    buffer = self.buffer
            self._write(lines)
        self.caught_up.set()

    def _write(self, lines: List[str]) -> None:
        if lines:
            self.journal.write(("\n".join(lines) + "\n").encode())

    def _journal_media(self, lines: List[str], buffer: BatchBuffer, name: str, items: List[Media], step: int, ts: int) -> None:
        """Encodes each item (a bad one is reported once and dropped), stores its bytes beside the journal, journals it."""
        for index, value in enumerate(items):
            try:
                entry = journal_item(self.journal.dir, value, name, step, ts, index)
            except Exception as error:
                self.report_once(f"media:{name}", f"trackbase: dropped {name!r} at step {step}: {error} (reported once per name)")
                continue
            lines.append(dumps(entry))
            buffer.apply(entry)

    def _convert(
        self, payload: Dict[str, Any], media: Optional[List[Tuple[str, List[Media]]]] = None
    ) -> Optional[Dict[str, Any]]:
        out: Dict[str, Any] = {}
        for name, value in payload.items():
            if name not in self.good_names:
                problem = name_problem(name)
                if problem:
                    self.report_once(f"name:{name!r}", f"trackbase: dropped {name!r}: {problem} (reported once per name)")
                    continue
                self.good_names.add(name)
            t = type(value)
            if t is float:
                out[name] = wire_float(value)
                continue
            if t is int:
                out[name] = value
                continue
            if media is not None:
                found = media_values(value)
                if found is not None:
                    media.append((name, found))
                    continue
            number, problem = to_number(value)
            if problem is not None:
                self.report_once(f"value:{name}", f"trackbase: dropped {name!r}: {problem} (reported once per name)")
                continue
            out[name] = wire_float(number)
        return out or None

    def _step(self, step: Any) -> Optional[int]:
        if type(step) is int and step >= 0:
            return step
        try:
            as_int = int(step)
        except (TypeError, ValueError):
            as_int = -1
        if as_int < 0 or as_int != step:
            self.report_once(f"step:{step!r}", f"trackbase: dropped values logged at step {step!r}: a step is an integer >= 0")
            return None
        return as_int

    def cut(self) -> None:
        """Makes what is buffered the next batch; the sender delivers it."""
        with self.work_lock:
            self.last_cut = time.monotonic()
            if self.buffer.is_empty():
                return
            seq = self.next_seq
            self.next_seq += 1
            with self.queue_cond:
                in_memory = sum(q.points for q in self.queue if q.batch is not None)
            keep = in_memory + self.buffer.points <= self.options.max_queued_points
            batch = self.buffer.to_batch(self.meta["streamId"], seq) if keep else None
            end = self.journal.position
            self.journal.append({"t": "b", "seq": seq})
            queued = Queued(seq, self.buffer.points, batch, self.batch_start, end)
            self.batch_start = self.journal.position
            self.buffer = BatchBuffer()
            self.buffer_text_bytes = 0
            with self.queue_cond:
                self.queue.append(queued)
                self.queue_cond.notify_all()

    # ---- the sender ---------------------------------------------------------------------------
    def _sender_loop(self) -> None:
        attempt = 0
        while not self.stop_sending.is_set():
            with self.queue_cond:
                if not self.queue:
                    self.queue_cond.wait(min(self.options.heartbeat_interval_s / 2, 5.0))
                    head = None
                else:
                    head = self.queue[0]
            if head is None:
                self._heartbeat()
                continue
            wait = self.send_head(head)
            if wait is None:
                attempt = 0
                continue
            delay = wait if wait >= 0 else backoff_delay(attempt)
            attempt += 1
            self.stop_sending.wait(delay)

    def send_head(self, head: Queued, attempts: int = 1) -> Optional[float]:
        """Sends the oldest batch once. None when it is settled (acknowledged or refused), else seconds to wait (-1: backoff)."""
        assert self.api is not None
        try:
            if not self.meta.get("runId"):
                self.connect()
            batch = head.batch if head.batch is not None else self.reload(head)
            if batch.get("media"):
                self._upload_media(batch)
            body = dumps(batch).encode()
            ack = self.api.send_batch(self.meta["org"], self.meta["project"], self.meta["runId"], body, attempts=attempts)
            for refused in refused_items(ack):
                self.report_once(
                    f"media:{refused.get('key')}:{refused['code']}",
                    f"trackbase: the server refused {refused.get('key')!r} at step {refused.get('step')}: {refused['message']} (reported once per name and reason)",
                )
        except TrackbaseApiError as error:
            self.report_refused(error)
            self._settle(head, {"t": "r", "seq": head.seq, "code": error.code})
            self.rejected_batches += 1
            return None
        except TrackbaseUnavailableError as error:
            return error.retry_after if error.retry_after is not None else -1
        except Exception as error:
            self.report_once("send", f"trackbase: sending failed ({error!r}); retrying")
            return -1
        self.delivered_points += head.points
        self.last_sent = time.monotonic()
        self._settle(head, {"t": "a", "seq": head.seq})
        return None

    def _upload_media(self, batch: Dict[str, Any]) -> None:
        """The batch's media objects go first; a refused upload (quota) leaves its items for the server to refuse one by one."""
        assert self.api is not None
        try:
            upload_batch_media(self.api, self.meta, self.journal.dir, batch)
        except TrackbaseApiError as error:
            self.report_once(f"media-upload:{error.code}", f"trackbase: media could not be uploaded: {error}")

    def _settle(self, head: Queued, line: Dict[str, Any]) -> None:
        if not self.journal.closed:
            self.journal.append(line)
        with self.queue_cond:
            if self.queue and self.queue[0] is head:
                self.queue.popleft()
            self.queue_cond.notify_all()

    def reload(self, queued: Queued) -> Dict[str, Any]:
        return batch_from_entries(self.meta["streamId"], queued.seq, self.journal.read_range(queued.start, queued.end))[0]

    def _heartbeat(self) -> None:
        if not self.api or not self.meta.get("runId"):
            return
        if time.monotonic() - self.last_sent < self.options.heartbeat_interval_s:
            return
        self.last_sent = time.monotonic()
        try:
            self.api.heartbeat(self.meta["org"], self.meta["project"], self.meta["runId"])
        except Exception:
            pass

    def report_refused(self, error: TrackbaseApiError) -> None:
        key = f"{error.code}:{','.join(str(d.get('path')) for d in error.details)}"
        self.report_once(key, f"trackbase: the server refused a batch and it will not be retried: {error}")

    def report_once(self, key: str, message: str) -> None:
        if key in self.reported:
            return
        self.reported.add(key)
        self.say(message)

    # ---- shutting down ------------------------------------------------------------------------
    def backlog(self) -> Tuple[int, int]:
        with self.queue_cond:
            return len(self.queue), sum(q.points for q in self.queue)

    def settle_all(self) -> None:
        """Processes and cuts everything logged so far (called with the writer stopped or from the writer's lock)."""
        self.process()
        self.cut()

    def drain_sync(self, deadline: Optional[float] = None) -> None:
        """Sync mode: delivers every queued batch from the calling thread."""
        attempt = 0
        while True:
            with self.queue_cond:
                head = self.queue[0] if self.queue else None
            if head is None:
                return
            wait = self.send_head(head)
            if wait is None:
                attempt = 0
                continue
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(wait if wait >= 0 else backoff_delay(attempt))
            attempt += 1

    def wait_delivered(self, timeout: Optional[float], progress: Optional[Callable[[int, int], None]] = None) -> bool:
        """Waits until every cut batch is settled; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self.sender is None:
            self.drain_sync(deadline)
            return not self.queue
        total = len(self.queue)
        last_progress = time.monotonic()
        with self.queue_cond:
            while self.queue:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self.queue_cond.wait(0.25 if remaining is None else min(0.25, remaining))
                if progress and total > 2 and time.monotonic() - last_progress > 2.0:
                    last_progress = time.monotonic()
                    progress(total - len(self.queue), total)
        return True

    def stop(self) -> None:
        self.stop_writer.set()
        self.writer_wake.set()
        if self.writer is not None and self.writer is not threading.current_thread():
            self.writer.join(5.0)

    def stop_sender(self) -> None:
        self.stop_sending.set()
        with self.queue_cond:
            self.queue_cond.notify_all()
        if self.sender is not None and self.sender is not threading.current_thread():
            self.sender.join(5.0)
