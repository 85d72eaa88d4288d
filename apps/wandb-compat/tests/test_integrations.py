"""Frameworks that report to W&B, unmodified, against Trackbase: Transformers' `report_to="wandb"`.

Runs in the integrations venv (requirements-integrations.txt: torch's CPU build and transformers
beside the newest pinned client); skipped in the plain client venvs, which hold no framework.
"""

from __future__ import annotations

import pytest

from conftest import WandbEnv, marker

pytest.importorskip("transformers")

# A 2-layer BERT with a tiny vocabulary, randomly initialised (nothing is downloaded), trained by the
# Trainer on CPU for a few steps; the Trainer's WandbCallback does all the W&B calls.
TRAINER = """
import torch, wandb
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

torch.manual_seed(0)
model = BertForSequenceClassification(BertConfig(
    vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
    intermediate_size=32, max_position_embeddings=16, num_labels=2,
))
ids = torch.randint(1, 40, (24, 8), generator=torch.Generator().manual_seed(1))
data = [{"input_ids": ids[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": torch.tensor(int(ids[i, 0] > 20))} for i in range(24)]
args = TrainingArguments(
    output_dir="out", per_device_train_batch_size=4, per_device_eval_batch_size=4, num_train_epochs=2,
    learning_rate=1e-3, logging_steps=1, eval_strategy="epoch", save_strategy="no", report_to="wandb",
    use_cpu=True, disable_tqdm=True, run_name="tiny-bert",
)
Trainer(model=model, args=args, train_dataset=data[:16], eval_dataset=data[16:]).train()
print(f"RUN_ID={wandb.run.id}")
wandb.finish()
"""


def test_transformers_report_to_wandb_lands_metrics_and_config(wb: WandbEnv) -> None:
    out = wb.python(TRAINER, timeout=600, WANDB_LOG_MODEL="false").stdout
    run = wb.run(marker(out, "RUN_ID"))
    assert run["name"] == "tiny-bert"
    assert run["state"] == "finished"
    # The Trainer's arguments and the model's config, as W&B config, are the run's parameters.
    assert run["params"]["learning_rate"] == 0.001
    assert run["params"]["per_device_train_batch_size"] == 4
    assert run["params"]["hidden_size"] == 16 and run["params"]["num_hidden_layers"] == 2
    series = wb.series(run["id"])
    # 16 samples / batch 4 × 2 epochs = 8 optimizer steps, each logged (logging_steps=1).
    loss = series["train/loss"]
    assert len(loss["steps"]) == 8 and all(v > 0 for v in loss["values"])
    assert len(series["eval/loss"]["steps"]) == 2
    assert series["train/global_step"]["values"][-1] == 8
