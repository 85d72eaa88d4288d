"""The `trackbase` command: the same commands, flags, `--json` output and exit codes as the npm CLI."""

from __future__ import annotations

import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    from ._program import run_cli

    code = run_cli(sys.argv[1:] if argv is None else argv)
    if argv is None:
        sys.exit(code)
    return code
