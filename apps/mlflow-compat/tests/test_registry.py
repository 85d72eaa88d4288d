"""Model registry beyond create and alias: version description, stages (as MLflow 2.x keeps them), version tags, rename."""

from __future__ import annotations

import warnings

import pytest
from mlflow.exceptions import MlflowException

from conftest import Mlflow


def test_versions_change_description_stage_and_tags_and_follow_a_rename(ml: Mlflow) -> None:
    warnings.simplefilter("ignore")  # stages are deprecated in 3.x, still served
    c = ml.client
    run = c.create_run("0")
    c.create_registered_model("ranker")
    v1 = c.create_model_version("ranker", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    v2 = c.create_model_version("ranker", f"runs:/{run.info.run_id}/model-2", run_id=run.info.run_id)
    assert (v1.version, v2.version, v1.current_stage) == ("1", "2", "None")

    c.update_model_version("ranker", "1", description="first try")
    assert c.get_model_version("ranker", "1").description == "first try"

    assert c.transition_model_version_stage("ranker", "1", "staging").current_stage == "Staging"
    moved = c.transition_model_version_stage("ranker", "2", "Staging", archive_existing_versions=True)
    assert moved.current_stage == "Staging"
    assert c.get_model_version("ranker", "1").current_stage == "Archived"
    assert [(v.version, v.current_stage) for v in c.get_latest_versions("ranker", stages=["Staging"])] == [("2", "Staging")]
    assert {(v.version, v.current_stage) for v in c.get_latest_versions("ranker")} == {("1", "Archived"), ("2", "Staging")}
    with pytest.raises(MlflowException) as error:
        c.transition_model_version_stage("ranker", "2", "Shipped")
    assert error.value.error_code == "INVALID_PARAMETER_VALUE"

    c.set_model_version_tag("ranker", "2", "validated", "yes")
    c.set_model_version_tag("ranker", "2", "owner", "alice")
    c.delete_model_version_tag("ranker", "2", "owner")
    assert c.get_model_version("ranker", "2").tags == {"validated": "yes"}
    c.set_registered_model_alias("ranker", "champion", "2")

    c.rename_registered_model("ranker", "ranker-v2")
    assert c.get_registered_model("ranker-v2").name == "ranker-v2"
    with pytest.raises(MlflowException) as error:
        c.get_registered_model("ranker")
    assert error.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    # Versions, their stages, tags and aliases come along.
    after = c.get_model_version("ranker-v2", "2")
    assert (after.current_stage, after.tags) == ("Staging", {"validated": "yes"})
    assert c.get_model_version_by_alias("ranker-v2", "champion").version == "2"
    assert c.get_model_version("ranker-v2", "1").description == "first try"

    c.create_registered_model("taken")
    with pytest.raises(MlflowException) as error:
        c.rename_registered_model("ranker-v2", "taken")
    assert error.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert c.get_registered_model("ranker-v2").name == "ranker-v2"


def test_a_reader_cannot_change_a_version(ml: Mlflow) -> None:
    run = ml.client.create_run("0")
    ml.client.create_registered_model("guarded")
    ml.client.create_model_version("guarded", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    viewer = ml.client_for(ml.tenant.add_member("member").api_key())
    assert viewer.get_model_version("guarded", "1").current_stage == "None"
    for attempt in (
        lambda: viewer.transition_model_version_stage("guarded", "1", "Production"),
        lambda: viewer.set_model_version_tag("guarded", "1", "k", "v"),
        lambda: viewer.rename_registered_model("guarded", "mine"),
    ):
        with pytest.raises(MlflowException) as error:
            attempt()
        assert error.value.error_code == "PERMISSION_DENIED"
