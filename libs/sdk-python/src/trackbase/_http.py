"""HTTP with the API's conventions: bearer auth, JSON, the shared error shape, retries with backoff and jitter."""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Callable, Dict, Optional

import requests

from ._backoff import DEFAULT_BACKOFF, Backoff, backoff_delay, retry_after_seconds
from ._errors import TrackbaseApiError, TrackbaseUnavailableError, is_retryable_status

USER_AGENT = "trackbase-sdk-python"


class HttpClient:
    """
    Retries network errors, 408, 429 and 5xx (honouring Retry-After), never other 4xx. One
    requests.Session per thread and per process: sessions are not shared across threads, and a
    forked child never reuses its parent's sockets.
    """

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        max_attempts: int = 5,
        backoff: Backoff = DEFAULT_BACKOFF,
        timeout_s: float = 60.0,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout_s = timeout_s
        self.user_agent = user_agent
        self._local = threading.local()

    def session(self) -> requests.Session:
        s: Optional[requests.Session] = getattr(self._local, "session", None)
        if s is None or getattr(self._local, "pid", None) != os.getpid():
            s = requests.Session()
            s.headers["user-agent"] = self.user_agent
            if self.api_key:
                s.headers["authorization"] = f"Bearer {self.api_key}"
            self._local.session = s
            self._local.pid = os.getpid()
        return s

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        attempts: Optional[int] = None,
        retryable: Callable[[int], bool] = is_retryable_status,
        raw_body: Optional[bytes] = None,
        give_up: Optional[Callable[[], bool]] = None,
    ) -> Any:
        attempts = attempts or self.max_attempts
        data = raw_body if raw_body is not None else (None if body is None else json.dumps(body, allow_nan=False).encode())
        headers = {"content-type": "application/json"} if data is not None else {}
        last: Optional[BaseException] = None
        wait: Optional[float] = None
        for attempt in range(attempts):
            wait = None
            try:
                response = self.session().request(
                    method, self.base_url + path, data=data, headers=headers, timeout=self.timeout_s
                )
            except requests.RequestException as error:
                last = error
            else:
                text = response.text
                parsed: Any = _safe_json(text) if text else None
                if response.ok:
                    return parsed
                err: Dict[str, Any] = (
                    parsed["error"] if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict) else {}
                )
                api_error = TrackbaseApiError(
                    response.status_code,
                    str(err.get("code") or f"http_{response.status_code}"),
                    str(err.get("message") or response.reason),
                    err.get("details") if isinstance(err.get("details"), list) else None,
                )
                if not retryable(response.status_code):
                    raise api_error
                last = api_error
                wait = retry_after_seconds(response.headers.get("retry-after"))
            if attempt + 1 < attempts:
                if give_up is not None and give_up():
                    break
                time.sleep(wait if wait is not None else backoff_delay(attempt, self.backoff))
        raise TrackbaseUnavailableError(f"{method} {path} failed after {attempts} attempts: {last}", retry_after=wait)


def _safe_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
