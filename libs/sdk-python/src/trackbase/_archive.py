"""Reading a `trackbase export` archive (`GET .../export/archive.tar`, or a saved copy) into a directory, streamed."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path
from typing import Any

#: Bytes copied per read from an archive member.
CHUNK = 1 << 20


def extract(source: Any, out: Path) -> int:
    """Writes the regular files of the archive read from `source` (a binary stream, read once without seeking) under
    `out`; returns the bytes written.

    An entry whose path is absolute or would leave `out` is refused, as are links and devices.
    """
    root = Path(out).resolve()
    written = 0
    with tarfile.open(fileobj=source, mode="r|") as archive:
        for member in archive:
            if member.isdir():
                continue
            target = (root / member.name).resolve()
            if not member.isfile() or Path(member.name).is_absolute() or root not in target.parents:
                raise ValueError(f"refusing archive entry {member.name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            body = archive.extractfile(member)
            assert body is not None
            with open(target, "wb") as sink:
                shutil.copyfileobj(body, sink, CHUNK)
            written += member.size
    return written
