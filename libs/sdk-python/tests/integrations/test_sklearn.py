"""scikit-learn: a fitted pipeline logged as a model artifact with its parameters, and loaded back."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from trackbase_testing import Tenant

import trackbase
from trackbase.integrations.sklearn import load_model, log_model

from helpers import run_detail
from support import artifact, init_options, version_files


def fitted():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] > 0).astype(int)
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=200)).fit(x, y), x, y


def test_a_fitted_estimator_becomes_a_model_version_with_its_parameters(tenant: Tenant) -> None:
    model, x, y = fitted()
    with trackbase.init(**init_options(tenant)) as run:
        version = log_model(model, "classifier", metrics={"accuracy": model.score(x, y)}, aliases=["candidate"])
    assert version is not None and version["version"] == "v1"

    stored = artifact(tenant, "classifier")
    assert stored["kind"] == "model" and stored["aliases"]["candidate"] == "v1"
    meta = stored["versions"][0]["metadata"]
    assert meta["class"] == "sklearn.pipeline.Pipeline"
    assert meta["params"]["logisticregression__C"] == 0.5 and meta["params"]["logisticregression"] == "LogisticRegression"
    assert meta["metrics"]["accuracy"] == pytest.approx(model.score(x, y))
    assert meta["n_features_in"] == 3 and meta["classes"] == [0, 1]
    assert stored["versions"][0]["producer"]["key"] == run.key
    assert version_files(tenant, "classifier", "v1") == ["model.pkl"]

    detail = run_detail(tenant, run.key)
    assert detail["params"]["model.class"] == "sklearn.pipeline.Pipeline"
    assert detail["params"]["model.params.logisticregression__C"] == 0.5
    (output,) = detail["outputs"]
    assert output["kind"] == "model" and output["name"] == "classifier" and output["version"] == "v1"
    assert output["hyperparameters"]["logisticregression__max_iter"] == 200

    restored = load_model(f"{tenant.ref}/classifier:candidate")
    assert np.array_equal(restored.predict(x), model.predict(x))


def test_the_same_model_again_is_the_same_version(tenant: Tenant) -> None:
    model, _, _ = fitted()
    with trackbase.init(**init_options(tenant)):
        first = log_model(model, "same")
        second = log_model(model, "same")
    assert first is not None and second is not None
    assert second["version"] == first["version"] and second["created"] is False


def test_an_unfitted_estimator_is_reported_not_raised(tenant: Tenant, capsys: pytest.CaptureFixture[str]) -> None:
    with trackbase.init(**init_options(tenant)):
        assert log_model(LogisticRegression(), "nothing") is None
        with pytest.raises(NotFittedError):
            log_model(LogisticRegression(), "nothing", raise_errors=True)
    assert "the scikit-learn integration failed in log_model (NotFittedError" in capsys.readouterr().err
