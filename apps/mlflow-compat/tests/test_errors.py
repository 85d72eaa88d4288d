"""Errors as the MLflow client branches on them: JSON error codes, always 4xx for bad input."""

from __future__ import annotations

import uuid

import mlflow
import pytest
import requests
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException

from conftest import Mlflow
from trackbase_testing import new_tenant


def code(error: pytest.ExceptionInfo[MlflowException]) -> str:
    return str(error.value.error_code)


def test_unknown_experiment_and_run_do_not_exist(ml: Mlflow) -> None:
    with pytest.raises(MlflowException) as error:
        ml.client.get_experiment(str(uuid.uuid4()))
    assert code(error) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as error:
        ml.client.get_run(uuid.uuid4().hex)
    assert code(error) == "RESOURCE_DOES_NOT_EXIST"
    assert ml.client.get_experiment_by_name("no such experiment") is None


def test_another_organizations_run_answers_like_a_missing_one(ml: Mlflow) -> None:
    other = new_tenant(ml.tenant.url)
    theirs = ml.client_for(other.key, other.org)
    run = theirs.create_run(theirs.create_experiment("private"))
    ml.client_for(ml.tenant.key)  # back to our own key, as Basic auth
    for attempt in (lambda: ml.client.get_run(run.info.run_id), lambda: ml.client.log_metric(run.info.run_id, "m", 1.0)):
        with pytest.raises(MlflowException) as error:
            attempt()
        assert code(error) == "RESOURCE_DOES_NOT_EXIST"
    # Our key on their organization's URL: the organization itself is not there.
    with pytest.raises(MlflowException) as error:
        MlflowClientForOrg(ml, other.org).get_run(run.info.run_id)
    assert code(error) == "RESOURCE_DOES_NOT_EXIST"


def MlflowClientForOrg(ml: Mlflow, org: str):  # noqa: N802
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=f"{ml.tenant.url}/mlflow/{org}")


def test_a_viewer_reads_but_cannot_log(ml: Mlflow) -> None:
    experiment_id = ml.client.create_experiment("viewed")
    run = ml.client.create_run(experiment_id)
    ml.client.log_param(run.info.run_id, "p", "1")
    viewer = ml.tenant.add_member("member")
    viewer_client = ml.client_for(viewer.api_key())
    assert viewer_client.get_run(run.info.run_id).data.params == {"p": "1"}
    for attempt in (
        lambda: viewer_client.log_metric(run.info.run_id, "m", 1.0),
        lambda: viewer_client.create_run(experiment_id),
        lambda: viewer_client.set_tag(run.info.run_id, "k", "v"),
    ):
        with pytest.raises(MlflowException) as error:
            attempt()
        assert code(error) == "PERMISSION_DENIED"


def test_a_changed_param_is_refused_and_the_same_value_accepted(ml: Mlflow) -> None:
    run = ml.client.create_run(ml.client.create_experiment("params"))
    ml.client.log_param(run.info.run_id, "lr", "0.1")
    ml.client.log_param(run.info.run_id, "lr", "0.1")
    with pytest.raises(MlflowException) as error:
        ml.client.log_param(run.info.run_id, "lr", "0.2")
    assert code(error) == "INVALID_PARAMETER_VALUE"
    assert ml.client.get_run(run.info.run_id).data.params["lr"] == "0.1"


def test_mlflows_batch_limits_are_answered_400(ml: Mlflow) -> None:
    run = ml.client.create_run(ml.client.create_experiment("limits"))
    url = f"{ml.uri}/api/2.0/mlflow/runs/log-batch"
    headers = {"Authorization": f"Bearer {ml.tenant.key}"}
    metrics = [{"key": "m", "value": 1.0, "timestamp": 1, "step": i} for i in range(1001)]
    response = requests.post(url, json={"run_id": run.info.run_id, "metrics": metrics}, headers=headers, timeout=30)
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    params = [{"key": f"p{i}", "value": "v"} for i in range(101)]
    response = requests.post(url, json={"run_id": run.info.run_id, "params": params}, headers=headers, timeout=30)
    assert response.status_code == 400
    bad = requests.post(url, json={"run_id": run.info.run_id, "metrics": [{"key": "m", "value": True, "timestamp": -1}]}, headers=headers, timeout=30)
    assert bad.status_code == 400 and bad.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    # Nothing of the refused batches was written.
    assert ml.client.get_metric_history(run.info.run_id, "m") == []
    # The client's own batching splits a large log_batch into accepted requests.
    ml.client.log_batch(run.info.run_id, metrics=[Metric("m", float(i), 1, i) for i in range(2500)])
    assert len(ml.client.get_metric_history(run.info.run_id, "m")) == 2500


def test_unserved_endpoints_and_bad_credentials_answer_mlflow_json(ml: Mlflow) -> None:
    response = requests.get(f"{ml.uri}/api/2.0/mlflow/no-such-thing", headers={"Authorization": f"Bearer {ml.tenant.key}"}, timeout=30)
    assert response.status_code == 404 and response.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    response = requests.get(f"{ml.uri}/api/2.0/mlflow/experiments/get?experiment_id=0", headers={"Authorization": "Bearer nope"}, timeout=30)
    assert response.status_code == 401 and response.json()["error_code"] == "UNAUTHENTICATED"
    response = requests.get(f"{ml.uri}/api/2.0/mlflow/experiments/get?experiment_id=0", auth=("whoever", ml.tenant.key), timeout=30)
    assert response.status_code == 200 and response.json()["experiment"]["name"] == "Default"
    with pytest.raises(MlflowException) as error:
        ml.client.search_runs(["0"], "metrics.acc >")
    assert code(error) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as error:
        mlflow.MlflowClient(ml.uri).search_runs(["0"], page_token="bm90IGEgY3Vyc29y")
    assert code(error) == "INVALID_PARAMETER_VALUE"
