"""Output as the npm CLI writes it: tables, progress bars, sizes, exit codes."""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Optional, Sequence, TextIO

#: Exit codes scripts can rely on (the npm CLI's).
EXIT = {"ok": 0, "error": 1, "usage": 2, "auth": 3, "not_found": 4, "unavailable": 5, "partial": 6}

UNITS = ["B", "KB", "MB", "GB", "TB"]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(format_number(value))


def format_number(value: Any) -> Any:
    """Six significant digits for floats (as the npm CLI prints them); other values as they are."""
    if not isinstance(value, float) or value.is_integer() or value != value or value in (float("inf"), float("-inf")):
        return value
    return float(f"{value:.6g}")


def table(rows: Sequence[Dict[str, Any]], columns: List[str]) -> str:
    if not rows:
        return "(none)\n"
    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values: List[str]) -> str:
        return "  ".join(v.ljust(widths[i]) for i, v in enumerate(values)).rstrip()

    return "\n".join([line([c.upper() for c in columns]), *(line(r) for r in cells)]) + "\n"


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = round(done / total * width) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def format_bytes(n: float) -> str:
    value = float(n)
    unit = 0
    while value >= 1024 and unit < len(UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{int(value) if unit == 0 else f'{value:.1f}'} {UNITS[unit]}"


class Printer:
    def __init__(self, json_mode: bool, out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> None:
        self.json = json_mode
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def print(self, value: Any, human: Any) -> None:
        """JSON.stringify(value, null, 2) with --json, else the human text."""
        self.out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n" if self.json else human())
