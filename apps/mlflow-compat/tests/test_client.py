"""MlflowClient: search across many runs, metric history, async logging."""

from __future__ import annotations

import mlflow
from mlflow.entities import Metric, Param, RunTag

from conftest import Mlflow


def test_search_runs_filters_orders_and_pages_across_250_runs(ml: Mlflow) -> None:
    client = ml.client
    experiment_id = client.create_experiment("search")
    ids = []
    for i in range(250):
        run = client.create_run(experiment_id, run_name=f"resnet-{i}" if i % 2 else f"vit-{i}")
        ids.append(run.info.run_id)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("acc", i / 250, 0, 0)],
            params=[Param("lr", "0.01" if i % 5 == 0 else "0.1")],
            tags=[RunTag("group", "a" if i < 100 else "b")],
        )
        if i % 3 == 0:
            client.set_terminated(run.info.run_id)

    found = client.search_runs([experiment_id], "metrics.acc > 0.9 and params.lr = '0.01'", max_results=1000)
    assert sorted(r.data.metrics["acc"] for r in found) == [i / 250 for i in range(230, 250) if i % 5 == 0]
    assert len(client.search_runs([experiment_id], "tags.mlflow.runName LIKE 'resnet-%'", max_results=1000)) == 125
    assert len(client.search_runs([experiment_id], "attributes.run_name ILIKE 'VIT-1%'", max_results=1000)) == len(
        [i for i in range(250) if i % 2 == 0 and str(i).startswith("1")]
    )
    assert len(client.search_runs([experiment_id], "attributes.status = 'FINISHED'", max_results=1000)) == 84
    assert len(client.search_runs([experiment_id], "tags.group = 'a' and params.lr != '0.01'", max_results=1000)) == 80
    assert [r.info.run_id for r in client.search_runs([experiment_id], f"attributes.run_id IN ('{ids[3]}', '{ids[7]}')")] != []
    assert len(client.search_runs([experiment_id], "metrics.missing IS NULL", max_results=1000)) == 250

    # Pages of 40 ordered by a metric: every run exactly once, in order.
    seen = []
    token = None
    while True:
        page = client.search_runs([experiment_id], order_by=["metrics.acc DESC"], max_results=40, page_token=token)
        seen.extend(r.data.metrics["acc"] for r in page)
        token = page.token
        if not token:
            break
    assert seen == sorted((i / 250 for i in range(250)), reverse=True)
    ascending = client.search_runs([experiment_id], order_by=["params.lr ASC", "metrics.acc ASC"], max_results=3)
    assert [r.data.params["lr"] for r in ascending] == ["0.01", "0.01", "0.01"]
    # The fluent search returns a DataFrame and pages by itself.
    frame = mlflow.search_runs([experiment_id], filter_string="params.lr = '0.1'")
    assert len(frame) == 200


def test_metric_history_pages_in_step_order(ml: Mlflow) -> None:
    client = ml.client
    run = client.create_run(client.create_experiment("history"))
    # Sent out of order, as async logging's workers deliver them.
    points = [Metric("loss", float(s), 1_000 + s, s) for s in range(300)]
    client.log_batch(run.info.run_id, metrics=points[150:])
    client.log_batch(run.info.run_id, metrics=points[:150])
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == list(range(300))
    assert [m.timestamp for m in history] == [1_000 + s for s in range(300)]
    assert client.get_run(run.info.run_id).data.metrics["loss"] == 299.0


def test_async_logging_arrives_complete_and_in_step_order(ml: Mlflow, monkeypatch) -> None:
    mlflow.set_experiment("async")
    with mlflow.start_run() as run:
        for step in range(60):
            mlflow.log_metric("loss", 100.0 - step, step=step, synchronous=False)
        mlflow.log_param("lr", "0.1", synchronous=False)
        mlflow.set_tag("mode", "async", synchronous=False)
    mlflow.flush_async_logging()
    history = ml.client.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == list(range(60))
    assert [m.value for m in history] == [100.0 - s for s in range(60)]
    data = ml.client.get_run(run.info.run_id).data
    assert data.params["lr"] == "0.1" and data.tags["mode"] == "async"


def test_a_retried_batch_is_not_applied_twice(ml: Mlflow) -> None:
    client = ml.client
    run = client.create_run(client.create_experiment("retries"))
    batch = [Metric("m", 1.0, 5, 0), Metric("m", 2.0, 6, 1)]
    client.log_batch(run.info.run_id, metrics=batch)
    client.log_batch(run.info.run_id, metrics=batch)
    assert [m.value for m in client.get_metric_history(run.info.run_id, "m")] == [1.0, 2.0]


def test_experiments_are_searched_renamed_deleted_and_restored(ml: Mlflow) -> None:
    client = ml.client
    a = client.create_experiment("exp-alpha", tags={"team": "x"})
    client.create_experiment("exp-beta")
    assert [e.name for e in client.search_experiments(filter_string="name LIKE 'exp-%'", order_by=["name"])] == ["exp-alpha", "exp-beta"]
    assert [e.name for e in client.search_experiments(filter_string="tags.team = 'x'")] == ["exp-alpha"]
    client.rename_experiment(a, "exp-gamma")
    assert client.get_experiment(a).name == "exp-gamma"
    client.delete_experiment(a)
    assert client.get_experiment(a).lifecycle_stage == "deleted"
    assert "exp-gamma" not in [e.name for e in client.search_experiments()]
    client.restore_experiment(a)
    assert client.get_experiment_by_name("exp-gamma").lifecycle_stage == "active"


def test_deleted_runs_are_hidden_from_search_until_restored(ml: Mlflow) -> None:
    client = ml.client
    experiment_id = client.create_experiment("deletions")
    run = client.create_run(experiment_id)
    client.delete_run(run.info.run_id)
    assert client.search_runs([experiment_id]) == []
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    client.restore_run(run.info.run_id)
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run.info.run_id]
