"""Stand-in for W&B's local test server, so the `wandb` repository's system tests run against Trackbase.

Not part of `npm test`; see README.md beside this file and docs/wandb.md ("W&B's own system tests").

`serve` starts a Trackbase API built from this checkout (as apps/wandb-compat's tests do) and two
ports in front of it, the two ports W&B's test fixtures expect of their local server:

- the base port: every request is forwarded to Trackbase's W&B door (`/wandb` + path). W&B's fixtures
  use a user's name as its API key and as its entity; Trackbase needs a `tbk_` key and an organization
  slug (2-48 characters), so the HTTP Basic key is swapped for the user's Trackbase key, and the user's
  name is replaced by its organization's slug in JSON request bodies and paths (and back in JSON
  answers). Nothing else is changed.
- the fixture port: `POST /db/user` and `POST /db/organization` (the commands W&B's `BackendFixtureFactory`
  sends) make Trackbase users, organizations, memberships and API keys through Trackbase's REST API.
  Commands Trackbase has no counterpart for answer 501.

`connect --name=<ignored>` prints the two ports as JSON, as W&B's `tools/local_wandb_server.py connect` does.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from trackbase_testing.server import ServerProcess
from trackbase_testing.tenants import ApiError, User, signup

STATE = Path(
    os.environ.get("TRACKBASE_WANDB_STATE", "/tmp/trackbase-wandb-system-tests.json")
)


class Directory:
    """W&B user and organization names, and the Trackbase user, slug and key behind each."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()
        self.users: dict[
            str, tuple[User, str, str]
        ] = {}  # W&B name -> (user, org slug, key)
        self.orgs: dict[str, str] = {}  # W&B org name -> slug
        self.by_key_name: dict[str, str] = {}

    @staticmethod
    def slug_for(name: str) -> str:
        return "u" + hashlib.sha1(name.encode()).hexdigest()[:40]

    def make_user(self, name: str) -> None:
        with self.lock:
            if name in self.users:
                return
        user = signup(self.url, name[:60])
        slug = self.slug_for(name)
        user.api.post("/orgs", {"name": name[:60], "slug": slug}, expect=201)
        key = user.api_key("wandb-system-tests")
        with self.lock:
            self.users[name] = (user, slug, key)

    def make_org(self, name: str, username: str | None) -> None:
        slug = self.slug_for(name)
        owner = (
            self.users[username][0]
            if username in self.users
            else signup(self.url, "org owner")
        )
        owner.api.post("/orgs", {"name": name[:60], "slug": slug}, expect=201)
        with self.lock:
            self.orgs[name] = slug
        if username in self.users and owner is not self.users[username][0]:
            self.add_member(name, username, "admin")

    def add_member(self, org: str, username: str, role: str) -> None:
        slug = self.orgs[org]
        owner_api = None
        for user, user_slug, _ in self.users.values():
            if user_slug == slug:
                owner_api = user.api
        if owner_api is None:
            raise KeyError(org)
        member = self.users[username][0]
        invitation = owner_api.post(
            f"/orgs/{slug}/invitations", {"email": member.email, "role": role}
        )
        member.api.post(f"/invitations/{invitation['token']}/accept")

    def names(self) -> dict[str, str]:
        with self.lock:
            mapping = {name: slug for name, (_, slug, _) in self.users.items()}
            mapping.update(self.orgs)
            return mapping

    def key_for(self, name: str) -> str | None:
        with self.lock:
            entry = self.users.get(name)
            return entry[2] if entry else None


