"""
Media on their way to the server: the writer thread encodes each item, keeps its bytes beside the journal
(`media/<sha256>`, written before the journal line that names them, so a crash loses nothing) and journals
the item; before a batch holding items is sent, the sender uploads their objects through the run's media
objects (the content-addressed upload protocol: what the server holds already is not sent again).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from ._api import TrackbaseApi
from ._files import HashedFile, Uploader
from ._journal import MEDIA_DIR
from ._media import Media, sha256_hex


def store_blob(directory: Path, data: bytes) -> str:
    """Writes content under its SHA-256 (once: the same image logged again is stored once), durably; returns the digest."""
    digest = sha256_hex(data)
    media = directory / MEDIA_DIR
    target = media / digest
    if target.exists():
        return digest
    media.mkdir(mode=0o700, exist_ok=True)
    tmp = media / f".{digest}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(tmp, target)
    return digest


def journal_item(directory: Path, value: Media, key: str, step: int, ts: int, index: int) -> Dict[str, Any]:
    """The journal entry of one media value, its content objects stored first."""
    fields, blobs = value.to_item()
    item: Dict[str, Any] = {"key": key, "step": step, "time": ts, "index": index, **fields}
    for i, (data, content_type) in enumerate(blobs):
        digest = store_blob(directory, data)
        if i == 0:
            item.update({"sha256": digest, "size": len(data), "contentType": content_type})
    return {"t": "md", "v": item}


def _objects(batch: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    objects: Dict[str, Dict[str, Any]] = {}
    for item in batch.get("media") or []:
        if item.get("sha256"):
            objects[item["sha256"]] = {"size": item["size"], "contentType": item.get("contentType")}
        for mask in (item.get("masks") or {}).values():
            objects[mask["sha256"]] = {"size": mask["size"], "contentType": "image/png"}
    return objects


def upload_batch_media(api: TrackbaseApi, meta: Dict[str, Any], directory: Path, batch: Dict[str, Any]) -> None:
    """Uploads the objects the batch's media items reference (content the server holds is not sent again)."""
    objects = _objects(batch)
    if objects:
        upload_media_objects(api, meta["org"], meta["project"], meta["runId"], directory, objects)


def upload_media_objects(
    api: TrackbaseApi, org: str, project: str, run: str, directory: Path, objects: Dict[str, Dict[str, Any]]
) -> None:
    """Uploads media objects of the run, by SHA-256 ({digest: {size, contentType}}), from beside the journal."""
    files: List[HashedFile] = []
    declarations: List[Dict[str, Any]] = []
    for digest, info in objects.items():
        local = directory / MEDIA_DIR / digest
        if not local.exists():
            continue  # gone from disk: the server refuses what names it (media_object_missing)
        files.append(HashedFile(str(local), digest, int(info["size"]), digest))
        declarations.append(
            {
                "path": digest,
                "size": int(info["size"]),
                "sha256": digest,
                **({"contentType": info["contentType"]} if info.get("contentType") else {}),
            }
        )
    if not files:
        return
    declared = api.declare_media_objects(org, project, run, declarations)

    def redeclare(file: HashedFile, _reason: str) -> Optional[Dict[str, Any]]:
        one = next(d for d in declarations if d["path"] == file.remote_path)
        return api.declare_media_objects(org, project, run, [one])["files"][0].get("upload")  # type: ignore[no-any-return]

    Uploader(api, org, project).send_declared(declared["files"], files, redeclare)


def refused_items(ack: Any) -> List[Dict[str, Any]]:
    if isinstance(ack, dict) and isinstance(ack.get("media"), dict):
        return list(ack["media"].get("refused") or [])
    return []
