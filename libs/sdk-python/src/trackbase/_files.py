"""
Run files and artifact files share one upload protocol (as `libs/sdk/src/files`): declare (path, size,
SHA-256) -> plans -> part URLs signed for each part's MD5 -> PUT -> report each part -> complete
(many uploads per request). Content the server holds already is not sent again; a completion refused
with checksum_mismatch resets the upload and the file is sent once more.
"""

from __future__ import annotations

import os
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._api import TrackbaseApi
from ._backoff import backoff_delay
from ._errors import TrackbaseApiError
from ._limiter import map_limit
from ._transfer import PresignedRequestError, corrupted_in_transit, md5_base64_range, put_range, retryable, sha256_file

FILES_PER_REQUEST = 1_000
COMPLETIONS_PER_REQUEST = 100
DEFAULT_CONCURRENCY = 4
RENEW_BEFORE_S = 30.0
MAX_URL_RENEWALS = 3

FilesSpec = Union[str, Sequence[str], Dict[str, str]]
Plan = Dict[str, Any]
Redeclare = Callable[["HashedFile", str], Optional[Plan]]


@dataclass
class LocalFile:
    local_path: str
    remote_path: str
    size: int


@dataclass
class HashedFile(LocalFile):
    sha256: str = ""

    def declaration(self) -> Dict[str, Any]:
        """With the content type by extension (as `contentTypeOfPath` in libs/contracts), so previews work for SDK uploads."""
        declared: Dict[str, Any] = {"path": self.remote_path, "size": self.size, "sha256": self.sha256}
        content_type = content_type_of(self.remote_path)
        if content_type:
            declared["contentType"] = content_type
        return declared


_CONTENT_TYPES = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
    "bmp": "image/bmp", "svg": "image/svg+xml", "wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg",
    "flac": "audio/flac", "mp4": "video/mp4", "webm": "video/webm", "txt": "text/plain", "log": "text/plain",
    "md": "text/markdown", "csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json", "jsonl": "application/x-ndjson", "yaml": "application/yaml",
    "yml": "application/yaml", "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip",
    "tar": "application/x-tar", "parquet": "application/vnd.apache.parquet",
}  # fmt: skip


def content_type_of(path: str) -> Optional[str]:
    name = path.rsplit("/", 1)[-1]
    return _CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


def remote_path(*pieces: str) -> str:
    """`/`-separated whatever the platform, no empty or `.` segments, Unicode NFC (the server accepts NFC only)."""
    segments: List[str] = []
    for piece in pieces:
        for s in piece.replace("\\", "/").split("/") if os.sep == "\\" else piece.split("/"):
            if s and s != ".":
                segments.append(s)
    return unicodedata.normalize("NFC", "/".join(segments))


def walk_dir(directory: str) -> List[Tuple[str, str, int]]:
    """Regular files below `directory` in a stable (byte) order; links to files followed, links to directories not."""
    found: List[Tuple[str, str, int]] = []

    def visit(current: str) -> None:
        with os.scandir(current) as it:
            entries = sorted(it, key=lambda e: e.name.encode("utf-8", "surrogateescape"))
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                visit(entry.path)
            elif entry.is_file():
                found.append((entry.path, os.path.relpath(entry.path, directory), entry.stat().st_size))

    visit(directory)
    return found


def collect_path(local_path: str, prefix: str = "") -> List[LocalFile]:
    """A file keeps its base name under `prefix`; a directory puts its contents there."""
    if os.path.isfile(local_path):
        return [LocalFile(local_path, remote_path(prefix, os.path.basename(local_path)), os.path.getsize(local_path))]
    if not os.path.isdir(local_path):
        raise FileNotFoundError(f"{local_path} is neither a file nor a directory")
    return [LocalFile(p, remote_path(prefix, rel), size) for p, rel, size in walk_dir(local_path)]


def collect_files(spec: FilesSpec, prefix: str = "") -> List[LocalFile]:
    """One path, several, or `{remote: local}` (a directory there puts its contents under that remote path)."""
    pairs: List[Tuple[str, str, bool]]
    if isinstance(spec, (str, os.PathLike)):
        pairs = [(os.fspath(spec), prefix, False)]
    elif isinstance(spec, dict):
        pairs = [(os.fspath(local), remote_path(prefix, remote), True) for remote, local in spec.items()]
    else:
        pairs = [(os.fspath(p), prefix, False) for p in spec]
    files: List[LocalFile] = []
    for local, under, named in pairs:
        if named and os.path.isfile(local):
            files.append(LocalFile(local, under, os.path.getsize(local)))
        else:
            files.extend(collect_path(local, under))
    seen: Dict[str, str] = {}
    for f in files:
        if f.remote_path in seen:
            raise ValueError(f"{seen[f.remote_path]} and {f.local_path} would both be stored as {f.remote_path}")
        seen[f.remote_path] = f.local_path
    if not files:
        raise ValueError("no files to upload")
    return files


