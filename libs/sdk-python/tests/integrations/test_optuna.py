"""Optuna: a small study, one run per trial, found again through the study's tag."""

from __future__ import annotations

import uuid

import optuna
import pytest
from trackbase_testing import Tenant

import trackbase
from trackbase.integrations.optuna import TrackbaseOptunaCallback, study_tag

from helpers import run_detail, series
from support import init_options, runs_tagged

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -2.0, 2.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    for step in range(3):
        trial.report((x - 1) ** 2 + step, step)
    if trial.number == 2:
        raise optuna.TrialPruned()
    return (x - 1) ** 2 + (0.5 if kind == "b" else 0.0)


def test_every_trial_is_a_run_of_the_study(tenant: Tenant) -> None:
    name = f"study-{uuid.uuid4().hex[:8]}"
    study = optuna.create_study(study_name=name, sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=4, callbacks=[TrackbaseOptunaCallback(**init_options(tenant, tags=["search"]))])

    found = {r["name"]: r for r in runs_tagged(tenant, study_tag(name))}
    assert sorted(found) == [f"{name}-trial-{n}" for n in range(4)]
    for trial in study.trials:
        key = found[f"{name}-trial-{trial.number}"]["key"]
        detail = run_detail(tenant, key)
        assert sorted(detail["tags"]) == sorted([study_tag(name), "search"])
        assert detail["params"]["x"] == pytest.approx(trial.params["x"]) and detail["params"]["kind"] == trial.params["kind"]
        assert detail["params"]["optuna.study"] == name and detail["params"]["optuna.trial"] == trial.number
        assert detail["params"]["optuna.directions"] == ["minimize"]
        assert series(tenant, key, "intermediate_value")["steps"] == [0, 1, 2]
        if trial.number == 2:
            assert detail["state"] == "aborted"
            assert detail["params"]["summary.optuna_state"] == "pruned"
        else:
            assert detail["state"] == "finished"
            assert series(tenant, key, "value")["values"] == [pytest.approx(trial.value)]
            assert detail["params"]["summary.value"] == pytest.approx(trial.value)


def test_several_objectives_take_the_names_given(tenant: Tenant) -> None:
    name = f"multi-{uuid.uuid4().hex[:8]}"
    study = optuna.create_study(study_name=name, directions=["minimize", "maximize"])
    callback = TrackbaseOptunaCallback(metric_names=["loss", "accuracy"], **init_options(tenant))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 0.5), n_trials=1, callbacks=[callback])
    (run,) = runs_tagged(tenant, study_tag(name))
    detail = run_detail(tenant, run["key"])
    assert detail["params"]["summary.accuracy"] == 0.5
    assert detail["params"]["optuna.directions"] == ["minimize", "maximize"]
    assert series(tenant, run["key"], "loss")["values"] == [pytest.approx(study.trials[0].values[0])]


def test_a_decorated_objective_logs_into_its_trial_run(tenant: Tenant) -> None:
    name = f"inside-{uuid.uuid4().hex[:8]}"
    callback = TrackbaseOptunaCallback(**init_options(tenant))

    @callback.track_in_trackbase()
    def tracked(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        for epoch in range(3):
            trackbase.log({"train/loss": x / (epoch + 1)}, step=epoch)
        if trial.number == 1:
            raise ValueError("bad trial")
        return x

    study = optuna.create_study(study_name=name)
    study.optimize(tracked, n_trials=2, callbacks=[callback], catch=(ValueError,))
    found = {r["name"]: r for r in runs_tagged(tenant, study_tag(name))}
    assert sorted(found) == [f"{name}-trial-0", f"{name}-trial-1"]  # one run per trial, none twice
    good = found[f"{name}-trial-0"]["key"]
    assert series(tenant, good, "train/loss")["steps"] == [0, 1, 2]
    assert run_detail(tenant, good)["state"] == "finished"
    assert run_detail(tenant, good)["params"]["x"] == pytest.approx(study.trials[0].params["x"])
    bad = found[f"{name}-trial-1"]["key"]
    assert run_detail(tenant, bad)["state"] == "failed"
    assert any("bad trial" in line for line in series(tenant, bad, "traceback", kind="text")["lines"])
