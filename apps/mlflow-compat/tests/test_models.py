"""scikit-learn autologging, log_model, and loading models back from runs:/ and from the registry by alias."""

from __future__ import annotations

import mlflow
import numpy as np
from sklearn.linear_model import LogisticRegression

from conftest import MLFLOW_MAJOR, Mlflow

X = np.array([[0.0, 0.1], [0.2, 0.0], [1.0, 0.9], [0.9, 1.1], [0.1, 0.2], [1.1, 1.0]])
Y = np.array([0, 0, 1, 1, 0, 1])


def test_autolog_log_model_and_load_from_the_run_and_the_registry(ml: Mlflow) -> None:
    mlflow.set_experiment("sklearn")
    mlflow.sklearn.autolog(log_models=False, log_datasets=False)
    try:
        with mlflow.start_run() as run:
            model = LogisticRegression(C=0.5, max_iter=200).fit(X, Y)
            if MLFLOW_MAJOR >= 3:
                info = mlflow.sklearn.log_model(model, name="model")
            else:
                info = mlflow.sklearn.log_model(model, artifact_path="model")
    finally:
        mlflow.sklearn.autolog(disable=True)
    run_id = run.info.run_id
    data = ml.client.get_run(run_id).data
    assert data.params["C"] == "0.5"
    assert "training_accuracy_score" in data.metrics

    expected = model.predict(X)
    from_run = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    assert (from_run.predict(X) == expected).all()
    if MLFLOW_MAJOR >= 3:
        assert mlflow.pyfunc.load_model(info.model_uri).predict(X).tolist() == expected.tolist()
        outputs = ml.client.get_run(run_id).outputs.model_outputs
        assert [o.model_id for o in outputs] == [info.model_id]

    version = mlflow.register_model(f"runs:/{run_id}/model", "tiny-classifier")
    assert version.version == "1"
    ml.client.set_registered_model_alias("tiny-classifier", "champion", version.version)
    assert ml.client.get_model_version_by_alias("tiny-classifier", "champion").version == "1"
    from_registry = mlflow.pyfunc.load_model("models:/tiny-classifier@champion")
    assert (from_registry.predict(X) == expected).all()
    assert mlflow.pyfunc.load_model("models:/tiny-classifier/1").predict(X).tolist() == expected.tolist()
    assert [v.version for v in ml.client.search_model_versions("name = 'tiny-classifier'")] == ["1"]
    ml.client.delete_registered_model_alias("tiny-classifier", "champion")
    assert ml.client.get_registered_model("tiny-classifier").aliases == {}

    # The registered version is a Trackbase artifact of kind model, with the version as v1.
    api = ml.tenant.owner.api
    artifact = api.get(f"/orgs/{ml.tenant.org}/projects/default/artifacts/tiny-classifier")
    assert artifact["kind"] == "model" and [v["version"] for v in artifact["versions"]] == ["v1"]