def hash_files(files: List[LocalFile], concurrency: int = DEFAULT_CONCURRENCY) -> List[HashedFile]:
    digests = map_limit(lambda f: sha256_file(f.local_path), files, concurrency)
    return [HashedFile(f.local_path, f.remote_path, f.size, d) for f, d in zip(files, digests)]


def _expires_in(plan: Plan) -> float:
    try:
        return datetime.fromisoformat(str(plan["expiresAt"]).replace("Z", "+00:00")).timestamp() - time.time()
    except (KeyError, ValueError):
        return 3600.0


def pending_parts(plan: Plan) -> List[Tuple[int, int, int]]:
    """(part number, start, end) of the parts the server has not recorded: part n starts at (n-1)·partSize."""
    done = set(plan.get("completedParts") or [])
    size, part_size = int(plan["size"]), int(plan["partSize"])
    parts = []
    for i in range(int(plan["partCount"])):
        start = i * part_size
        if i + 1 not in done:
            parts.append((i + 1, start, min(size, start + part_size)))
    return parts


class Uploader:
    """One transfer: bounded PUT concurrency, completions gathered into batch requests."""

    def __init__(
        self, api: TrackbaseApi, org: str, project: str, concurrency: int = DEFAULT_CONCURRENCY, max_attempts: int = 5
    ) -> None:
        self.api, self.org, self.project = api, org, project
        self.concurrency = concurrency
        self.max_attempts = max_attempts

    def _put(
        self, path: str, start: int, end: int, target: Callable[[bool], Optional[Tuple[str, Dict[str, str]]]]
    ) -> Optional[str]:
        """One PUT with retries: network errors, 408, 429, 5xx and damaged bodies with backoff; a 403 asks for a fresh URL."""
        fresh = False
        renewals = 0
        attempt = 0
        while True:
            to = target(fresh)
            if to is None:
                return None
            fresh = False
            try:
                return put_range(to[0], to[1], path, start, end)
            except Exception as error:
                if isinstance(error, PresignedRequestError) and error.status == 403 and renewals < MAX_URL_RENEWALS:
                    renewals += 1
                    fresh = True
                    continue
                if not retryable(error) and not corrupted_in_transit(error):
                    raise
                attempt += 1
                if attempt >= self.max_attempts:
                    raise RuntimeError(f"upload of {path} failed after {self.max_attempts} attempts: {error}") from error
                time.sleep(backoff_delay(attempt - 1))

    def _send(self, file: HashedFile, plan: Plan, redeclare: Redeclare) -> Optional[str]:
        """Sends one file as its plan says; returns the upload id to complete, or None when it is stored already."""
        if os.path.getsize(file.local_path) != plan["size"]:
            raise RuntimeError(f"{file.local_path} changed since it was hashed")
        if plan["method"] == "single":
            current: List[Optional[Plan]] = [plan]

            def target(fresh: bool) -> Optional[Tuple[str, Dict[str, str]]]:
                p = current[0]
                if p is not None and (fresh or _expires_in(p) < RENEW_BEFORE_S):
                    p = current[0] = redeclare(file, "renew")
                return None if p is None else (str(p["url"]), dict(p.get("headers") or {}))

            sent = self._put(file.local_path, 0, int(plan["size"]), target)
            return None if sent is None or current[0] is None else str(current[0]["uploadId"])
        upload_id = str(plan["uploadId"])
        for number, start, end in pending_parts(plan):
            for attempt in range(3):
                md5 = md5_base64_range(file.local_path, start, end)

                def part_target(_fresh: bool, number: int = number, md5: str = md5) -> Tuple[str, Dict[str, str]]:
                    part = self.api.upload_part_urls(self.org, self.project, upload_id, [{"partNumber": number, "md5": md5}])[
                        "parts"
                    ][0]
                    return str(part["url"]), dict(part.get("headers") or {})

                etag = self._put(file.local_path, start, end, part_target)
                if not etag:
                    raise RuntimeError(f"the store gave no ETag for part {number} of {file.local_path}")
                try:
                    self.api.report_upload_part(
                        self.org, self.project, upload_id, {"partNumber": number, "etag": etag, "md5": md5, "size": end - start}
                    )
                    break
                except TrackbaseApiError as error:
                    if error.code != "part_checksum_mismatch" or attempt >= 2:
                        raise
        return upload_id

    def complete(self, upload_ids: List[str]) -> Dict[str, Dict[str, Any]]:
        results: Dict[str, Dict[str, Any]] = {}
        unique = list(dict.fromkeys(upload_ids))
        for i in range(0, len(unique), COMPLETIONS_PER_REQUEST):
            answer = self.api.complete_uploads(self.org, self.project, unique[i : i + COMPLETIONS_PER_REQUEST])
            for result in answer["results"]:
                results[str(result["uploadId"])] = result
        return results

    def send_declared(self, results: List[Dict[str, Any]], files: List[HashedFile], redeclare: Redeclare) -> List[Dict[str, Any]]:
        """Sends what a declaration answer asks for (two paths of the same content share one upload) and completes it."""
        by_path = {f.remote_path: f for f in files}
        work: Dict[str, Tuple[HashedFile, Plan]] = {}
        for result in results:
            file = by_path.get(result["file"]["path"])
            if file is None:
                raise RuntimeError(f"the server answered for {result['file']['path']}, which was not declared")
            plan = result.get("upload")
            if plan and plan["uploadId"] not in work:
                work[plan["uploadId"]] = (file, plan)
        for round_ in range(2):
            sent = map_limit(
                lambda item: (item[0], self._send(item[0], item[1], redeclare)), list(work.values()), self.concurrency
            )
            to_complete = {uid: file for file, uid in sent if uid}
            outcome = self.complete(list(to_complete))
            retry: Dict[str, Tuple[HashedFile, Plan]] = {}
            for uid, file in to_complete.items():
                answered = outcome.get(uid)
                if answered is None:
                    raise RuntimeError(f"the server did not answer for upload {uid}")
                error = answered.get("error")
                if not error:
                    continue
                if error["code"] != "checksum_mismatch" or round_ >= 1:
                    raise TrackbaseApiError(400, error["code"], f"{file.local_path}: {error['message']}")
                plan = redeclare(file, "reset")
                if plan:
                    retry[plan["uploadId"]] = (file, plan)
            if not retry:
                break
            work = retry
        return [{**r["file"], "state": "available"} for r in results]


