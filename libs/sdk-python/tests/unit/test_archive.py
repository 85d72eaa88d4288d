"""Reading an export archive: streamed, files only where they belong."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any, Dict

import pytest

from trackbase import _archive


def tar_of(files: Dict[str, bytes], link: str = "") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        if link:
            info = tarfile.TarInfo(link)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
    buffer.seek(0)
    return buffer


class OneWay(io.RawIOBase):
    """A stream that cannot seek, as an HTTP response body."""

    def __init__(self, inner: io.BytesIO) -> None:
        self.inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.inner.read(len(b))
        b[: len(data)] = data
        return len(data)


def test_writes_every_file_under_the_directory_from_a_stream_that_cannot_seek(tmp_path: Path) -> None:
    files = {"export.json": b"{}", "files/r1/ckpt/w.bin": b"x" * 3000, "artifacts/m/v1/manifest.json": b"{}"}
    assert _archive.extract(OneWay(tar_of(files)), tmp_path) == sum(len(c) for c in files.values())
    assert {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == files


@pytest.mark.parametrize("name", ["../outside.txt", "/tmp/absolute.txt", "files/../../outside.txt"])
def test_refuses_an_entry_that_would_leave_the_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="refusing archive entry"):
        _archive.extract(tar_of({name: b"bad"}), tmp_path / "out")
    assert not (tmp_path / "outside.txt").exists()


def test_refuses_links(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="refusing archive entry"):
        _archive.extract(tar_of({}, link="files/r1/passwd"), tmp_path)
