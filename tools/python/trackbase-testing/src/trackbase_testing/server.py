"""The built Trackbase API as its own process, so tests can kill it (SIGKILL too) and restart it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, Optional


def repo_root() -> Path:
    """The monorepo root: TRACKBASE_REPO_ROOT, or the nearest parent of the working directory holding nx.json."""
    env = os.environ.get("TRACKBASE_REPO_ROOT")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "nx.json").exists():
            return candidate
    raise RuntimeError("cannot find the Trackbase repository root (set TRACKBASE_REPO_ROOT)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _create_database(admin_url: str) -> str:
    """A throwaway database on the server at TEST_DATABASE_URL, created with psql."""
    name = f"trackbase_pytest_{uuid.uuid4().hex}"
    subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"], check=True)
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


class ServerProcess:
    """
    One API process on a free port. Without TEST_DATABASE_URL the server starts its own embedded
    PostgreSQL in a temporary data directory (as `npm start` does); with it, a fresh database on that
    server. Data and port survive `kill()` + `start()`, so tests can restart it on the same state.
    """

    def __init__(self, env: Optional[Dict[str, str]] = None) -> None:
        self.root = repo_root()
        self.entry = self.root / "apps/api/dist/apps/api/src/main.js"
        if not self.entry.exists():
            raise RuntimeError(f"{self.entry} is missing: build the API first (npm run build)")
        self.port = free_port()
        self.data_dir = Path(tempfile.mkdtemp(prefix="trackbase-pytest-"))
        os.chmod(self.data_dir, 0o755)
        self.env: Dict[str, str] = dict(env or {})
        admin = os.environ.get("TEST_DATABASE_URL")
        if admin:
            self.env.setdefault("DATABASE_URL", _create_database(admin))
        self.log_path = self.data_dir / "server.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> "ServerProcess":
        env = {
            **os.environ,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "TRACKBASE_DATA_DIR": str(self.data_dir / "data"),
            "LOG_LEVEL": "warn",
            "JWT_SECRET": "pytest-secret-that-is-long-enough-for-hs256-signing",
            "AUTH_RATE_LIMIT_PER_MINUTE": "100000",
            **self.env,
        }
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["node", str(self.entry)], cwd=str(self.root), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not become ready:\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill(self) -> None:
        """SIGKILL the API process and everything it started (its embedded PostgreSQL too), as when a machine dies."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        proc.wait()

    def restart(self) -> "ServerProcess":
        self.stop()
        return self.start()

    def close(self) -> None:
        self.stop()
        # An embedded PostgreSQL left by a killed server: stop it so the run leaves nothing behind.
        pg_data = self.data_dir / "data" / "postgres"
        pid_file = pg_data / "postmaster.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGTERM)
            except (OSError, ValueError, IndexError):
                pass
        shutil.rmtree(self.data_dir, ignore_errors=True)
