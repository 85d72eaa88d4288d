"""`trackbase import wandb <dir>`: offline run directories written by the real client, imported twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import WandbEnv, marker

SDK = Path(__file__).resolve().parents[3] / "libs" / "sdk-python" / "src"


def trackbase_cli(wb: WandbEnv, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "TRACKBASE_"))}
    env.update(
        PYTHONPATH=str(SDK),
        TRACKBASE_URL=wb.server_url,
        TRACKBASE_API_KEY=wb.tenant.key,
        TRACKBASE_CONFIG_DIR=str(wb.dir / "tb-config"),
        TRACKBASE_DIR=str(wb.dir / "tb-data"),
    )
    return subprocess.run(
        [sys.executable, "-m", "trackbase.cli", *args], env=env, cwd=wb.dir, capture_output=True, text=True, timeout=600
    )


def test_offline_run_directories_import_once_however_often_imported(wb: WandbEnv) -> None:
    ids = []
    for name in ("first", "second"):
        out = wb.python(
            f"""
            import wandb
            run = wandb.init(mode="offline", name="{name}", config={{"lr": 0.01, "optimizer": {{"name": "adam"}}}})
            for step in range(6):
                run.log({{"loss": 1 / (step + 1), "val/acc": step / 10}})
            run.summary["best"] = 0.5
            print(f"RUN_ID={{run.id}}")
            run.finish()
            """
        ).stdout
        ids.append(marker(out, "RUN_ID"))
    target = f"{wb.tenant.org}/from-wandb"

    for attempt in range(2):
        done = trackbase_cli(wb, "import", "wandb", str(wb.dir / "wandb"), "--project", target, "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        summary = json.loads(done.stdout)
        assert summary["unmapped"] == [], summary
        assert sorted(r["source"].rsplit("-", 1)[-1] for r in summary["runs"]) == sorted(ids)

    api = wb.tenant.owner.api
    runs = api.get(f"/orgs/{wb.tenant.org}/projects/from-wandb/runs?limit=100")["items"]
    assert sorted(r["externalId"] for r in runs) == sorted(ids)
    for run in runs:
        detail = api.get(f"/orgs/{wb.tenant.org}/projects/from-wandb/runs/{run['key']}")
        assert detail["state"] == "finished"
        assert detail["params"]["lr"] == 0.01 and detail["params"]["optimizer.name"] == "adam"
        loss = next(s for s in detail["series"] if s["name"] == "loss")
        assert loss["count"] == 6  # imported twice, stored once


def test_a_directory_without_runs_is_refused_with_a_reason(wb: WandbEnv) -> None:
    done = trackbase_cli(wb, "import", "wandb", str(wb.dir), "--project", f"{wb.tenant.org}/nothing")
    assert done.returncode != 0
    assert "no W&B run directories" in done.stderr
