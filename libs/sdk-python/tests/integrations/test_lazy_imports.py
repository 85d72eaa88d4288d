"""`import trackbase` and `import trackbase.integrations` load no framework; each integration loads only its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

FRAMEWORKS = [
    "torch",
    "lightning",
    "pytorch_lightning",
    "transformers",
    "keras",
    "xgboost",
    "lightgbm",
    "optuna",
    "sklearn",
    "numpy",
]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "KERAS_BACKEND": "torch"}
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_trackbase_and_its_integrations_package_loads_no_framework() -> None:
    assert loaded_after("import trackbase, trackbase.integrations") & set(FRAMEWORKS) == set()


@pytest.mark.parametrize(
    ("module", "framework", "absent"),
    [("optuna", "optuna", {"torch", "xgboost", "lightgbm", "keras"}), ("lightgbm", "lightgbm", {"torch", "xgboost", "optuna"})],
)
def test_an_integration_loads_its_own_framework_only(module: str, framework: str, absent: set[str]) -> None:
    loaded = loaded_after(f"import trackbase.integrations.{module}")
    assert framework in loaded and not loaded & absent
