"""The shared CLI cases (libs/contracts/test-vectors/cli-cases.json) against both CLIs: this package's and the npm one."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
from trackbase_testing import Tenant

import trackbase

from conftest import PYTHON, ROOT, child_env, vector

TS_CLI = ROOT / "libs" / "sdk" / "dist" / "cli.js"
CASES = vector("cli-cases.json")


def cli_command(which: str) -> List[str]:
    if which == "python":
        return [PYTHON, "-m", "trackbase.cli"]
    if not TS_CLI.exists() or shutil.which("node") is None:
        pytest.fail(f"{TS_CLI} is missing: build it with `npx nx run @trackbase/sdk:build`")
    return ["node", str(TS_CLI)]


def logged_run(tenant: Tenant, journal: Path) -> str:
    """A finished run with one point, logged in sync mode; its key."""
    run = trackbase.init(
        project=tenant.ref,
        url=tenant.url,
        api_key=tenant.key,
        mode="sync",
        context=False,
        save_code=False,
        capture_console=False,
        system_metrics_interval=0,
        dir=str(journal),
    )
    run.log({"loss": 0.5}, step=0)
    run.finish()
    return str(run.key)


@pytest.fixture(scope="module")
def world(trackbase_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    from trackbase_testing import new_tenant

    tenant = new_tenant(trackbase_server.url)
    return {"tenant": tenant, "run": logged_run(tenant, tmp_path_factory.mktemp("journal"))}


def expand(args: List[str], tenant: Tenant, run: str) -> List[str]:
    return [a.replace("{ref}", tenant.ref).replace("{org}", tenant.org).replace("{run}", run) for a in args]


def invoke(which: str, case: Dict[str, Any], world: Dict[str, Any], tmp: Path) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    tenant: Tenant = world["tenant"]
    extra = {"TRACKBASE_URL": tenant.url}
    if case["auth"] == "key":
        extra["TRACKBASE_API_KEY"] = tenant.key
    elif case["auth"] == "bad":
        extra["TRACKBASE_API_KEY"] = "tbk_not_a_real_key_0000000000"
    env = child_env(tmp, **extra)
    return subprocess.run(
        cli_command(which) + expand(case["args"], tenant, world["run"]), env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("which", ["python", "typescript"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_cli_case(which: str, case: Dict[str, Any], world: Dict[str, Any], tmp_path: Path) -> None:
    done = invoke(which, case, world, tmp_path)
    assert done.returncode == case["exit"], f"{which}: {done.stdout}\n{done.stderr}"
    if case.get("json"):
        value = json.loads(done.stdout)
        assert isinstance(value, dict if case["json"] == "object" else list)
        sample = value if isinstance(value, dict) else (value[0] if value else {})
        for key in case.get("keys", []) if sample or case["json"] == "object" else []:
            assert key in sample, f"{which}: {key} missing in {sample}"


@pytest.mark.parametrize("case", [c for c in CASES if c.get("json") and c["exit"] == 0], ids=lambda c: c["name"])
def test_both_clis_print_the_same_json_shape(case: Dict[str, Any], world: Dict[str, Any], tmp_path: Path) -> None:
    python = json.loads(invoke("python", case, world, tmp_path / "py").stdout)
    typescript = json.loads(invoke("typescript", case, world, tmp_path / "ts").stdout)

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(value[0])] if value else []
        return type(value).__name__ if value is not None else None

    assert shape(python) == shape(typescript)


@pytest.mark.parametrize("which", ["python", "typescript"])
def test_aliases_move_and_deletes_remove(which: str, trackbase_server: Any, tmp_path: Path) -> None:
    from trackbase_testing import new_tenant

    tenant = new_tenant(trackbase_server.url)
    env = child_env(tmp_path, TRACKBASE_URL=tenant.url, TRACKBASE_API_KEY=tenant.key)

    def cli(*args: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
        return subprocess.run(cli_command(which) + list(args), env=env, capture_output=True, text=True, timeout=60)

    def ok(*args: str) -> Any:
        done = cli(*args, "--json")
        assert done.returncode == 0, f"{which} {args}: {done.stdout}\n{done.stderr}"
        return json.loads(done.stdout)

    data = tmp_path / "data.txt"
    for content in ("one", "two"):
        data.write_text(content)
        ok("artifacts", "put", tenant.ref, "mnist", str(data), "--kind", "dataset")
    moved = ok("artifacts", "alias", tenant.ref, "mnist:v1", "production")
    assert moved["version"] == "v1" and "production" in moved["aliases"]
    assert ok("artifacts", "get", tenant.ref, "mnist:production", "--dir", str(tmp_path / "got"))["version"]["version"] == "v1"
    # An alias moves: pointing it at v2 takes it off v1.
    assert ok("artifacts", "alias", tenant.ref, "mnist:v2", "production")["version"] == "v2"
    ok("artifacts", "unalias", tenant.ref, "mnist", "production")
    assert cli("artifacts", "get", tenant.ref, "mnist:production").returncode == 4

    assert ok("artifacts", "delete", tenant.ref, "mnist:v1", "--yes")["deleted"] is True
    assert cli("artifacts", "get", tenant.ref, "mnist:v1").returncode == 4
    assert ok("artifacts", "get", tenant.ref, "mnist:v2", "--dir", str(tmp_path / "v2"))["version"]["version"] == "v2"
    ok("artifacts", "delete", tenant.ref, "mnist", "--yes")
    assert ok("artifacts", "list", tenant.ref) == []

    key = logged_run(tenant, tmp_path / "journal")
    assert ok("runs", "delete", tenant.ref, key, "--yes") == {"run": key, "deleted": True}
    assert cli("runs", "show", tenant.ref, key).returncode == 4
