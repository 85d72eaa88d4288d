"""
What can be logged: Python numbers and bools, numpy scalars and 0-d arrays, torch 0-d tensors (anything
with `ndim == 0` and `.item()`), converted on the background thread so that a CUDA tensor never
synchronises the training thread. Nothing here imports numpy or torch.
"""

from __future__ import annotations

import numbers
from typing import Any, Optional, Tuple

SERIES_NAME_LENGTH = 250
TEXT_LINE_LENGTH = 16 * 1024


def name_problem(name: Any) -> Optional[str]:
    """Why a series name cannot be used, or None."""
    if not isinstance(name, str):
        return f"a name must be a string, not {type(name).__name__}"
    if not name:
        return "a name must not be empty"
    if len(name) > SERIES_NAME_LENGTH:
        return f"a name may have at most {SERIES_NAME_LENGTH} characters"
    for c in name:
        o = ord(c)
        if o < 0x20 or o == 0x7F:
            return "a name must not contain control characters"
        if 0xD800 <= o <= 0xDFFF:
            return "a name must not contain lone surrogates"
    return None


def to_number(value: Any) -> Tuple[Optional[float], Optional[str]]:
    """(number, None) or (None, why it cannot be logged)."""
    t = type(value)
    if t is float or t is int:
        return value, None
    if t is bool:
        return (1 if value else 0), None
    if isinstance(value, (str, bytes, dict, list, tuple, set)) or value is None:
        return None, f"{t.__name__} is not a number"
    ndim = getattr(value, "ndim", None)
    if ndim is not None and hasattr(value, "item"):
        if ndim != 0:
            shape = getattr(value, "shape", None)
            return None, f"an array of shape {tuple(shape) if shape is not None else '?'} is not a scalar"
        try:
            return to_number(value.item())
        except Exception as error:  # a tensor on a lost device, a masked value...
            return None, f"could not read the value: {error}"
    if isinstance(value, numbers.Real):
        try:
            return float(value), None
        except (TypeError, ValueError, OverflowError) as error:
            return None, str(error)
    return None, f"{t.__name__} is not a number"
