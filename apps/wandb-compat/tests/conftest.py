"""The real `wandb` client (from PyPI, the version of this venv) against the built Trackbase API.

Every client call runs in its own Python process with its own WANDB_DIR, cache and config
directories, so tests share nothing and a crash can be a real crash. Nothing calls wandb.ai:
the base URL is Trackbase's, error reporting is off, and the client's version check answers
from Trackbase's serverInfo.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from trackbase_testing import Tenant


@dataclass
class WandbEnv:
    tenant: Tenant
    server_url: str
    dir: Path

    @property
    def base_url(self) -> str:
        return f"{self.server_url}/wandb"

    def env(self, key: Optional[str] = None, **extra: str) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
        env.update(
            WANDB_BASE_URL=self.base_url,
            WANDB_API_KEY=key if key is not None else self.tenant.key,
            WANDB_ENTITY=self.tenant.org,
            WANDB_PROJECT=self.tenant.project,
            WANDB_DIR=str(self.dir),
            WANDB_CACHE_DIR=str(self.dir / "cache"),
            WANDB_CONFIG_DIR=str(self.dir / "config"),
            WANDB_DATA_DIR=str(self.dir / "data"),
            WANDB_ARTIFACT_DIR=str(self.dir / "artifacts"),
            WANDB_SILENT="true",
            WANDB_ERROR_REPORTING="false",
            WANDB_DISABLE_CODE="true",
            WANDB_DISABLE_GIT="true",
        )
        env.update(extra)
        return env

    def python(
        self, script: str, *args: str, key: Optional[str] = None, check: bool = True, timeout: float = 180, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """Runs `script` (with `args` as sys.argv[1:]) with the venv's Python and the client configured for Trackbase."""
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            env=self.env(key, **extra),
            cwd=self.dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"script failed with {result.returncode}:\nstdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-6000:]}")
        return result

    def cli(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """The client's own `wandb` command."""
        wandb_cli = Path(sys.executable).parent / "wandb"
        result = subprocess.run([str(wandb_cli), *args], env=self.env(), cwd=self.dir, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"wandb {' '.join(args)} failed with {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
        return result

    # Reading what Trackbase stored, through its own REST API as the organization's owner.

    def runs(self) -> List[Dict[str, Any]]:
        return list(self.tenant.owner.api.get(f"/orgs/{self.tenant.ref.replace('/', '/projects/', 1)}/runs?limit=100")["items"])

    def run(self, external_id: str) -> Dict[str, Any]:
        matches = [r for r in self.runs() if r["externalId"] == external_id]
        assert matches, f"no run with external id {external_id}: {[r['externalId'] for r in self.runs()]}"
        detail: Dict[str, Any] = self.tenant.owner.api.get(self.run_path(matches[0]["id"]))
        return detail

    def run_path(self, run_id: str) -> str:
        return f"/orgs/{self.tenant.org}/projects/{self.tenant.project}/runs/{run_id}"

    def series(self, run_id: str, kind: str = "metric", names: Optional[List[str]] = None) -> Dict[str, Dict[str, Any]]:
        query = {"kind": kind, "maxPoints": "10000"}
        if names:
            query["names"] = ",".join(names)
        data = self.tenant.owner.api.get(f"{self.run_path(run_id)}/series?{urllib.parse.urlencode(query)}")
        return {s["name"]: s for s in data}

    def files(self, run_id: str) -> Dict[str, Dict[str, Any]]:
        listing = self.tenant.owner.api.get(f"{self.run_path(run_id)}/files")
        return {e["path"]: e for e in listing["entries"]}

    def file_text(self, run_id: str, path: str) -> str:
        import urllib.request

        signed = self.tenant.owner.api.get(f"{self.run_path(run_id)}/files/url?path={urllib.parse.quote(path)}")
        url = signed["url"] if signed["url"].startswith("http") else self.server_url + signed["url"]
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode())


@pytest.fixture
def wb(tenant: Tenant, trackbase_server: Any, tmp_path: Path) -> WandbEnv:
    return WandbEnv(tenant=tenant, server_url=trackbase_server.url, dir=tmp_path)


def marker(output: str, name: str) -> str:
    """The value a script printed as `NAME=value`."""
    for line in output.splitlines():
        if line.startswith(f"{name}="):
            return line[len(name) + 1 :]
    raise AssertionError(f"{name}= not printed in:\n{output}")
