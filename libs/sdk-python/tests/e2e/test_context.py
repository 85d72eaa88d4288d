"""Context as the TypeScript SDK collects it, with credentials redacted inside values; the script saved with the run; console capture."""

from __future__ import annotations

from pathlib import Path

from processes import env_for, run_python, script
from trackbase_testing import Tenant

from helpers import api, run_detail, series


def key_of(output: str) -> str:
    return next(line.split("=", 1)[1] for line in output.splitlines() if line.startswith("KEY="))


def test_context_redacts_secrets_by_name_and_inside_values_and_saves_the_script(tenant: Tenant, tmp_path: Path) -> None:
    body = """
    run = start(context=True, save_code=True, capture_console=True)
    print("KEY=" + run.key, flush=True)
    for i in range(3):
        sys.stdout.write(f"\\rprogress {i}/3")
        sys.stdout.flush()
    sys.stdout.write("\\n")
    print("done training")
    run.log({"x": 1})
    """
    env = env_for(
        tmp_path,
        tenant,
        MY_SERVICE_PASSWORD="hunter2",
        DATABASE_URL="postgres://admin:s3cret@db:5432/app",
        EXTRA_FLAGS="--hub-token hf_AbCdEfGhIjKlMnOpQrSt",
        HARMLESS="plain",
    )
    done = run_python(script(tmp_path, body), env, args=["--token", "ghp_0123456789abcdefABCDEF"])
    assert done.returncode == 0, done.stderr
    assert "progress 2/3" in done.stdout  # the terminal still sees everything
    key = key_of(done.stdout)
    context = run_detail(tenant, key)["context"]
    environment = context["env"]
    assert environment["MY_SERVICE_PASSWORD"] == "[redacted]"
    assert environment["DATABASE_URL"] == "postgres://admin:[redacted]@db:5432/app"
    assert environment["EXTRA_FLAGS"] == "--hub-token [redacted]"
    assert environment["HARMLESS"] == "plain" and "PWD" in environment and environment["PWD"] != "[redacted]"
    assert tenant.key not in str(context)
    assert context["command"]["argv"][-2:] == ["--token", "[redacted]"]
    assert context["runtime"]["language"] == "python" and context["runtime"]["executable"]
    assert "requests" in context["dependencies"] and context["host"]["cpuCount"] > 0
    lines = series(tenant, key, "stdout", kind="text")["lines"]
    assert "progress 2/3" in lines and "progress 0/3" not in lines and "done training" in lines
    assert "could not" not in done.stderr, done.stderr
    files = api(tenant).get(f"/orgs/{tenant.org}/projects/{tenant.project}/runs/{key}/files?prefix=code/")["entries"]
    assert [f["name"] for f in files] == ["child.py"]
