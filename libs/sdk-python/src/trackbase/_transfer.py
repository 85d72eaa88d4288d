"""Requests to presigned URLs (S3's or the API's local store): only the signed headers, never the API key."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from typing import Any, Dict, Optional

import requests

from ._backoff import backoff_delay

READ_CHUNK = 1024 * 1024
_local = threading.local()


class PresignedRequestError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ChecksumMismatchError(Exception):
    """The bytes that arrived are not the ones the server recorded."""


def session() -> requests.Session:
    s: Optional[requests.Session] = getattr(_local, "session", None)
    if s is None or getattr(_local, "pid", None) != os.getpid():
        s = _local.session = requests.Session()
        _local.pid = os.getpid()
    return s


class RangeReader:
    """A byte range of a file as a request body with an exact length (S3 refuses chunked uploads to presigned URLs)."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self._f = open(path, "rb")  # noqa: SIM115 (closed by the caller once the request is sent)
        self._f.seek(start)
        self._left = end - start
        self.len = end - start

    def __len__(self) -> int:
        return self.len

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        data = self._f.read(n)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._f.close()


def parse_error(text: str) -> Dict[str, Optional[str]]:
    """The API's `{"error": {...}}` or S3's `<Error><Code>…</Code><Message>…</Message></Error>`."""
    try:
        import json

        body = json.loads(text)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return {"code": body["error"].get("code"), "message": body["error"].get("message")}
    except ValueError:
        pass
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return {"code": code.group(1) if code else None, "message": message.group(1) if message else (text[:200] or None)}


def _failure(response: requests.Response) -> PresignedRequestError:
    parsed = parse_error(response.text[:4096])
    status = response.status_code
    message = f"the store answered {status}" + (f": {parsed['message']}" if parsed["message"] else "")
    return PresignedRequestError(status, parsed["code"] or f"http_{status}", message)


def put_range(url: str, headers: Dict[str, str], path: str, start: int, end: int, timeout_s: float = 120.0) -> str:
    """PUTs bytes [start, end) of a file; returns the store's ETag (unquoted as the store sent it)."""
    body = RangeReader(path, start, end)
    try:
        response = session().put(url, data=body, headers={**headers, "content-length": str(end - start)}, timeout=timeout_s)
    finally:
        body.close()
    if not 200 <= response.status_code < 300:
        raise _failure(response)
    return str(response.headers.get("etag", ""))


def retryable(error: BaseException) -> bool:
    if isinstance(error, PresignedRequestError):
        return error.status in (408, 429) or error.status >= 500
    return isinstance(error, requests.RequestException)


def corrupted_in_transit(error: BaseException) -> bool:
    return (
        isinstance(error, PresignedRequestError)
        and error.status == 400
        and error.code in ("BadDigest", "InvalidDigest", "part_checksum_mismatch", "checksum_mismatch")
    )


def download(url_for: Any, dest: str, sha256: str, size: int, max_attempts: int = 5, timeout_s: float = 120.0) -> None:
    """
    Fetches into a temporary file beside `dest`, checking size and SHA-256 as the bytes stream, then
    renames it into place, so `dest` never holds a partial or wrong file. `url_for(fresh)` signs the
    download; `fresh` is True after a 403 (the URL expired).
    """
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    fresh = False
    renewals = 0
    attempt = 0
    while True:
        tmp = os.path.join(os.path.dirname(dest), f".{os.path.basename(dest)}.{os.urandom(6).hex()}.part")
        try:
            response = session().get(url_for(fresh), stream=True, timeout=timeout_s)
            fresh = False
            if response.status_code != 200:
                raise _failure(response)
            digest = hashlib.sha256()
            counted = 0
            with open(tmp, "xb") as f:
                for chunk in response.iter_content(READ_CHUNK):
                    counted += len(chunk)
                    digest.update(chunk)
                    f.write(chunk)
            if counted != size or digest.hexdigest() != sha256:
                raise ChecksumMismatchError(
                    f"{dest}: received {counted} bytes with SHA-256 {digest.hexdigest()}, expected {size} bytes with {sha256}"
                )
            os.replace(tmp, dest)
            return
        except Exception as error:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(error, PresignedRequestError) and error.status == 403 and renewals < 3:
                renewals += 1
                fresh = True
                continue
            if not retryable(error) and not isinstance(error, ChecksumMismatchError):
                raise
            attempt += 1
            if attempt >= max_attempts:
                raise
            time.sleep(backoff_delay(attempt - 1))


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def md5_base64_range(path: str, start: int, end: int) -> str:
    import base64

    digest = hashlib.md5()
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start
        while left > 0:
            chunk = f.read(min(READ_CHUNK, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return base64.b64encode(digest.digest()).decode()
