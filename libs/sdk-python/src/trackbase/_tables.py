"""
Tables waiting to reach the server, beside the run's journal (the layout the TypeScript SDK uses, see
docs/journal-format.md): `tables/<sha256>.json` holds a document, `tables/<id>.pending` names one logged
table (key, step, sha256, size). Both are written (temporary file, then rename) before `log()` returns,
so a killed process loses none; a delivered or refused table's marker is removed, and its document once
no marker names it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from ._api import TrackbaseApi
from ._errors import TrackbaseApiError
from ._files import HashedFile, Uploader
from ._media_store import upload_media_objects

DIR = "tables"


def _write_atomically(path: Path, body: bytes) -> None:
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(partial, "wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def save_table(
    journal_dir: Path, key: str, step: int, document: bytes, media: Optional[List[Dict[str, Any]]] = None
) -> Dict[str, Any]:
    """`media`: the objects its image and audio cells name ({sha256, size, contentType}), already stored under `media/`."""
    directory = Path(journal_dir) / DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    sha256 = hashlib.sha256(document).hexdigest()
    doc_path = directory / f"{sha256}.json"
    if not doc_path.exists():
        _write_atomically(doc_path, document)
    entry_id = f"{_base36(int(time.time() * 1000)).rjust(9, '0')}-{uuid.uuid4().hex[:8]}"
    entry: Dict[str, Any] = {"id": entry_id, "key": key, "step": step, "sha256": sha256, "size": len(document)}
    if media:
        entry["media"] = [{"path": m["sha256"], **m} for m in media]
    _write_atomically(directory / f"{entry_id}.pending", json.dumps(entry).encode())
    return entry


def pending_tables(journal_dir: Path) -> List[Dict[str, Any]]:
    """Tables logged and not yet delivered, oldest first."""
    directory = Path(journal_dir) / DIR
    if not directory.is_dir():
        return []
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".pending"):
            try:
                out.append(json.loads((directory / name).read_text()))
            except (OSError, ValueError):
                continue
    return out


def _settle(journal_dir: Path, entry: Dict[str, Any]) -> None:
    directory = Path(journal_dir) / DIR
    (directory / f"{entry['id']}.pending").unlink(missing_ok=True)
    if not any(p["sha256"] == entry["sha256"] for p in pending_tables(journal_dir)):
        (directory / f"{entry['sha256']}.json").unlink(missing_ok=True)


def send_pending_table(
    api: TrackbaseApi, org: str, project: str, run: str, journal_dir: Path, entry: Dict[str, Any]
) -> Dict[str, Any]:
    """
    Declares the table, uploads its document when the server asks for it and declares it again. Returns the
    server's verdict (`ready` or `rejected`) and forgets the table; an unreachable server raises and the table
    stays for the next attempt or `trackbase sync`.
    """
    declaration = {k: entry[k] for k in ("key", "step", "size", "sha256")}

    def declare() -> Dict[str, Any]:
        try:
            return api.declare_run_tables(org, project, run, [declaration])["tables"][0]  # type: ignore[no-any-return]
        except TrackbaseApiError as error:
            # A request with only this table answers its refusal as an error.
            if error.status in (400, 413):
                refusal = {"code": error.code, "message": str(error), "status": error.status}
                return {"key": entry["key"], "step": entry["step"], "state": "rejected", "error": refusal}
            raise

    if entry.get("media"):
        objects = {m["sha256"]: {"size": m["size"], "contentType": m.get("contentType")} for m in entry["media"]}
        upload_media_objects(api, org, project, run, Path(journal_dir), objects)
    result = declare()
    if result["state"] == "upload" and result.get("upload"):
        doc = Path(journal_dir) / DIR / f"{entry['sha256']}.json"
        file = HashedFile(str(doc), f"tables/{entry['key']}/{entry['step']}", int(entry["size"]), entry["sha256"])
        uploader = Uploader(api, org, project)
        upload_id = uploader._send(file, result["upload"], lambda _f, _reason: declare().get("upload"))
        if upload_id:
            outcome = uploader.complete([upload_id]).get(upload_id, {})
            if outcome.get("error"):
                raise TrackbaseApiError(400, outcome["error"]["code"], outcome["error"]["message"])
        result = declare()
    if result["state"] != "upload":
        _settle(journal_dir, entry)
    return result
