"""The shared test vectors (libs/contracts/test-vectors), as the TypeScript SDK's tests read them too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trackbase import _paths
from trackbase._artifacts import ArtifactCache, parse_artifact_ref
from trackbase._backoff import Backoff, backoff_delay, retry_after_seconds
from trackbase._errors import is_retryable_batch_status, is_retryable_status
from trackbase._files import pending_parts
from trackbase._journal import JOURNAL, META, Journal, batch_from_entries, write_meta
from trackbase._redact import redact_env, redact_value

from conftest import vector


@pytest.mark.parametrize("case", vector("batches.json"), ids=lambda c: c["name"])
def test_journal_entries_become_the_shared_batch(case: dict) -> None:
    batch, points = batch_from_entries(case["streamId"], case["seq"], case["entries"])
    assert batch == case["batch"]
    assert points == case["points"]


@pytest.mark.parametrize("case", vector("journal-replay.json"), ids=lambda c: c["name"])
def test_journal_replay_follows_the_shared_format(case: dict, tmp_path: Path) -> None:
    write_meta(
        tmp_path,
        {"localId": "l", "org": "o", "project": "p", "streamId": "s", "createdAt": "2026-01-01T00:00:00Z", "mode": "async"},
    )
    text = "\n".join(case["lines"])
    if case["lines"][-1].endswith("}"):  # the torn case ends without its newline
        text += "\n"
    (tmp_path / JOURNAL).write_text(text)
    state = Journal.replay(tmp_path)
    assert [p.seq for p in state.pending] == case["pending"]
    assert [len(p.entries) for p in state.pending] == case["pendingEntries"]
    assert len(state.tail) == case["tail"]
    assert state.next_seq == case["nextSeq"]
    assert state.finish_state == case["finishState"]
    assert state.rejected == case["rejected"]
    assert (tmp_path / META).exists()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("case", vector("paths.json"), ids=lambda c: c["fn"])
def test_rest_paths_match_the_contracts(case: dict) -> None:
    assert getattr(_paths, _snake(case["fn"]))(*case["args"]) == case["path"]


def test_retry_rules_match() -> None:
    rules = vector("retry.json")
    assert all(is_retryable_status(s) for s in rules["retryableStatuses"])
    assert not any(is_retryable_status(s) for s in rules["finalStatuses"])
    assert all(is_retryable_batch_status(s) for s in rules["batchRetryableStatuses"])
    assert not any(is_retryable_batch_status(s) for s in rules["batchFinalStatuses"])
    for case in rules["backoff"]:
        options = Backoff(case["initialMs"] / 1000, case["maxMs"] / 1000, case["factor"])
        assert backoff_delay(case["attempt"], options, lambda c=case: c["random"]) * 1000 == pytest.approx(case["delayMs"])
    for case in rules["retryAfter"]:
        seconds = retry_after_seconds(case["header"], now=case["nowMs"] / 1000)
        assert (None if seconds is None else round(seconds * 1000)) == case["ms"]


@pytest.mark.parametrize("case", vector("upload-plans.json"), ids=lambda c: c["name"])
def test_upload_plans_resume_with_the_missing_parts(case: dict) -> None:
    parts = [{"partNumber": n, "start": s, "end": e} for n, s, e in pending_parts(case["plan"])]
    assert parts == case["parts"]


def test_artifact_references_and_the_cache_layout() -> None:
    refs = vector("artifact-refs.json")
    for case in refs["valid"]:
        assert parse_artifact_ref(case["ref"]) == case["parsed"]
    for bad in refs["invalid"]:
        with pytest.raises(ValueError, match="artifact is named"):
            parse_artifact_ref(bad)
    layout = refs["cacheLayout"]
    cache = ArtifactCache(Path("/cache"))
    assert cache.object_path(layout["sha256"]) == Path("/cache") / layout["object"]
    v = layout["version"]
    assert cache.version_dir(v["org"], v["project"], v["name"], v["version"]) == Path("/cache") / v["dir"]


def test_redaction_keeps_harmless_names_and_removes_credentials_inside_values() -> None:
    cases = vector("redaction.json")
    recorded = redact_env({c["name"]: c["value"] for c in cases["env"]})
    assert recorded == {c["name"]: c["recorded"] for c in cases["env"]}
    for case in cases["values"]:
        assert redact_value(case["value"]) == case["recorded"], case["value"]


@pytest.mark.parametrize("case", vector("key-expiry.json"), ids=lambda c: c["input"])
def test_key_expiry_reads_like_the_npm_cli(case: dict) -> None:
    from datetime import datetime

    from trackbase.cli._keys import parse_expiry
    from trackbase.cli._program import UsageError

    now = datetime.fromisoformat(case["now"].replace("Z", "+00:00"))
    if case.get("error"):
        with pytest.raises(UsageError):
            parse_expiry(case["input"], now)
    else:
        assert parse_expiry(case["input"], now) == case["expiresAt"]
