"""Hugging Face Transformers: a 2-layer BERT with a tiny vocabulary, randomly initialised, trained by the Trainer on CPU."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import torch
from trackbase_testing import Tenant
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

import trackbase
from trackbase.integrations.transformers import TrackbaseCallback, rewrite_logs

from helpers import run_detail, series
from support import artifact, init_options, version_files


def tiny_model() -> BertForSequenceClassification:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=40,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    return BertForSequenceClassification(config)


def samples(count: int) -> List[Dict[str, torch.Tensor]]:
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 40, (count, 8), generator=generator)
    return [
        {"input_ids": ids[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": torch.tensor(int(ids[i, 0] > 20))}
        for i in range(count)
    ]


def arguments(tmp_path: Path, **kw: Any) -> TrainingArguments:
    options: Dict[str, Any] = dict(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=4,
        per_device_eval_batch_size=4,
        num_train_epochs=2,
        learning_rate=1e-3,
        logging_steps=1,
        eval_strategy="epoch",
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        run_name="tiny-bert",
    )
    options.update(kw)
    return TrainingArguments(**options)


def test_rewrite_logs_prefixes_as_the_trainer_integrations_do() -> None:
    assert rewrite_logs({"loss": 1, "eval_loss": 2, "test_acc": 3}) == {"train/loss": 1, "eval/loss": 2, "test/acc": 3}


def test_parameters_metrics_summary_and_checkpoints_reach_the_run(tenant: Tenant, tmp_path: Path) -> None:
    callback = TrackbaseCallback(log_checkpoints="checkpoint", **init_options(tenant))
    trainer = Trainer(
        model=tiny_model(),
        args=arguments(tmp_path, save_strategy="epoch", hub_token="hf_notarealtoken0123456789"),
        train_dataset=samples(16),
        eval_dataset=samples(8),
        callbacks=[callback],
    )
    trainer.train()

    run = callback.run
    assert run is not None and run.finished
    detail = run_detail(tenant, run.key)
    assert detail["state"] == "finished"
    assert detail["name"] == "tiny-bert"  # the Trainer's run_name
    params = detail["params"]
    assert params["model.hidden_size"] == 16 and params["model.num_hidden_layers"] == 2 and params["model.vocab_size"] == 40
    assert params["args.learning_rate"] == 1e-3 and params["args.per_device_train_batch_size"] == 4
    assert params["model/num_parameters"] == sum(p.numel() for p in trainer.model.parameters())
    assert "args.hub_token" not in params and not any("hf_notarealtoken" in str(v) for v in params.values())
    # 16 samples, batches of 4, 2 epochs: steps 1..8, one loss each; evaluation after each epoch.
    assert series(tenant, run.key, "train/loss")["steps"] == list(range(1, 9))
    assert series(tenant, run.key, "train/learning_rate")["steps"] == list(range(1, 9))
    assert series(tenant, run.key, "eval/loss")["steps"] == [4, 8]
    assert params["summary.train_runtime"] > 0 and "summary.train_loss" in params

    stored = artifact(tenant, f"model-{run.key}")
    assert stored["versionCount"] == 2
    steps = sorted(v["metadata"]["step"] for v in stored["versions"])
    assert steps == [4, 8]
    files = version_files(tenant, f"model-{run.key}", "v2")
    assert "model.safetensors" in files and "config.json" in files and "trainer_state.json" in files


def test_the_final_model_is_logged_at_the_end_and_loads_back(tenant: Tenant, tmp_path: Path) -> None:
    callback = TrackbaseCallback(log_checkpoints="end", model_name="tiny-bert", **init_options(tenant))
    model = tiny_model()
    Trainer(
        model=model,
        args=arguments(tmp_path, eval_strategy="no", num_train_epochs=1),
        train_dataset=samples(8),
        callbacks=[callback],
    ).train()
    stored = artifact(tenant, "tiny-bert")
    assert stored["versionCount"] == 1 and stored["aliases"]["final"] == "v1"
    directory = trackbase.use_artifact(f"{tenant.ref}/tiny-bert:final", root=str(tmp_path / "dl"))
    restored = BertForSequenceClassification.from_pretrained(str(directory))
    batch = samples(2)
    inputs = {"input_ids": torch.stack([b["input_ids"] for b in batch])}
    model.eval()
    with torch.no_grad():
        assert torch.allclose(restored(**inputs).logits, model(**inputs).logits, atol=1e-6)


def test_a_callback_on_the_open_run_leaves_it_open(tenant: Tenant, tmp_path: Path) -> None:
    run = trackbase.init(**init_options(tenant))
    callback = TrackbaseCallback()
    Trainer(
        model=tiny_model(),
        args=arguments(tmp_path, eval_strategy="no", num_train_epochs=1),
        train_dataset=samples(8),
        callbacks=[callback],
    ).train()
    assert callback.run is run and not run.finished
    run.finish()
    assert series(tenant, run.key, "train/loss")["steps"] == [1, 2]


def test_a_failing_tracker_never_stops_training(tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A wrong API key: the run cannot start; the Trainer trains anyway and the failure is said once.
    callback = TrackbaseCallback(**{**init_options(tenant), "api_key": "tb_wrong"})
    trainer = Trainer(
        model=tiny_model(), args=arguments(tmp_path, eval_strategy="no"), train_dataset=samples(8), callbacks=[callback]
    )
    trainer.train()
    assert trainer.state.global_step == 4
    err = capsys.readouterr().err
    assert err.count("the Transformers integration failed") == 1
