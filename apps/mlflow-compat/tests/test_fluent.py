"""The fluent API end to end, as a training script uses it."""

from __future__ import annotations

import json
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from conftest import Mlflow  # noqa: E402


def test_a_training_script_logs_everything_and_reads_it_back(ml: Mlflow, tmp_path) -> None:
    experiment = mlflow.set_experiment("fluent experiment")
    assert experiment.lifecycle_stage == "active"
    # set_experiment again finds it by name rather than creating a second one
    assert mlflow.set_experiment("fluent experiment").experiment_id == experiment.experiment_id

    with mlflow.start_run(run_name="parent", description="the first try") as parent:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"layers": 3, "optimizer": "adam"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.5, "nan_metric": float("nan"), "inf_metric": float("inf")}, step=1)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev", "owner": "alice"})
        (tmp_path / "notes.txt").write_text("hello")
        (tmp_path / "dir").mkdir()
        (tmp_path / "dir" / "a.csv").write_text("x,y\n1,2\n")
        (tmp_path / "dir" / "b.json").write_text('{"k": 1}')
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
        mlflow.log_artifacts(str(tmp_path / "dir"), artifact_path="data")
        mlflow.log_dict({"a": [1, 2]}, "config/dict.json")
        mlflow.log_text("some text", "texts/t.txt")
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        mlflow.log_figure(fig, "plots/line.png")
        plt.close(fig)
        for step in range(2):
            mlflow.log_image(np.zeros((4, 4, 3), dtype=np.uint8), key="sample", step=step)
        frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
        mlflow.log_input(mlflow.data.from_pandas(frame, name="tiny", targets="y"), context="training")
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("child_metric", 7.0)
    parent_id = parent.info.run_id

    client = ml.client
    run = client.get_run(parent_id)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "parent"
    assert run.data.params == {"lr": "0.01", "layers": "3", "optimizer": "adam"}
    assert run.data.metrics["loss"] == 0.2
    assert math.isnan(run.data.metrics["nan_metric"])
    assert run.data.metrics["inf_metric"] == float("inf")
    assert run.data.tags["team"] == "vision" and run.data.tags["owner"] == "alice"
    assert run.data.tags["mlflow.note.content"] == "the first try"
    assert [m.value for m in client.get_metric_history(parent_id, "loss")] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == ["tiny"]
    assert run.inputs.dataset_inputs[0].tags[0].value == "training"
    assert json.loads(run.inputs.dataset_inputs[0].dataset.schema)["mlflow_colspec"]

    child_run = client.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent_id
    assert child_run.info.experiment_id == experiment.experiment_id

    top = {f.path for f in client.list_artifacts(parent_id)}
    assert {"notes.txt", "data", "config", "texts", "plots", "images"} <= top
    assert {f.path for f in client.list_artifacts(parent_id, "data")} == {"data/a.csv", "data/b.json"}
    assert len(client.list_artifacts(parent_id, "images")) == 4
    local = mlflow.artifacts.download_artifacts(run_id=parent_id, artifact_path="config/dict.json", dst_path=str(tmp_path / "dl"))
    assert json.loads(open(local).read()) == {"a": [1, 2]}
    assert mlflow.artifacts.load_text(f"runs:/{parent_id}/texts/t.txt") == "some text"

    # The same run, as Trackbase shows it: name, notes, params, metrics.
    api = ml.tenant.owner.api
    projects = api.get(f"/orgs/{ml.tenant.org}/projects")
    project = next(p for p in projects if p["name"] == "fluent experiment")
    native = api.get(f"/orgs/{ml.tenant.org}/projects/{project['slug']}/runs/{parent_id}")
    assert native["name"] == "parent" and native["notes"] == "the first try" and native["state"] == "finished"
    assert native["params"]["lr"] == "0.01"
    assert any(s["name"] == "loss" and s["count"] == 5 for s in native["series"])


def test_a_run_resumed_by_id_continues_where_it_stopped(ml: Mlflow) -> None:
    mlflow.set_experiment("resume")
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 1.0, step=0)
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_metric("m", 2.0, step=1)
        assert ml.client.get_run(run.info.run_id).info.status == "RUNNING"
    resumed = ml.client.get_run(run.info.run_id)
    assert resumed.info.status == "FINISHED"
    assert [(m.step, m.value) for m in ml.client.get_metric_history(run.info.run_id, "m")] == [(0, 1.0), (1, 2.0)]


def test_without_an_experiment_runs_go_to_the_default_experiment(ml: Mlflow) -> None:
    with mlflow.start_run() as run:
        mlflow.log_param("p", "v")
    assert run.info.experiment_id == "0"
    assert ml.client.get_experiment("0").name == "Default"
    assert ml.client.get_run(run.info.run_id).data.params == {"p": "v"}


def test_failed_runs_are_marked_failed(ml: Mlflow) -> None:
    mlflow.set_experiment("failures")
    try:
        with mlflow.start_run() as run:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert ml.client.get_run(run.info.run_id).info.status == "FAILED"
