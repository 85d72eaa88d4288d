"""PyTorch Lightning: a tiny regression model trained on CPU, logged through TrackbaseLogger."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import ModelCheckpoint
from torch.utils.data import DataLoader, TensorDataset
from trackbase_testing import Tenant

import trackbase
from trackbase.integrations.lightning import TrackbaseLogger

from helpers import run_detail, series
from support import artifact, init_options, version_files


class Regressor(pl.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 8, fail_at_step: int = -1) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        if self.global_step == self.hparams.fail_at_step:
            raise RuntimeError("the model diverged")
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train/loss", loss)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("val/loss", torch.nn.functional.mse_loss(self.net(x), y))

    def test_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("test/loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loaders() -> Dict[str, DataLoader]:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(48, 4, generator=generator)
    y = x.sum(dim=1, keepdim=True) + 0.1 * torch.randn(48, 1, generator=generator)
    train = TensorDataset(x[:32], y[:32])
    val = TensorDataset(x[32:], y[32:])
    return {"train": DataLoader(train, batch_size=8), "val": DataLoader(val, batch_size=8)}


def trainer(tmp_path: Path, logger: TrackbaseLogger, epochs: int = 3, **kw: Any) -> pl.Trainer:
    return pl.Trainer(
        accelerator="cpu",
        max_epochs=epochs,
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=str(tmp_path),
        **kw,
    )


def test_hyperparameters_metrics_and_every_checkpoint_reach_the_run(tenant: Tenant, tmp_path: Path) -> None:
    logger = TrackbaseLogger(log_checkpoints="all", **init_options(tenant, name="lightning", tags=["pl"]))
    checkpoints = ModelCheckpoint(dirpath=str(tmp_path / "ckpt"), monitor="val/loss", save_top_k=2, mode="min")
    data = loaders()
    trainer(tmp_path, logger, callbacks=[checkpoints]).fit(Regressor(), data["train"], data["val"])

    run = logger.experiment
    assert run.finished and logger.version == run.key and logger.name == tenant.ref
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished" and detail["name"] == "lightning" and detail["tags"] == ["pl"]
    assert detail["params"]["lr"] == 0.05 and detail["params"]["hidden"] == 8
    # 4 batches per epoch, 3 epochs: one point per optimizer step, at the trainer's step.
    assert series(tenant, run.key, "train/loss")["steps"] == list(range(12))
    val = series(tenant, run.key, "val/loss")
    assert len(val["steps"]) == 3 and val["steps"] == [3, 7, 11]
    assert series(tenant, run.key, "epoch")["values"][-1] == 2

    stored = artifact(tenant, f"model-{run.key}")
    assert stored["kind"] == "model"
    assert stored["versionCount"] == 3  # one checkpoint per epoch, each a version (top-2 keeps files, not versions)
    best = {v["version"]: v for v in stored["versions"]}[stored["aliases"]["best"]]
    assert best["metadata"]["monitor"] == "val/loss"
    assert best["metadata"]["score"] == pytest.approx(float(checkpoints.best_model_score))
    assert best["metadata"]["file"] == Path(checkpoints.best_model_path).name
    assert best["producer"]["key"] == run.key
    assert version_files(tenant, f"model-{run.key}", best["version"]) == ["model.ckpt"]
    # The stored checkpoint is Lightning's own: it loads back into the module.
    directory = trackbase.use_artifact(f"{tenant.org}/{tenant.project}/model-{run.key}:best", root=str(tmp_path / "dl"))
    restored = Regressor.load_from_checkpoint(str(directory / "model.ckpt"))
    assert restored.hparams.hidden == 8


def test_best_and_last_checkpoints_are_logged_once_training_ends(tenant: Tenant, tmp_path: Path) -> None:
    logger = TrackbaseLogger(log_checkpoints=True, checkpoint_name="regressor", **init_options(tenant))
    # The loss falls, so with mode="max" the first epoch stays the best and differs from the last.
    checkpoints = ModelCheckpoint(dirpath=str(tmp_path / "ckpt"), monitor="val/loss", mode="max", save_top_k=1, save_last=True)
    data = loaders()
    trainer(tmp_path, logger, epochs=3, callbacks=[checkpoints]).fit(Regressor(), data["train"], data["val"])
    stored = artifact(tenant, "regressor")
    assert stored["versionCount"] == 2  # the best and last.ckpt, logged at the end only
    assert "best" in stored["aliases"]
    best = {v["version"]: v for v in stored["versions"]}[stored["aliases"]["best"]]
    assert best["metadata"]["file"] == Path(checkpoints.best_model_path).name == "epoch=0-step=4.ckpt"
    assert {v["metadata"]["file"] for v in stored["versions"]} == {"epoch=0-step=4.ckpt", "last.ckpt"}


def test_testing_after_fitting_continues_the_same_run(tenant: Tenant, tmp_path: Path) -> None:
    logger = TrackbaseLogger(**init_options(tenant))
    data = loaders()
    fitting = trainer(tmp_path, logger, epochs=1, enable_checkpointing=False)
    model = Regressor()
    fitting.fit(model, data["train"], data["val"])
    key = logger.version
    assert run_detail(tenant, key)["state"] == "finished"
    fitting.test(model, data["val"])
    assert logger.version == key
    assert run_detail(tenant, key)["state"] == "finished"
    assert len(series(tenant, key, "test/loss")["values"]) == 1
    assert len(series(tenant, key, "train/loss")["values"]) == 4


def test_an_exception_in_training_marks_the_run_failed(tenant: Tenant, tmp_path: Path) -> None:
    logger = TrackbaseLogger(**init_options(tenant))
    data = loaders()
    with pytest.raises(RuntimeError, match="diverged"):
        trainer(tmp_path, logger, enable_checkpointing=False).fit(Regressor(fail_at_step=5), data["train"], data["val"])
    assert run_detail(tenant, logger.version)["state"] == "failed"


def test_a_logger_into_a_given_run_leaves_it_open_with_a_prefix(tenant: Tenant, tmp_path: Path) -> None:
    run = trackbase.init(**init_options(tenant))
    logger = TrackbaseLogger(run=run, prefix="stage1")
    data = loaders()
    trainer(tmp_path, logger, epochs=1, enable_checkpointing=False).fit(Regressor(), data["train"], data["val"])
    assert not run.finished
    run.log({"after": 1.0})
    run.finish()
    assert len(series(tenant, run.key, "stage1/train/loss")["values"]) == 4
    assert series(tenant, run.key, "after")["values"] == [1.0]


def test_a_failing_tracker_never_stops_training_and_is_reported_once(
    tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = trackbase.init(**init_options(tenant))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("tracker down")

    run.log = broken  # type: ignore[method-assign]
    logger = TrackbaseLogger(run=run)
    data = loaders()
    fitted = trainer(tmp_path, logger, epochs=2, enable_checkpointing=False)
    fitted.fit(Regressor(), data["train"], data["val"])
    assert fitted.current_epoch == 2  # training ran to the end
    err = capsys.readouterr().err
    assert err.count("the Lightning integration failed") == 1
    assert "log_metrics" in err and "tracker down" in err
    run.finish()
