"""The first vertical slice against the real built server: init, log, config, summary, tags, notes, finish, modes."""

from __future__ import annotations

import pytest
from trackbase_testing import Tenant

import trackbase
from trackbase._journal import list_journals
from trackbase._sync import sync_journal

from helpers import eventually, run_detail, runs, series


def start(tenant: Tenant, **kw: object) -> trackbase.Run:
    options = dict(
        url=tenant.url, api_key=tenant.key, system_metrics_interval=0, capture_console=False, context=False, save_code=False
    )
    options.update(kw)
    return trackbase.init(project=tenant.ref, **options)  # type: ignore[arg-type]


def test_a_run_logs_metrics_config_tags_and_notes_and_finishes(tenant: Tenant) -> None:
    run = start(tenant, name="first", config={"optimizer": {"name": "adam", "lr": 3e-4}, "batch": 64}, tags=["baseline"])
    assert run.key and run.url
    for step in range(50):
        run.log({"train/loss": 1.0 / (step + 1), "acc": step / 50}, step=step)
    run.config.optimizer.lr = 1e-3
    run.config["epochs"] = 3
    run.summary["best_acc"] = 0.98
    run.tags = ["baseline", "v2"]
    run.notes = "tried a bigger learning rate"
    assert run.summary["train/loss"] == pytest.approx(1 / 50)
    assert run.finish() is True

    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished"
    assert detail["name"] == "first"
    assert detail["params"]["optimizer.lr"] == 1e-3
    assert detail["params"]["optimizer.name"] == "adam"
    assert detail["params"]["batch"] == 64 and detail["params"]["epochs"] == 3
    assert detail["params"]["summary.best_acc"] == 0.98
    assert sorted(detail["tags"]) == ["baseline", "v2"]
    assert detail["notes"] == "tried a bigger learning rate"
    loss = series(tenant, run.key, "train/loss")
    assert loss["steps"] == list(range(50))
    assert loss["values"][-1] == pytest.approx(1 / 50)
    assert list_journals(run.dir.parent.parent) == []  # delivered: the journal is gone


def test_steps_default_to_one_past_the_last(tenant: Tenant) -> None:
    run = start(tenant)
    run.log({"a": 1})
    run.log({"a": 2})
    run.log({"a": 3}, step=10)
    run.log({"a": 4})
    run.finish()
    assert series(tenant, run.key, "a")["steps"] == [0, 1, 10, 11]


def test_an_exception_in_the_with_block_marks_the_run_failed_with_its_traceback(tenant: Tenant) -> None:
    with pytest.raises(ZeroDivisionError), start(tenant) as run:
        run.log({"x": 1})
        1 / 0  # noqa: B018
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "failed"
    text = series(tenant, run.key, "traceback", kind="text")
    assert any("ZeroDivisionError" in line for line in text["lines"])


def test_keyboard_interrupt_in_the_with_block_marks_the_run_aborted(tenant: Tenant) -> None:
    with pytest.raises(KeyboardInterrupt), start(tenant) as run:
        raise KeyboardInterrupt
    assert run_detail(tenant, run.key)["state"] == "aborted"


def test_module_level_log_and_finish_use_the_last_init(tenant: Tenant) -> None:
    run = start(tenant)
    assert trackbase.run is run
    trackbase.log({"m": 5}, step=2)
    assert trackbase.finish() is True
    assert series(tenant, run.key, "m")["values"] == [5]


def test_sync_mode_delivers_before_log_returns(tenant: Tenant) -> None:
    run = start(tenant, mode="sync")
    run.log({"s": 1.5}, step=0)
    # No flush and no finish: the point is on the server already.
    assert series(tenant, run.key, "s")["values"] == [1.5]
    run.finish()


def test_offline_mode_keeps_everything_for_sync(tenant: Tenant) -> None:
    run = start(tenant, mode="offline", name="on-the-plane", config={"lr": 0.1})
    for step in range(5):
        run.log({"loss": float(step)}, step=step)
    assert run.finish() is False
    assert runs(tenant) == []
    journals = list_journals(run.dir.parent.parent)
    assert len(journals) == 1
    api = trackbase._init.TrackbaseApi(trackbase._http.HttpClient(tenant.url, tenant.key))  # type: ignore[attr-defined]
    result = sync_journal(api, journals[0])
    assert result.removed and result.finished == "finished" and result.points == 6 - 1
    detail = run_detail(tenant, str(result.run_key))
    assert detail["name"] == "on-the-plane" and detail["state"] == "finished" and detail["params"]["lr"] == 0.1
    assert series(tenant, detail["key"], "loss")["values"] == [0, 1, 2, 3, 4]


