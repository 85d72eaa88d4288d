"""Settings as the TypeScript SDK resolves them: arguments, then TRACKBASE_* variables, then what `trackbase login` stored."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple

MODES = ("async", "sync", "offline", "disabled")
DEFAULT_URL = "http://127.0.0.1:3000"


def config_dir(env: Optional[Mapping[str, str]] = None) -> Path:
    """Where the CLI keeps the key: TRACKBASE_CONFIG_DIR, else $XDG_CONFIG_HOME/trackbase, else ~/.config/trackbase."""
    env = os.environ if env is None else env
    if env.get("TRACKBASE_CONFIG_DIR"):
        return Path(env["TRACKBASE_CONFIG_DIR"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "trackbase"


def data_dir(env: Optional[Mapping[str, str]] = None) -> Path:
    """Where runs keep their journals until the server has everything: TRACKBASE_DIR, else ~/.local/share/trackbase."""
    env = os.environ if env is None else env
    if env.get("TRACKBASE_DIR"):
        return Path(env["TRACKBASE_DIR"])
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "trackbase"


def read_stored_login(env: Optional[Mapping[str, str]] = None) -> dict:  # type: ignore[type-arg]
    path = config_dir(env) / "config.json"
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def split_project(ref: str) -> Tuple[str, str]:
    parts = ref.split("/")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise ValueError(f'project must look like "org/project", not "{ref}"')
    return parts[0], parts[1]


@dataclass(frozen=True)
class ResolvedConfig:
    url: str
    api_key: Optional[str]
    org: Optional[str]
    project: Optional[str]
    mode: str
    data_dir: Path


def resolve_config(
    url: Optional[str] = None,
    api_key: Optional[str] = None,
    project: Optional[str] = None,
    mode: Optional[str] = None,
    directory: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
) -> ResolvedConfig:
    env = os.environ if env is None else env
    stored = read_stored_login(env)
    # Empty variables count as unset, as shells make them easily.
    resolved_mode = mode or env.get("TRACKBASE_MODE") or "async"
    if resolved_mode not in MODES:
        raise ValueError(f'TRACKBASE_MODE must be one of {", ".join(MODES)}, not "{resolved_mode}"')
    ref = project or env.get("TRACKBASE_PROJECT")
    org_slug, project_slug = split_project(ref) if ref else (None, None)
    base = (url or env.get("TRACKBASE_URL") or stored.get("url") or DEFAULT_URL).rstrip("/")
    key = api_key or env.get("TRACKBASE_API_KEY") or stored.get("apiKey") or None
    return ResolvedConfig(
        url=base,
        api_key=key,
        org=org_slug,
        project=project_slug,
        mode=resolved_mode,
        data_dir=Path(directory) if directory else data_dir(env),
    )
