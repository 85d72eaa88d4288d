"""Every test gets its own journal, config and cache directories, and no TRACKBASE_* settings leak in."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "libs" / "contracts" / "test-vectors"
SDK_PYTHON = ROOT / "libs" / "sdk-python"


def vector(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("TRACKBASE_") or name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "TORCHELASTIC_RUN_ID", "SLURM_PROCID"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKBASE_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRACKBASE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TRACKBASE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TRACKBASE_REPO_ROOT", str(ROOT))
    yield tmp_path
    # A test's runs must not be finished by the interpreter's exit handlers later.
    from trackbase import _run

    for run in list(_run.live_runs):
        _run.live_runs.discard(run)


def child_env(tmp: Path, **extra: str) -> Dict[str, str]:
    """The environment of a child process: this test's directories and the given TRACKBASE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKBASE_")}
    env.update(
        TRACKBASE_DIR=str(tmp / "data"),
        TRACKBASE_CONFIG_DIR=str(tmp / "config"),
        TRACKBASE_CACHE_DIR=str(tmp / "cache"),
        PYTHONPATH=str(SDK_PYTHON / "src"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


PYTHON = sys.executable