RunScope = Tuple[TrackbaseApi, str, str, str]


def upload_run_files(scope: RunScope, files: List[LocalFile], concurrency: int = DEFAULT_CONCURRENCY) -> List[Dict[str, Any]]:
    """Declared in requests of at most 1,000 files, each request's files hashed, then sent."""
    api, org, project, run = scope
    uploader = Uploader(api, org, project, concurrency)
    stored: List[Dict[str, Any]] = []
    for i in range(0, len(files), FILES_PER_REQUEST):
        hashed = hash_files(files[i : i + FILES_PER_REQUEST], concurrency)
        declared = api.declare_run_files(org, project, run, [f.declaration() for f in hashed])

        def redeclare(file: HashedFile, _reason: str) -> Optional[Plan]:
            answer = api.declare_run_files(org, project, run, [file.declaration()])
            return answer["files"][0].get("upload")  # type: ignore[no-any-return]

        stored.extend(uploader.send_declared(declared["files"], hashed, redeclare))
    return stored


def upload_run_file(scope: RunScope, local_path: str, remote: Optional[str] = None) -> Dict[str, Any]:
    if not os.path.isfile(local_path):
        raise ValueError(f"{local_path} is not a file; use upload_dir")
    file = LocalFile(
        local_path, remote_path(remote) if remote else remote_path(os.path.basename(local_path)), os.path.getsize(local_path)
    )
    return upload_run_files(scope, [file])[0]


def upload_run_dir(scope: RunScope, local_dir: str, remote_prefix: str = "") -> List[Dict[str, Any]]:
    return upload_run_files(scope, collect_path(local_dir, remote_prefix))


def _files_under(scope: RunScope, prefix: str) -> List[Dict[str, Any]]:
    api, org, project, run = scope
    out: List[Dict[str, Any]] = []
    for entry in api.list_run_files(org, project, run, prefix or None)["entries"]:
        out.extend(_files_under(scope, entry["path"]) if entry["type"] == "dir" else [entry])
    return out


def download_run_files(scope: RunScope, path: Optional[str], directory: str) -> List[Dict[str, Any]]:
    """
    Downloads a file, a directory or (without `path`) every file of a run into `directory`, paths
    relative to what was named; each verified by SHA-256, one already there with the same content kept.
    """
    from ._artifacts import inside_dir
    from ._transfer import download

    api, org, project, run = scope
    clean = (path or "").strip("/")
    base = ""
    if not clean:
        files = _files_under(scope, "")
    else:
        try:
            files = _files_under(scope, clean)
            base = f"{clean}/"
        except TrackbaseApiError as error:
            if error.status != 404:
                raise
            parent = clean.rpartition("/")[0]
            entries = api.list_run_files(org, project, run, parent or None)["entries"]
            files = [e for e in entries if e["type"] == "file" and e["path"] == clean]
            if not files:
                raise TrackbaseApiError(404, "not_found", f"run {run} has no file or directory {clean}")
            base = f"{parent}/" if parent else ""

    def fetch(f: Dict[str, Any]) -> Dict[str, Any]:
        local = inside_dir(Path(directory), f["path"][len(base) :])
        try:
            same = sha256_file(str(local)) == f["sha256"]
        except OSError:
            same = False
        if not same:
            download(lambda _fresh: api.run_file_url(org, project, run, f["path"])["url"], str(local), f["sha256"], f["size"])
        return {"path": f["path"], "localPath": str(local), "size": f["size"], "downloaded": not same}

    return map_limit(fetch, [f for f in files if f.get("state") != "pending"], DEFAULT_CONCURRENCY)
