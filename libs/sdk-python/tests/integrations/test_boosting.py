"""XGBoost and LightGBM: a few boosting rounds on a small random classification problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Tuple

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from trackbase_testing import Tenant

import trackbase
from trackbase.integrations.lightgbm import TrackbaseLightGBMCallback, iteration_metrics
from trackbase.integrations.xgboost import TrackbaseXGBoostCallback, round_metrics

from helpers import run_detail, series
from support import artifact, init_options, version_files


def classification() -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(240, 5))
    y = (x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.normal(size=240) > 0).astype(int)
    return x[:160], y[:160], x[160:], y[160:]


def test_round_metrics_take_the_last_value_and_cv_pairs() -> None:
    assert round_metrics({"val": {"logloss": [0.6, 0.5]}, "cv": {"auc": [(0.8, 0.01)]}}) == {
        "val/logloss": 0.5,
        "cv/auc": 0.8,
        "cv/auc_std": 0.01,
    }


def test_xgboost_rounds_parameters_and_the_booster_reach_the_run(tenant: Tenant, tmp_path: Path) -> None:
    xt, yt, xv, yv = classification()
    dtrain, dval = xgb.DMatrix(xt, label=yt), xgb.DMatrix(xv, label=yv)
    callback = TrackbaseXGBoostCallback(log_model=True, **init_options(tenant, name="xgb"))
    results: Dict[str, Any] = {}
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 2, "eta": 0.3, "eval_metric": ["logloss", "error"]},
        dtrain,
        num_boost_round=6,
        evals=[(dtrain, "train"), (dval, "val")],
        evals_result=results,
        callbacks=[callback],
        verbose_eval=False,
    )
    run = callback.run
    assert run is not None and run.finished
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished"
    params = detail["params"]
    assert params["xgboost.max_depth"] == 2 and params["xgboost.eta"] == pytest.approx(0.3)
    assert params["xgboost.objective"] == "binary:logistic"
    assert params["summary.rounds"] == 6
    for name in ("train/logloss", "val/logloss", "val/error"):
        data, metric = name.split("/")
        points = series(tenant, run.key, name)
        assert points["steps"] == list(range(6))
        assert np.allclose(points["values"], results[data][metric])

    assert version_files(tenant, f"model-{run.key}", "v1") == ["model.json"]
    directory = trackbase.use_artifact(f"{tenant.ref}/model-{run.key}:latest", root=str(tmp_path / "dl"))
    restored = xgb.Booster(model_file=str(directory / "model.json"))
    assert np.allclose(restored.predict(dval), booster.predict(dval))


def test_xgboost_sklearn_api_with_early_stopping_records_the_best_iteration(tenant: Tenant) -> None:
    xt, yt, xv, yv = classification()
    with trackbase.init(**init_options(tenant)) as run:
        model = xgb.XGBClassifier(
            n_estimators=40, max_depth=2, learning_rate=0.5, early_stopping_rounds=2, callbacks=[TrackbaseXGBoostCallback()]
        )
        model.fit(xt, yt, eval_set=[(xv, yv)], verbose=False)
        assert not run.finished  # the open run is the user's
    detail = run_detail(tenant, run.key)
    assert detail["params"]["summary.best_iteration"] == model.best_iteration
    assert len(series(tenant, run.key, "validation_0/logloss")["steps"]) == model.best_iteration + 3


def test_a_failing_tracker_never_stops_boosting(tenant: Tenant, capsys: pytest.CaptureFixture[str]) -> None:
    xt, yt, _, _ = classification()
    run = trackbase.init(**init_options(tenant))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    run.log = broken  # type: ignore[method-assign]
    dtrain = xgb.DMatrix(xt, label=yt)
    booster = xgb.train(
        {"max_depth": 2},
        dtrain,
        num_boost_round=4,
        evals=[(dtrain, "train")],
        callbacks=[TrackbaseXGBoostCallback(run=run)],
        verbose_eval=False,
    )
    assert booster.num_boosted_rounds() == 4  # a failing callback answers "go on", never "stop"
    assert capsys.readouterr().err.count("the XGBoost integration failed") == 1
    run.finish()


def test_iteration_metrics_name_data_and_metric() -> None:
    assert iteration_metrics([("val", "auc", 0.9, True), ("cv_agg", "valid l2", 0.2, False, 0.01)]) == {
        "val/auc": 0.9,
        "valid/l2": 0.2,
        "valid/l2_std": 0.01,
    }


def lgb_params() -> Dict[str, Any]:
    return {
        "objective": "binary",
        "num_leaves": 4,
        "learning_rate": 0.3,
        "metric": ["binary_logloss", "auc"],
        "verbose": -1,
        "num_threads": 1,
    }


def test_lightgbm_iterations_and_parameters_reach_the_run_which_ends_with_training(tenant: Tenant) -> None:
    xt, yt, xv, yv = classification()
    train = lgb.Dataset(xt, label=yt)
    val = lgb.Dataset(xv, label=yv, reference=train)
    callback = TrackbaseLightGBMCallback(**init_options(tenant, name="lgb"))
    results: Dict[str, Any] = {}
    lgb.train(
        lgb_params(),
        train,
        num_boost_round=5,
        valid_sets=[val],
        valid_names=["val"],
        callbacks=[callback, lgb.record_evaluation(results)],
    )
    run = callback.run
    assert run is not None and run.finished  # the last planned iteration finished it
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished"
    assert detail["params"]["lightgbm.num_leaves"] == 4 and detail["params"]["lightgbm.objective"] == "binary"
    for metric in ("binary_logloss", "auc"):
        points = series(tenant, run.key, f"val/{metric}")
        assert points["steps"] == list(range(5))
        assert np.allclose(points["values"], results["val"][metric])


def test_lightgbm_early_stopping_then_finish_logs_the_best_iteration_and_model(tenant: Tenant, tmp_path: Path) -> None:
    xt, yt, xv, yv = classification()
    train = lgb.Dataset(xt, label=yt)
    val = lgb.Dataset(xv, label=yv, reference=train)
    callback = TrackbaseLightGBMCallback(log_model=True, model_name="gbm", **init_options(tenant))
    params = {**lgb_params(), "learning_rate": 0.9, "metric": "binary_logloss"}
    booster = lgb.train(
        params,
        train,
        num_boost_round=200,
        valid_sets=[val],
        valid_names=["val"],
        callbacks=[callback, lgb.early_stopping(2, verbose=False)],
    )
    assert booster.best_iteration < 200
    run = callback.run
    assert run is not None and not run.finished
    callback.finish(booster)
    assert run.finished
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished"
    assert detail["params"]["summary.best_iteration"] == booster.best_iteration
    # Every iteration was logged, the one that stopped training included (the callback runs before early stopping).
    assert len(series(tenant, run.key, "val/binary_logloss")["steps"]) == booster.best_iteration + 2
    assert artifact(tenant, "gbm")["versions"][0]["metadata"]["framework"] == "lightgbm"
    directory = trackbase.use_artifact(f"{tenant.ref}/gbm:latest", root=str(tmp_path / "dl"))
    restored = lgb.Booster(model_file=str(directory / "model.txt"))
    assert np.allclose(restored.predict(xv), booster.predict(xv))
