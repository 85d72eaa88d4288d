"""Child Python processes that train, die, fork and spawn, with this test's directories and server."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

from trackbase_testing import Tenant

from conftest import PYTHON, child_env

PRELUDE = """
import os, sys, time, signal
import trackbase
def start(**kw):
    options = dict(system_metrics_interval=0, capture_console=False, context=False, save_code=False)
    options.update(kw)
    return trackbase.init(**options)
"""


def script(tmp: Path, body: str, name: str = "child.py") -> Path:
    path = tmp / name
    path.write_text(PRELUDE + textwrap.dedent(body))
    return path


def env_for(tmp: Path, tenant: Tenant, **extra: str) -> Dict[str, str]:
    return child_env(tmp, TRACKBASE_URL=tenant.url, TRACKBASE_API_KEY=tenant.key, TRACKBASE_PROJECT=tenant.ref, **extra)


def run_python(
    path: Path, env: Dict[str, str], timeout: float = 90, args: Optional[List[str]] = None
) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run([PYTHON, str(path), *(args or [])], env=env, capture_output=True, text=True, timeout=timeout)


def popen(path: Path, env: Dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([PYTHON, str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def python_cli(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run([PYTHON, "-m", "trackbase.cli", *args], env=env, capture_output=True, text=True, timeout=120)


def steps(values: Dict[str, Any]) -> List[int]:
    return list(values["steps"])