def test_disabled_mode_records_nothing_and_needs_no_project() -> None:
    run = trackbase.init(mode="disabled", config={"a": {"b": 1}})
    run.log({"x": 1})
    assert run.config.a.b == 1
    assert run.dir is None
    assert run.finish() is True


def test_an_unreachable_server_at_init_still_logs_and_leaves_the_journal(tenant: Tenant) -> None:
    messages: list = []
    run = trackbase.init(
        project=tenant.ref,
        url="http://127.0.0.1:1",
        api_key=tenant.key,
        system_metrics_interval=0,
        capture_console=False,
        context=False,
        save_code=False,
        say=messages.append,
    )
    run.log({"x": 1})
    assert run.finish(timeout=0.5) is False
    assert any("trackbase sync" in m for m in messages)
    assert len(list_journals(run.dir.parent.parent)) == 1


def test_a_wrong_key_fails_at_init(tenant: Tenant) -> None:
    with pytest.raises(trackbase.TrackbaseApiError) as raised:
        start(tenant, api_key="tbk_wrong")
    assert raised.value.status == 401


def test_init_creates_a_missing_project_when_the_role_allows_and_says_so(tenant: Tenant) -> None:
    messages: list = []
    options = dict(url=tenant.url, api_key=tenant.key, system_metrics_interval=0, capture_console=False, context=False)
    run = trackbase.init(project=f"{tenant.org}/fresh-project", save_code=False, say=messages.append, **options)  # type: ignore[arg-type]
    run.log({"loss": 1.0}, step=0)
    assert run.finish() is True
    assert any("created project" in m and f"{tenant.org}/fresh-project" in m for m in messages)
    with pytest.raises(trackbase.TrackbaseApiError) as raised:
        trackbase.init(project=f"{tenant.org}/typo-project", save_code=False, create_project=False, **options)  # type: ignore[arg-type]
    assert raised.value.status == 404


def test_a_project_in_an_unknown_organization_names_the_organization(tenant: Tenant) -> None:
    options = dict(url=tenant.url, system_metrics_interval=0, capture_console=False, context=False, save_code=False)
    with pytest.raises(trackbase.TrackbaseApiError) as raised:
        trackbase.init(project="no-such-org-xyz/nope", api_key=tenant.key, **options)  # type: ignore[arg-type]
    assert raised.value.status == 404
    assert 'organization "no-such-org-xyz"' in str(raised.value)


def test_several_runs_in_one_process_stay_apart(tenant: Tenant) -> None:
    a = start(tenant, name="a")
    b = start(tenant, name="b")
    a.log({"v": 1}, step=0)
    b.log({"v": 2}, step=0)
    a.finish()
    b.finish()
    assert series(tenant, a.key, "v")["values"] == [1]
    assert series(tenant, b.key, "v")["values"] == [2]
    eventually(lambda: len(runs(tenant)) == 2)


def test_resume_continues_the_same_run_after_its_last_step(tenant: Tenant) -> None:
    first = start(tenant)
    first.log({"loss": 1}, step=0)
    first.log({"loss": 0.5}, step=1)
    first.finish()
    again = start(tenant, resume=first.id)
    assert again.key == first.key
    again.log({"loss": 0.25})
    again.finish()
    assert series(tenant, first.key, "loss")["steps"] == [0, 1, 2]


def test_a_bad_value_is_dropped_with_its_key_reported_once_and_the_rest_arrives(tenant: Tenant) -> None:
    messages: list = []
    run = start(tenant, say=messages.append)
    for step in range(3):
        run.log({"loss": 0.1 * step, "config": {"lr": 1}, "label": "cat", "bad\nname": 1.0}, step=step)
    run.log({"after": 1.0}, step=3)
    assert run.finish() is True
    assert series(tenant, run.key, "loss")["steps"] == [0, 1, 2]
    assert series(tenant, run.key, "after")["values"] == [1]
    assert sorted(s["name"] for s in run_detail(tenant, run.key)["series"]) == ["after", "loss"]
    for key in ("'config'", "'label'", "'bad\\nname'"):
        assert sum(key in m for m in messages) == 1, messages
