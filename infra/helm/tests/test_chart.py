"""The Helm chart, rendered by the real helm and checked against Kubernetes' own schemas.

What cannot be checked here: the ServiceMonitor (a Prometheus operator CRD, not in Kubernetes'
schemas; its fields are asserted below instead) and anything a cluster decides (admission
policies, the ingress controller honouring its annotations, the image itself).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import kubernetes_validate
import pytest
import yaml

CHART = Path(__file__).resolve().parents[1] / "trackbase"
ROOT = Path(__file__).resolve().parents[3]
HELM = shutil.which("helm", path=str(Path(sys.executable).parent)) or "helm"
KUBERNETES = "1.37.0"

EXTERNAL = {
    "database": {"url": "postgres://trackbase:secret@db.internal:5432/trackbase"},
    "redis": {"url": "rediss://redis.internal:6380"},
    "s3": {"bucket": "trackbase", "endpoint": "https://s3.internal", "accessKeyId": "AKIA", "secretAccessKey": "s3cret"},
    "auth": {"jwtSecret": "x" * 40},
    "metrics": {"serviceMonitor": {"enabled": True}},
}
EXISTING_SECRETS = {
    "database": {"existingSecret": "pg"},
    "redis": {"existingSecret": "redis"},
    "s3": {"bucket": "trackbase", "existingSecret": "s3"},
    "auth": {"existingSecret": "jwt"},
}


def helm(*args: str, values: Dict[str, Any], tmp: Path) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    file = tmp / "values.yaml"
    file.write_text(yaml.safe_dump(values))
    return subprocess.run([HELM, *args, str(CHART), "-f", str(file)], capture_output=True, text=True, timeout=60)


def render(values: Dict[str, Any], tmp: Path) -> List[Dict[str, Any]]:
    done = helm("template", values=values, tmp=tmp)
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def by_kind(docs: List[Dict[str, Any]], kind: str) -> Dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, [d["kind"] for d in docs]
    return found[0]


def env_of(container: Dict[str, Any]) -> Dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_helm_lint_passes(tmp_path: Path) -> None:
    done = helm("lint", "--strict", values=EXTERNAL, tmp=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("values", [EXTERNAL, EXISTING_SECRETS], ids=["values", "existing-secrets"])
def test_every_manifest_validates_strictly_against_the_kubernetes_schema(values: Dict[str, Any], tmp_path: Path) -> None:
    docs = render(values, tmp_path)
    kinds = sorted(d["kind"] for d in docs)
    assert {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job"} <= set(kinds)
    for doc in docs:
        if doc["apiVersion"].startswith("monitoring.coreos.com/"):
            continue
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_service_monitor_scrapes_the_metrics_port_of_the_service(tmp_path: Path) -> None:
    docs = render(EXTERNAL, tmp_path)
    monitor, service = by_kind(docs, "ServiceMonitor"), by_kind(docs, "Service")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] in [p["name"] for p in service["spec"]["ports"]]


def test_the_api_runs_non_root_never_migrates_and_is_ready_only_when_the_database_answers(tmp_path: Path) -> None:
    docs = render(EXTERNAL, tmp_path)
    pod = by_kind(docs, "Deployment")["spec"]["template"]["spec"]
    api = pod["containers"][0]
    env = env_of(api)
    assert env["MIGRATE_ON_BOOT"] == "false" and env["NODE_ENV"] == "production"
    assert env["DATABASE_URL"]["secretKeyRef"]["key"] == "DATABASE_URL"
    assert env["TRUST_PROXY"] == "10.0.0.0/8"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    security = api["securityContext"]
    assert security["runAsNonRoot"] is True and security["readOnlyRootFilesystem"] is True
    # What the API writes goes to volumes, since the root filesystem is read-only.
    mounts = {m["mountPath"] for m in api["volumeMounts"]}
    assert {"/tmp", env["TRACKBASE_DATA_DIR"]} <= mounts


def test_migrations_run_as_a_hook_after_their_secret_and_before_the_api(tmp_path: Path) -> None:
    docs = render(EXTERNAL, tmp_path)
    job, secret = by_kind(docs, "Job"), by_kind(docs, "Secret")
    assert "pre-upgrade" in job["metadata"]["annotations"]["helm.sh/hook"]
    assert int(secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][-1].endswith("cli/migrate.js")
    assert (ROOT / "apps/api/src/cli/migrate.ts").exists()


def test_every_setting_the_chart_passes_is_one_the_api_reads(tmp_path: Path) -> None:
    config = (ROOT / "apps/api/src/config/config.ts").read_text()
    schema = config[config.index("const envSchema") :]
    known = set(re.findall(r"^  ([A-Z][A-Z0-9_]+): ", schema, re.M))
    assert "DATABASE_URL" in known
    docs = render(EXTERNAL, tmp_path)
    for doc in (by_kind(docs, "Deployment"), by_kind(docs, "Job")):
        names = set(env_of(doc["spec"]["template"]["spec"]["containers"][0]))
        assert names - known == set(), f"{doc['kind']} sets variables the API does not read"


@pytest.mark.parametrize(
    "values,message",
    [
        ({**EXTERNAL, "database": {}}, "database.url or database.existingSecret is required"),
        ({**EXTERNAL, "redis": {}}, "redis.url or redis.existingSecret is required"),
        ({**EXTERNAL, "auth": {}}, "auth.jwtSecret"),
        ({**EXTERNAL, "s3": {"bucket": ""}}, "s3.bucket is required"),
    ],
    ids=["no-database", "several-replicas-without-redis", "no-jwt-secret", "no-bucket"],
)
def test_a_missing_requirement_fails_the_render_with_what_to_set(values: Dict[str, Any], message: str, tmp_path: Path) -> None:
    done = helm("template", values=values, tmp=tmp_path)
    assert done.returncode != 0
    assert message in done.stderr


def test_one_replica_needs_no_redis(tmp_path: Path) -> None:
    docs = render({**EXTERNAL, "redis": {}, "replicaCount": 1, "autoscaling": {"enabled": False}}, tmp_path)
    deployment = by_kind(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert "REDIS_URL" not in env_of(deployment["spec"]["template"]["spec"]["containers"][0])


def test_the_secrets_key_reaches_the_api_from_the_chart_secret_or_the_existing_one(tmp_path: Path) -> None:
    key = "q" * 43 + "="
    docs = render({**EXTERNAL, "auth": {"jwtSecret": "x" * 40, "secretsKey": key}}, tmp_path)
    secret = by_kind(docs, "Secret")
    assert secret["stringData"]["SECRETS_KEY"] == key
    for doc in (by_kind(docs, "Deployment"), by_kind(docs, "Job")):
        ref = env_of(doc["spec"]["template"]["spec"]["containers"][0])["SECRETS_KEY"]["secretKeyRef"]
        assert ref == {"name": secret["metadata"]["name"], "key": "SECRETS_KEY"}
    existing = env_of(by_kind(render({**EXTERNAL, **EXISTING_SECRETS}, tmp_path), "Deployment")["spec"]["template"]["spec"]["containers"][0])
    assert existing["SECRETS_KEY"]["secretKeyRef"] == {"name": "jwt", "key": "SECRETS_KEY", "optional": True}
    without = env_of(by_kind(render(EXTERNAL, tmp_path), "Deployment")["spec"]["template"]["spec"]["containers"][0])
    assert "SECRETS_KEY" not in without


@pytest.mark.parametrize("key", ["short", "x" * 44, "g" * 64])
def test_a_malformed_secrets_key_fails_the_render(key: str, tmp_path: Path) -> None:
    done = helm("template", values={**EXTERNAL, "auth": {"jwtSecret": "x" * 40, "secretsKey": key}}, tmp=tmp_path)
    assert done.returncode != 0
    assert "auth.secretsKey must be 32 bytes" in done.stderr
