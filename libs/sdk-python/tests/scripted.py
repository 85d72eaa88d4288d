"""A real local HTTP server answering from a script, for what the real API never answers on purpose (429, 503, refusals)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

Answer = Tuple[int, Any, Dict[str, str]]


class Scripted:
    def __init__(self, answer: Callable[[str, str, Any, int], Optional[Answer]], batches_only: bool = True) -> None:
        """`answer(method, path, body, index)`; with `batches_only`, other requests (heartbeats, PATCH) just succeed."""
        self.answer = answer
        self.batches_only = batches_only
        self.requests: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with outer.lock:
                    index = (
                        len([r for r in outer.requests if r["path"].endswith("/batches")])
                        if outer.batches_only
                        else len(outer.requests)
                    )
                    outer.requests.append({"method": self.command, "path": self.path, "body": body, "at": time.monotonic()})
                if outer.batches_only and not self.path.endswith("/batches"):
                    status, payload, headers = 200, {}, {}
                else:
                    status, payload, headers = outer.answer(self.command, self.path, body, index) or (200, {}, {})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def batches(self) -> List[Dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["path"].endswith("/batches")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def ack(body: Any) -> Answer:
    return 200, {"streamId": body["streamId"], "seq": body["seq"], "duplicate": False, "points": 0}, {}
