"""What a colleague needs to reproduce a run, as the TypeScript SDK collects it, with secrets redacted."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ._redact import redact_env, redact_value

if TYPE_CHECKING:
    from ._run import Run


def _git(args: List[str], cwd: str) -> Optional[str]:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode("utf-8", "replace").strip()


def git_source(cwd: str) -> Optional[Dict[str, Any]]:
    commit = _git(["rev-parse", "HEAD"], cwd)
    if not commit:
        return None
    diff = _git(["diff", "HEAD"], cwd) or ""
    remote = _git(["config", "--get", "remote.origin.url"], cwd)
    source: Dict[str, Any] = {"commit": commit}
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    if branch:
        source["branch"] = branch
    if remote:
        source["remote"] = strip_url_credentials(remote)
    source["dirty"] = len(diff) > 0
    if diff:
        source["diff"] = redact_value(diff[:1_000_000])
    return source


def strip_url_credentials(url: str) -> str:
    """`https://user:token@host/x` -> `https://host/x`, as the TypeScript SDK strips remotes."""
    head, sep, rest = url.partition("//")
    if not sep:
        return url
    at = rest.find("@")
    slash = rest.find("/")
    if at != -1 and (slash == -1 or at < slash):
        return f"{head}//{rest[at + 1 :]}"
    return url


def dependencies() -> Dict[str, str]:
    from importlib import metadata

    found: Dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name and name not in found:
            found[str(name)[:250]] = str(dist.version)[:250]
        if len(found) >= 2_000:
            break
    return dict(sorted(found.items()))


def gpus() -> Optional[List[Dict[str, Any]]]:
    from ._monitor import nvml

    lib = nvml()
    if lib is None:
        return None
    out = []
    for i in range(lib.nvmlDeviceGetCount()):
        handle = lib.nvmlDeviceGetHandleByIndex(i)
        name = lib.nvmlDeviceGetName(handle)
        out.append(
            {
                "name": name.decode() if isinstance(name, bytes) else str(name),
                "memoryBytes": int(lib.nvmlDeviceGetMemoryInfo(handle).total),
            }
        )
    return out or None


def cpu_model() -> Optional[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()[:255]
    except OSError:
        pass
    return platform.processor()[:255] or None


def collect_context(full: bool = True, cwd: Optional[str] = None) -> Dict[str, Any]:
    """git, command, runtime, dependencies, host, environment (secrets redacted)."""
    import psutil

    cwd = cwd or os.getcwd()
    context: Dict[str, Any] = {}
    source = git_source(cwd)
    if source:
        context["source"] = source
    main = sys.modules.get("__main__")
    entry = getattr(main, "__file__", None)
    command: Dict[str, Any] = {"argv": [redact_value(a)[:10_000] for a in sys.argv[:1_000]], "cwd": cwd}
    if entry:
        command["entryPoint"] = str(entry)
    context["command"] = command
    context["runtime"] = {"language": "python", "version": platform.python_version(), "executable": sys.executable}
    if full:
        context["dependencies"] = dependencies()
    host: Dict[str, Any] = {
        "hostname": socket.gethostname()[:255],
        "os": f"{platform.system()} {platform.release()}"[:255],
        "cpuCount": os.cpu_count() or 0,
        "memoryBytes": psutil.virtual_memory().total,
    }
    model = cpu_model()
    if model:
        host["cpu"] = model
    gpu_list = gpus()
    if gpu_list:
        host["gpus"] = gpu_list
    context["host"] = host
    context["env"] = redact_env({k: v for k, v in os.environ.items()})
    return context


def source_file() -> Optional[Path]:
    """The notebook (`.ipynb`, as Jupyter names it in JPY_SESSION_NAME) or the script being run."""
    notebook = os.environ.get("JPY_SESSION_NAME")
    if notebook and notebook.endswith(".ipynb") and Path(notebook).is_file():
        return Path(notebook)
    entry = getattr(sys.modules.get("__main__"), "__file__", None)
    if entry and Path(entry).resolve().is_file() and Path(entry).suffix in (".py", ".ipynb"):
        return Path(entry)
    return None


def save_source(run: Run, path: Optional[Path]) -> None:
    """Uploads the script or notebook as `code/<name>`, so two runs' code can be compared."""
    if path is not None and path.stat().st_size <= 10 * 1024 * 1024:
        run.upload_file(str(path), f"code/{path.name}")
