"""Every Python block of the README, as written, against a fresh server (the npm suite runs the sh and ts blocks).

The blocks log into `my-org/my-project`, as a reader who followed the README would: an organization
`my-org` with a key of its owner; `init` creates the project.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
from trackbase_testing.tenants import signup

from conftest import PYTHON, ROOT, child_env

SKIP = re.compile(r"^<!--\s*snippet:\s*skip\s*(?:\((.*)\))?\s*-->$")


def python_blocks(markdown: str) -> List[Dict[str, Any]]:
    """Fenced ```python blocks with their line, and the reason of a `<!-- snippet: skip (why) -->` line before them."""
    lines = markdown.split("\n")
    blocks: List[Dict[str, Any]] = []
    i = 0
    while i < len(lines):
        opened = re.match(r"^(`{3,})\s*([\w+-]*)", lines[i])
        if not opened:
            i += 1
            continue
        fence, lang = opened.group(1), opened.group(2).lower()
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        marker = SKIP.match(lines[k].strip()) if k >= 0 else None
        if lang in ("python", "py"):
            blocks.append(
                {
                    "line": i + 1,
                    "code": "\n".join(lines[i + 1 : j]),
                    "skip": (marker.group(1) or "marked skip") if marker else None,
                }
            )
        i = j + 1
    return blocks


BLOCKS = python_blocks((ROOT / "README.md").read_text())


def test_the_readme_has_python_to_run() -> None:
    assert [b for b in BLOCKS if not b["skip"]], "the README's Python quick start has no runnable block"


@pytest.fixture(scope="module")
def reader(trackbase_server: Any) -> Dict[str, Any]:
    owner = signup(trackbase_server.url, "README reader")
    owner.api.post("/orgs", {"name": "My org", "slug": "my-org"}, expect=201)
    return {"url": trackbase_server.url, "key": owner.api_key("readme"), "api": owner.api}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"README.md:{b['line']}")
def test_readme_python_block_runs_as_written(block: Dict[str, Any], reader: Dict[str, Any], tmp_path: Path) -> None:
    if block["skip"]:
        pytest.skip(block["skip"])
    script = tmp_path / "snippet.py"
    script.write_text(block["code"])
    env = child_env(tmp_path, TRACKBASE_URL=reader["url"], TRACKBASE_API_KEY=reader["key"])
    done = subprocess.run([PYTHON, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    output = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, output
    assert not re.search(r"refused|not delivered|cannot reach", output), output
    # What the quick start promises: the run is on the server, with its points.
    runs = reader["api"].get("/orgs/my-org/projects/my-project/runs")["items"]
    assert any(r["state"] == "finished" for r in runs), runs
