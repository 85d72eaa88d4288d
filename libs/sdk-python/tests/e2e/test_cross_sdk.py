"""One journal format: a journal the TypeScript SDK wrote is completed by the Python `trackbase sync`, and the other way round."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from processes import env_for, python_cli, run_python, script
from trackbase_testing import Tenant

from conftest import ROOT
from helpers import run_detail, series

SDK_JS = ROOT / "libs" / "sdk" / "dist" / "index.js"
CLI_JS = ROOT / "libs" / "sdk" / "dist" / "cli.js"


def test_a_typescript_offline_journal_is_completed_by_the_python_cli(tenant: Tenant, tmp_path: Path) -> None:
    data = tmp_path / "data"
    code = f"""
    const {{ init }} = require({json.dumps(str(SDK_JS))});
    (async () => {{
      const run = await init({{ project: {json.dumps(tenant.ref)}, mode: 'offline', dir: {json.dumps(str(data))}, name: 'from-ts',
        systemMetricsIntervalMs: 0, context: false, exitHandlers: false, log: () => {{}} }});
      await run.logParams({{ optimizer: {{ name: 'adam' }}, lr: 0.5 }});
      await run.addTags('ts');
      for (let step = 0; step < 300; step++) await run.log({{ loss: step === 5 ? NaN : 1 / (step + 1), acc: step }}, step);
      await run.logText('stdout', 'hello from node');
      await run.finish('finished');
    }})();
    """
    done = subprocess.run(["node", "-e", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    synced = python_cli(env_for(tmp_path, tenant), "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    (result,) = json.loads(synced.stdout)["runs"]
    assert result["finished"] == "finished" and result["removed"] is True and result["points"] == 601
    detail = run_detail(tenant, result["runKey"])
    assert detail["name"] == "from-ts" and detail["state"] == "finished" and detail["tags"] == ["ts"]
    assert detail["params"]["optimizer.name"] == "adam" and detail["params"]["lr"] == 0.5
    assert series(tenant, result["runKey"], "acc")["values"] == list(range(300))
    assert series(tenant, result["runKey"], "loss")["values"][5] == "NaN"  # journaled as "NaN", not null
    assert series(tenant, result["runKey"], "stdout", kind="text")["lines"] == ["hello from node"]
    assert not list((data / "runs").iterdir())


def test_a_python_offline_journal_is_completed_by_the_typescript_cli(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    run = start(mode="offline", name="from-python", config={"optimizer": {"name": "sgd"}}, tags=["py"])
    for step in range(300):
        run.log({"loss": 1 / (step + 1), "diverged": float("nan") if step == 7 else 0.0}, step=step)
    run.log_text("stdout", "hello from python")
    run.finish()
    """
    env = env_for(tmp_path, tenant)
    done = run_python(script(tmp_path, body), env)
    assert done.returncode == 0, done.stderr
    synced = subprocess.run(["node", str(CLI_JS), "sync", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert synced.returncode == 0, synced.stderr
    (result,) = json.loads(synced.stdout)["runs"]
    assert result["finished"] == "finished" and result["removed"] is True
    detail = run_detail(tenant, result["runKey"])
    assert detail["name"] == "from-python" and detail["tags"] == ["py"] and detail["params"]["optimizer.name"] == "sgd"
    diverged = series(tenant, result["runKey"], "diverged")["values"]
    assert diverged[7] == "NaN" and diverged.count(0) == 299
    assert len(series(tenant, result["runKey"], "loss")["steps"]) == 300
    assert series(tenant, result["runKey"], "stdout", kind="text")["lines"] == ["hello from python"]
