"""Fresh organizations, users and API keys, made through the real API (stdlib HTTP only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class Api:
    """A thin JSON client for test set-up; paths are relative to /api/v1 unless they start with '/'."""

    def __init__(self, base_url: str, token: Optional[str] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: Any = None, expect: Optional[int] = None) -> Any:
        url = self.base_url + (path if path.startswith("/api") or path.startswith("/mlflow") or path.startswith("/wandb") else f"/api/v1{path}")
        data = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if data is not None else {}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        parsed: Any = json.loads(text) if text else None
        if expect is not None and status != expect:
            raise ApiError(status, parsed)
        if expect is None and status >= 400:
            raise ApiError(status, parsed)
        return parsed

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body if body is not None else {}, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any, **kw: Any) -> Any:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class User:
    id: str
    email: str
    password: str
    api: Api

    def api_key(self, name: str = "pytest") -> str:
        return str(self.api.post("/users/me/api-keys", {"name": name})["key"])


@dataclass
class Tenant:
    """An organization with an owner, a first project and the owner's API key."""

    url: str
    owner: User
    org: str
    project: str
    key: str
    members: Dict[str, User] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.org}/{self.project}"

    def add_member(self, role: str, name: Optional[str] = None) -> User:
        """Invites a fresh user with an organization role (owner, admin, member, viewer) and has them accept."""
        member = signup(self.url, name or f"member-{role}")
        invitation = self.owner.api.post(f"/orgs/{self.org}/invitations", {"email": member.email, "role": role})
        member.api.post(f"/invitations/{invitation['token']}/accept")
        self.members[member.email] = member
        return member

    def create_project(self, slug: Optional[str] = None, visibility: str = "org") -> str:
        slug = slug or unique("proj")
        return str(self.owner.api.post(f"/orgs/{self.org}/projects", {"name": slug, "slug": slug, "visibility": visibility})["slug"])


def signup(url: str, name: str = "Pytest User") -> User:
    email = f"{unique('user')}@example.com"
    password = "correct horse battery"
    Api(url).post("/auth/signup", {"email": email, "password": password, "name": name}, expect=202)
    # Sign-up answers alike whether or not the email was free; signing in is how the new account is used.
    tokens = Api(url).post("/auth/login", {"email": email, "password": password}, expect=200)
    return User(id=tokens["user"]["id"], email=email, password=password, api=Api(url, tokens["accessToken"]))


def new_tenant(url: str, visibility: str = "org") -> Tenant:
    owner = signup(url, "Owner")
    org = unique("org")
    owner.api.post("/orgs", {"name": f"Org {org}", "slug": org}, expect=201)
    project = unique("proj")
    owner.api.post(f"/orgs/{org}/projects", {"name": f"Project {project}", "slug": project, "visibility": visibility}, expect=201)
    return Tenant(url=url, owner=owner, org=org, project=project, key=owner.api_key())
