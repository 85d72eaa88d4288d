"""`trackbase keys create|list|revoke` in both CLIs (this package's and the npm one), same flags, against the built API."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, List

import pytest
from trackbase_testing import Api, Tenant

from conftest import PYTHON, ROOT, child_env

TS_CLI = ROOT / "libs" / "sdk" / "dist" / "cli.js"


def cli_command(which: str) -> List[str]:
    if which == "python":
        return [PYTHON, "-m", "trackbase.cli"]
    if not TS_CLI.exists():
        pytest.fail(f"{TS_CLI} is missing: build it with `npx nx run @trackbase/sdk:build`")
    return ["node", str(TS_CLI)]


def run(which: str, args: List[str], tenant: Tenant, tmp: Path, **env: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run(
        [*cli_command(which), *args],
        env=child_env(tmp, TRACKBASE_URL=tenant.url, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("which", ["python", "ts"])
def test_keys_create_a_scoped_expiring_key_list_and_revoke(which: str, tenant: Tenant, tmp_path: Path) -> None:
    signed_in = {"TRACKBASE_EMAIL": tenant.owner.email, "TRACKBASE_PASSWORD": tenant.owner.password}
    created = run(
        which,
        ["keys", "create", f"ci-{which}", "--read-only", "--project", tenant.ref, "--expires", "30d", "--json"],
        tenant,
        tmp_path,
        **signed_in,
    )
    assert created.returncode == 0, created.stderr
    key: Any = json.loads(created.stdout)
    assert key["access"] == "read"
    assert key["organization"] == tenant.org
    assert key["projects"] == [tenant.project]
    expires = datetime.fromisoformat(key["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(timezone.utc) + timedelta(days=30))) < timedelta(minutes=10)

    scoped = Api(tenant.url, key["key"])
    assert scoped.get(f"/orgs/{tenant.org}/projects/{tenant.project}")["slug"] == tenant.project
    # Read-only: it cannot write, and cannot reach another project of the organization.
    assert scoped.request("POST", f"/orgs/{tenant.org}/projects/{tenant.project}/runs", {}, expect=403)["error"]["code"]
    other = tenant.create_project()
    scoped.request("GET", f"/orgs/{tenant.org}/projects/{other}", expect=404)

    listed = run(which, ["keys", "list", "--json"], tenant, tmp_path, TRACKBASE_API_KEY=tenant.key)
    assert listed.returncode == 0, listed.stderr
    assert key["id"] in [k["id"] for k in json.loads(listed.stdout)]
    human = run(which, ["keys", "list"], tenant, tmp_path, TRACKBASE_API_KEY=tenant.key)
    assert f"read-only · {tenant.ref}" in human.stdout

    # A key cannot manage keys: without a session the CLI says how to sign in, and the server refuses a key anyway.
    refused = run(which, ["keys", "revoke", key["id"]], tenant, tmp_path, TRACKBASE_API_KEY=tenant.key)
    assert refused.returncode == 2
    assert "TRACKBASE_PASSWORD" in refused.stderr
    as_key = run(which, ["keys", "revoke", key["id"]], tenant, tmp_path, TRACKBASE_ACCESS_TOKEN=tenant.key)
    assert as_key.returncode == 3, as_key.stderr

    revoked = run(which, ["keys", "revoke", key["prefix"]], tenant, tmp_path, **signed_in)
    assert revoked.returncode == 0, revoked.stderr
    scoped.request("GET", "/users/me", expect=401)

    bad = run(which, ["keys", "create", "x", "--expires", "soon"], tenant, tmp_path, **signed_in)
    assert bad.returncode == 2
    assert "--expires" in bad.stderr
