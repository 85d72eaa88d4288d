"""Keras 3 on the PyTorch backend: a two-layer regressor fitted on random data."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from trackbase_testing import Tenant

import trackbase
from trackbase.integrations.keras import TrackbaseKerasCallback, epoch_metrics

from helpers import run_detail, series
from support import artifact, init_options, version_files


def tiny_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)], name="tiny")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return model


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_keras_runs_on_the_torch_backend() -> None:
    assert keras.backend.backend() == "torch"


def test_epoch_metrics_split_training_and_validation() -> None:
    assert epoch_metrics({"loss": 1.0, "val_loss": 2.0, "learning_rate": 0.1, "note": "x"}) == {
        "train/loss": 1.0,
        "val/loss": 2.0,
        "train/learning_rate": 0.1,
    }


def test_epochs_batches_parameters_and_the_model_reach_the_run(tenant: Tenant, tmp_path: Path) -> None:
    callback = TrackbaseKerasCallback(log_every_n_batches=1, log_model=True, **init_options(tenant, name="keras"))
    model = tiny_model()
    x, y = data()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, callbacks=[callback], verbose=0)

    run = callback.run
    assert run is not None and run.finished
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished"
    params = detail["params"]
    assert params["keras.fit.epochs"] == 3 and params["keras.fit.steps"] == 3
    assert params["keras.model.name"] == "tiny" and params["keras.model.parameters"] == model.count_params()
    assert params["keras.optimizer.learning_rate"] == pytest.approx(0.01)
    loss = series(tenant, run.key, "train/loss")
    assert loss["steps"] == [0, 1, 2]
    assert np.allclose(loss["values"], history.history["loss"])
    assert np.allclose(series(tenant, run.key, "val/mae")["values"], history.history["val_mae"])
    assert series(tenant, run.key, "train/learning_rate")["values"][-1] == pytest.approx(0.01)
    # 48 training samples in batches of 16: 3 batches an epoch, one global batch step each.
    assert series(tenant, run.key, "batch/loss")["steps"] == list(range(9))

    stored = artifact(tenant, f"model-{run.key}")
    assert stored["versions"][0]["metadata"]["backend"] == "torch"
    assert version_files(tenant, f"model-{run.key}", "v1") == ["model.keras"]
    directory = trackbase.use_artifact(f"{tenant.ref}/model-{run.key}:latest", root=str(tmp_path / "dl"))
    restored = keras.saving.load_model(str(directory / "model.keras"))
    assert np.allclose(restored.predict(x[:4], verbose=0), model.predict(x[:4], verbose=0))


def test_without_batch_logging_the_callback_leaves_the_batch_hook_to_keras(tenant: Tenant) -> None:
    quiet = TrackbaseKerasCallback(**init_options(tenant))
    assert "on_train_batch_end" not in vars(quiet)
    assert type(quiet).on_train_batch_end is keras.callbacks.Callback.on_train_batch_end
    model = tiny_model()
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=16, callbacks=[quiet], verbose=0)
    run = quiet.run
    assert run is not None
    assert series(tenant, run.key, "train/loss")["steps"] == [0, 1]
    names = {s["name"] for s in run_detail(tenant, run.key)["series"]}
    assert not any(name.startswith("batch/") for name in names)
