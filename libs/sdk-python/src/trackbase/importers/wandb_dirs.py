"""
`trackbase import wandb <dir>`: W&B run directories (offline runs, or online runs that never finished
uploading, as clusters without network leave them) into a Trackbase project.

The `.wandb` files are read by W&B's own reader: the `wandb` package's `wandb sync`, pointed at
Trackbase's W&B endpoint (`<url>/wandb`, see docs/wandb.md) with the Trackbase key. Everything it
sends goes through that endpoint's mapping: config into params, history into metric series,
system metrics, the summary, the console, files, the final state. Idempotent: the endpoint applies
each file_stream line once (by offset) and history steps only forward, so importing a directory
again, or after an interrupted import, adds nothing twice. A run keeps its W&B id as its external id.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from .._api import TrackbaseApi
from ._writer import Summary

RUN_DIR = re.compile(r"^(?:offline-)?run-\d{8}_\d{6}-(?P<id>[a-z0-9]+)$")


def run_directories(path: Path) -> List[Path]:
    """The run directories at `path`: itself, its children, or those of its `wandb/` folder; oldest first."""
    candidates = [path, *sorted(path.iterdir())] if path.is_dir() else []
    if (path / "wandb").is_dir():
        candidates += sorted((path / "wandb").iterdir())
    found = [p for p in candidates if p.is_dir() and RUN_DIR.match(p.name) and any(p.glob("run-*.wandb"))]
    return sorted(set(found), key=lambda p: p.name.split("-", 2)[-1])


def _wandb_command() -> List[str]:
    try:
        import wandb  # noqa: F401
    except ImportError as error:
        raise ImportError("importing W&B run directories needs the wandb package: pip install wandb") from error
    return [sys.executable, "-m", "wandb"]


class WandbDirImporter:
    def __init__(
        self, api: TrackbaseApi, url: str, key: str, org: str, project: str, progress: Optional[Callable[[int, int], None]] = None
    ) -> None:
        self.api, self.url, self.key, self.org, self.project = api, url.rstrip("/"), key, org, project
        self.progress = progress
        self.summary = Summary()

    def env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
        env.update(
            WANDB_BASE_URL=f"{self.url}/wandb",
            WANDB_API_KEY=self.key,
            WANDB_ENTITY=self.org,
            WANDB_PROJECT=self.project,
            WANDB_SILENT="true",
            WANDB_DISABLE_GIT="true",
        )
        return env

    def run(self, path: Path) -> Summary:
        command = _wandb_command()
        directories = run_directories(path)
        if not directories:
            raise ValueError(f"no W&B run directories (run-<date>_<time>-<id> with a .wandb file) in {path}")
        for done, directory in enumerate(directories, 1):
            run_id = RUN_DIR.match(directory.name).group("id")  # type: ignore[union-attr]
            label = directory.name
            synced = subprocess.run(
                [*command, "sync", "--include-synced", "--include-online"]
                + ["--entity", self.org, "--project", self.project, str(directory)],
                env=self.env(),
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if synced.returncode != 0:
                tail = (synced.stderr or synced.stdout).strip().splitlines()[-1:] or ["no output"]
                self.summary.skip(label, "run", f"wandb sync failed ({synced.returncode}): {tail[0]}")
            else:
                run = self._find(run_id)
                if run is None:
                    self.summary.skip(label, "run", "wandb sync reported success but the run is not in the project")
                else:
                    self.summary.runs.append({"source": label, "key": run["key"], "id": run["id"], "project": self.project})
                    self.summary.runs_imported += 1
            if self.progress:
                self.progress(done, len(directories))
        return self.summary

    def _find(self, run_id: str) -> Optional[Dict[str, Any]]:
        page = self.api.list_runs(self.org, self.project, filter=f'external_id = "{run_id}"', limit=10)
        return next((dict(r) for r in page["items"] if r.get("externalId") == run_id), None)
