"""Retries, refusals, value conversion and bounded memory, against a scripted local server."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from scripted import Scripted, ack
from trackbase._api import TrackbaseApi
from trackbase._backoff import Backoff
from trackbase._engine import EngineOptions
from trackbase._errors import TrackbaseApiError
from trackbase._http import HttpClient
from trackbase._journal import Journal
from trackbase._run import Run

FAST = Backoff(0.01, 0.05, 2)


@pytest.fixture
def servers() -> Iterator[List[Scripted]]:
    made: List[Scripted] = []
    yield made
    for s in made:
        s.close()


def make_run(server: Scripted, tmp: Path, messages: List[str], **options: Any) -> Run:
    api = TrackbaseApi(HttpClient(server.url, "tbk_x", max_attempts=1, backoff=FAST))
    return Run(
        api=api,
        mode=options.pop("mode", "async"),
        data_dir=tmp,
        org="o",
        project="p",
        run_id="00000000-0000-0000-0000-000000000001",
        options=EngineOptions(**{"flush_interval_s": 0.05, **options}),
        say=messages.append,
    )


def batch_points(batches: List[dict], name: str) -> List[Any]:
    values: List[Any] = []
    for b in batches:
        for series in b["body"].get("metrics", []):
            if series["name"] == name:
                values.extend(series["values"])
    return values


def test_http_retries_5xx_and_429_honouring_retry_after(servers: List[Scripted]) -> None:
    script = [(503, {}, {}), (429, {}, {"retry-after": "1"}), (200, {"ok": True}, {})]
    server = Scripted(lambda m, p, b, i: script[min(i, 2)], batches_only=False)
    servers.append(server)
    assert HttpClient(server.url, backoff=FAST).request("GET", "/x") == {"ok": True}
    times = [r["at"] for r in server.requests]
    assert len(times) == 3 and times[2] - times[1] >= 0.9


def test_http_does_not_retry_other_4xx_and_names_the_fields(servers: List[Scripted]) -> None:
    error = {
        "error": {"code": "validation_failed", "message": "bad", "details": [{"path": "metrics.0.name", "message": "too long"}]}
    }
    server = Scripted(lambda m, p, b, i: (400, error, {}), batches_only=False)
    servers.append(server)
    with pytest.raises(TrackbaseApiError, match="metrics.0.name: too long") as raised:
        HttpClient(server.url, backoff=FAST).request("POST", "/x", {})
    assert raised.value.code == "validation_failed" and len(server.requests) == 1


def test_a_refused_batch_is_reported_once_and_never_blocks_later_batches(servers: List[Scripted], tmp_path: Path) -> None:
    refusal = {"error": {"code": "validation_failed", "message": "no", "details": [{"path": "metrics.0"}]}}
    server = Scripted(lambda m, p, b, i: (400, refusal, {}) if b["seq"] < 2 else ack(b))
    servers.append(server)
    messages: List[str] = []
    run = make_run(server, tmp_path, messages)
    for seq in range(3):
        run.log({"x": seq}, step=seq)
        run.flush(timeout=10)
    assert run.finish(timeout=10) is True
    assert [b["body"]["seq"] for b in server.batches()] == [0, 1, 2]  # each sent once, none retried
    assert sum("refused a batch" in m for m in messages) == 1
    assert batch_points(server.batches()[2:], "x") == [2]


def test_the_sender_waits_as_long_as_retry_after_says(servers: List[Scripted], tmp_path: Path) -> None:
    server = Scripted(lambda m, p, b, i: (429, {}, {"retry-after": "1"}) if i == 0 else ack(b))
    servers.append(server)
    run = make_run(server, tmp_path, [])
    run.log({"x": 1})
    assert run.flush(timeout=10)
    first, second = server.batches()[:2]
    assert second["at"] - first["at"] >= 0.9
    run.finish()


class TensorLike:
    """Like a CUDA 0-d tensor: `item()` is the expensive call; it records which thread made it."""

    ndim = 0

    def __init__(self, value: float) -> None:
        self.value = value
        self.converted_on: List[str] = []

    def item(self) -> float:
        self.converted_on.append(threading.current_thread().name)
        return self.value


def test_tensors_are_converted_on_the_background_thread(servers: List[Scripted], tmp_path: Path) -> None:
    server = Scripted(lambda m, p, b, i: ack(b))
    servers.append(server)
    run = make_run(server, tmp_path, [])
    tensors = [TensorLike(0.5 * i) for i in range(20)]
    for i, t in enumerate(tensors):
        run.log({"loss": t}, step=i)
    assert all(t.converted_on == [] or t.converted_on[0] != threading.current_thread().name for t in tensors)
    run.finish(timeout=10)
    assert {name for t in tensors for name in t.converted_on} == {"trackbase-writer"}
    assert batch_points(server.batches(), "loss") == [0.5 * i for i in range(20)]


def test_bad_values_are_reported_once_with_their_key_and_the_rest_is_delivered(servers: List[Scripted], tmp_path: Path) -> None:
    server = Scripted(lambda m, p, b, i: ack(b))
    servers.append(server)
    messages: List[str] = []
    run = make_run(server, tmp_path, messages)
    for step in range(3):
        run.log(
            {"good": step, "nested": {"a": 1}, "word": "high", "": 1, "ctl\x07": 2, "lone\udc80": 3, "nan": float("nan")},
            step=step,
        )
    run.finish(timeout=10)
    sent = server.batches()
    assert batch_points(sent, "good") == [0, 1, 2]
    assert batch_points(sent, "nan") == ["NaN", "NaN", "NaN"]
    names = {s["name"] for b in sent for s in b["body"].get("metrics", [])}
    assert names == {"good", "nan"}
    for key in ("'nested'", "'word'", "''", "'ctl\\x07'", "'lone\\udc80'"):
        assert sum(key in m for m in messages) == 1, (key, messages)


def test_during_an_outage_only_a_window_of_batches_is_held_in_memory_and_the_rest_is_reread(
    servers: List[Scripted], tmp_path: Path
) -> None:
    outage = {"on": True}
    server = Scripted(lambda m, p, b, i: (503, {}, {}) if outage["on"] else ack(b))
    servers.append(server)
    run = make_run(server, tmp_path, [], max_queued_points=30, flush_interval_s=3600)
    engine = run._engine
    assert engine is not None
    for batch in range(10):
        for step in range(10):
            run.log({"v": batch * 10 + step}, step=batch * 10 + step)
        engine.process()
        engine.cut()
    held = [q.batch is not None for q in engine.queue]
    assert held.count(True) == 3 and held.count(False) >= 6  # 30 points' worth in memory, the others only in the journal
    outage["on"] = False
    assert run.finish(timeout=30) is True
    delivered: dict = {}
    for b in server.batches():
        if b["body"].get("metrics"):
            delivered[b["body"]["seq"]] = b["body"]["metrics"][0]["values"]
    assert [v for seq in sorted(delivered) for v in delivered[seq]] == list(range(100))


def test_a_journal_written_by_a_live_process_is_not_taken_over(tmp_path: Path) -> None:
    from trackbase._journal import JournalInUse

    journal = Journal.create(
        tmp_path / "j", {"localId": "l", "org": "o", "project": "p", "streamId": "s", "createdAt": "x", "mode": "async"}
    )
    with pytest.raises(JournalInUse):
        Journal(tmp_path / "j")
    journal.close()
    Journal(tmp_path / "j").close()


def test_logging_returns_quickly_even_when_the_server_hangs(servers: List[Scripted], tmp_path: Path) -> None:
    def slow(m: str, p: str, b: Any, i: int) -> Any:
        time.sleep(2)
        return ack(b)

    server = Scripted(slow)
    servers.append(server)
    run = make_run(server, tmp_path, [])
    started = time.monotonic()
    for step in range(2000):
        run.log({"x": step}, step=step)
    assert time.monotonic() - started < 2
    run.finish(timeout=0.1)