def replace_all(data: bytes, mapping: dict[str, str], reverse: bool) -> bytes:
    for name, slug in mapping.items():
        old, new = (slug, name) if reverse else (name, slug)
        data = data.replace(old.encode(), new.encode())
    return data


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    length = int(handler.headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""


def base_handler(directory: Directory, target_port: int) -> type:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def forward(self) -> None:
            body = read_body(self)
            mapping = directory.names()
            path = (
                self.path if self.path.startswith("/wandb/") else "/wandb" + self.path
            )
            path = replace_all(
                path.encode(),
                {urllib.parse.quote(k): v for k, v in mapping.items()},
                False,
            ).decode()
            path = replace_all(path.encode(), mapping, False).decode()
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower()
                not in (
                    "host",
                    "content-length",
                    "transfer-encoding",
                    "accept-encoding",
                    "connection",
                    "authorization",
                )
            }
            if "authorization" in self.headers:
                headers["Authorization"] = self.headers["authorization"]
            content_type = self.headers.get("content-type", "")
            if body and (
                "json" in content_type or "graphql" in path or "file_stream" in path
            ):
                body = replace_all(body, mapping, False)
            auth = self.headers.get("authorization", "")
            if auth.lower().startswith("basic "):
                try:
                    user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                except ValueError:
                    user, secret = "", ""
                key = directory.key_for(secret)
                if os.environ.get("TRACKBASE_WANDB_DEBUG"):
                    print(
                        "auth",
                        repr(user),
                        repr(secret),
                        bool(key),
                        file=sys.stderr,
                        flush=True,
                    )
                if key:
                    headers["Authorization"] = (
                        "Basic " + base64.b64encode(f"{user}:{key}".encode()).decode()
                    )
            connection = http.client.HTTPConnection(
                "127.0.0.1", target_port, timeout=300
            )
            try:
                connection.request(
                    self.command,
                    path,
                    body=body
                    if body or self.command in ("POST", "PUT", "PATCH")
                    else None,
                    headers=headers,
                )
                response = connection.getresponse()
                payload = response.read()
            finally:
                connection.close()
            if "json" in (response.getheader("content-type") or ""):
                payload = replace_all(payload, mapping, True)
            self.send_response(response.status)
            for k, v in response.getheaders():
                if k.lower() not in (
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "keep-alive",
                ):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = (
            forward
        )

    return Forward


def fixture_handler(directory: Directory) -> type:
    class Fixtures(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def answer(self, status: int, message: str) -> None:
            data = json.dumps({"message": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            try:
                cmd = json.loads(read_body(self) or b"{}")
                command = cmd.get("command")
                if self.path == "/db/user" and command == "up":
                    directory.make_user(cmd["username"])
                elif self.path == "/db/user" and command in (
                    "password",
                    "down",
                    "logout",
                    "login",
                ):
                    pass  # the user's password is not used by the client; users are left in place
                elif self.path == "/db/organization" and command == "up":
                    directory.make_org(cmd["orgName"], cmd.get("username"))
                elif self.path == "/db/organization" and command == "add_members":
                    for member in (cmd.get("fixtureData") or {}).get("members", []):
                        directory.add_member(
                            cmd["orgName"],
                            member["username"],
                            member.get("role", "member"),
                        )
                elif self.path == "/db/organization" and command == "down":
                    pass
                else:
                    self.answer(
                        501,
                        f"fixture {self.path} {command} has no Trackbase counterpart",
                    )
                    return
                self.answer(200, "ok")
            except (ApiError, KeyError, ValueError) as error:
                self.answer(500, f"fixture failed: {error!r}")

    return Fixtures


def serve() -> None:
    server = ServerProcess(
        env={"LOG_LEVEL": os.environ.get("LOG_LEVEL", "warn")}
    ).start()
    directory = Directory(server.url)
    base = ThreadingHTTPServer(("127.0.0.1", 0), base_handler(directory, server.port))
    fixtures = ThreadingHTTPServer(("127.0.0.1", 0), fixture_handler(directory))
    for s in (base, fixtures):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    STATE.write_text(
        json.dumps(
            {
                "base_port": base.server_address[1],
                "fixture_port": fixtures.server_address[1],
                "trackbase": server.url,
                "log": str(server.log_path),
            }
        )
    )
    print(STATE.read_text(), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.close()
    STATE.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve", "connect"])
    parser.add_argument("--name", default="")
    args = parser.parse_args()
    if args.command == "serve":
        serve()
    else:
        if not STATE.exists():
            print(
                f"{STATE} missing: run `trackbase_backend.py serve` first",
                file=sys.stderr,
            )
            sys.exit(1)
        state = json.loads(STATE.read_text())
        print(
            json.dumps(
                {"base_port": state["base_port"], "fixture_port": state["fixture_port"]}
            )
        )


if __name__ == "__main__":
    main()
