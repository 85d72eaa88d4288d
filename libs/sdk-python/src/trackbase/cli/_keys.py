"""`trackbase keys list|create|revoke`, as the npm CLI has them (libs/sdk/src/cli/commands/keys.ts), same flags."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, TypeVar

from .._api import TrackbaseApi
from .._config import resolve_config
from .._errors import TrackbaseApiError
from .._http import HttpClient
from ._output import table

if TYPE_CHECKING:
    from ._program import Cli

T = TypeVar("T")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_expiry(value: str, now: Optional[datetime] = None) -> Optional[str]:
    """`30d`, `12h`, `2w`, a date (`2026-12-31`: the end of that day in UTC), or `never` (None)."""
    from ._program import UsageError

    text = value.strip().lower()
    if text == "never":
        return None
    now = now or datetime.now(timezone.utc)
    relative = re.fullmatch(r"(\d{1,5})([hdw])", text)
    if relative:
        hours = {"h": 1, "d": 24, "w": 24 * 7}[relative.group(2)] * int(relative.group(1))
        if hours > 0:
            return _iso(now + timedelta(hours=hours))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return _iso(day.replace(hour=23, minute=59, second=59))
        except ValueError:
            pass
    raise UsageError(f'--expires takes 30d, 12h, 2w, a date such as 2026-12-31, or never; got "{value}"')


def key_scope(read_only: bool, org: Optional[str], projects: List[str], split: Callable[[str], Any]) -> Dict[str, Any]:
    from ._program import UsageError

    refs = [split(ref) for ref in projects]
    orgs = {*([org] if org else []), *(r[0] for r in refs)}
    if len(orgs) > 1:
        raise UsageError("a key reaches one organization: --org and every --project must name the same one")
    scope: Dict[str, Any] = {"access": "read" if read_only else "write"}
    if orgs:
        scope["organization"] = next(iter(orgs))
    if refs:
        scope["projects"] = [r[1] for r in refs]
    return scope


def _scope_text(k: Dict[str, Any]) -> str:
    if not k.get("organization"):
        where = "every organization"
    elif k.get("projects"):
        where = ", ".join(f"{k['organization']}/{p}" for p in k["projects"])
    else:
        where = str(k["organization"])
    return f"{'read-only' if k.get('access') == 'read' else 'read-write'} · {where}"


def _with_session(cli: Cli, work: Callable[[TrackbaseApi], T]) -> T:
    """
    Key management needs a signed-in session, never a key: sign in with TRACKBASE_EMAIL (or --email) and
    TRACKBASE_PASSWORD for this one command and sign out after, or use TRACKBASE_ACCESS_TOKEN.
    """
    from ._program import UsageError

    url = resolve_config(url=cli.args.url, env=cli.env).url
    access_token = cli.env.get("TRACKBASE_ACCESS_TOKEN")
    if access_token:
        return work(TrackbaseApi(HttpClient(url, access_token, max_attempts=3)))
    email = getattr(cli.args, "email", None) or cli.env.get("TRACKBASE_EMAIL")
    password = cli.env.get("TRACKBASE_PASSWORD")
    if not email or not password:
        raise UsageError(
            "managing keys needs you signed in, not a key: set TRACKBASE_EMAIL (or --email) and TRACKBASE_PASSWORD, "
            "or TRACKBASE_ACCESS_TOKEN"
        )
    anonymous = TrackbaseApi(HttpClient(url, None, max_attempts=3))
    tokens = anonymous.login(email, password)
    try:
        return work(TrackbaseApi(HttpClient(url, str(tokens["accessToken"]), max_attempts=3)))
    finally:
        try:
            anonymous.logout(str(tokens["refreshToken"]))
        except Exception:  # noqa: BLE001 - signing out is best effort; the session expires anyway
            pass


def keys_list(cli: Cli) -> None:
    config = resolve_config(url=cli.args.url, api_key=cli.args.api_key, env=cli.env)
    keys = cli.api().api_keys() if config.api_key else _with_session(cli, lambda api: api.api_keys())
    now = datetime.now(timezone.utc)

    def state(k: Dict[str, Any]) -> str:
        if k.get("revokedAt"):
            return "revoked"
        expires = k.get("expiresAt")
        if expires and datetime.fromisoformat(expires.replace("Z", "+00:00")) <= now:
            return "expired"
        return "live"

    rows = [{**k, "scope": _scope_text(k), "state": state(k)} for k in keys]
    cli.print(keys, lambda: table(rows, ["id", "name", "prefix", "scope", "expiresAt", "lastUsedAt", "state"]))


def keys_create(cli: Cli) -> None:
    args = cli.args
    expires_at = parse_expiry(args.expires)
    body: Dict[str, Any] = {"name": args.name, **key_scope(args.read_only, args.org, args.project or [], cli.split_project)}
    if expires_at:
        body["expiresAt"] = expires_at
    created = _with_session(cli, lambda api: api.create_api_key(body))
    expiry = f", expires {created['expiresAt']}" if created.get("expiresAt") else ""
    cli.print(
        created,
        lambda: (
            f"{created['key']}\nCreated {created['name']} ({created['prefix']}, {_scope_text(created)}{expiry}). It is shown only now.\n"
        ),
    )


def keys_revoke(cli: Cli) -> None:
    which = cli.args.key

    def revoke(api: TrackbaseApi) -> Dict[str, Any]:
        for k in api.api_keys():
            if k["id"] == which or k["prefix"] == which or (which.startswith("tbk_") and which.startswith(f"{k['prefix']}_")):
                api.revoke_api_key(k["id"])
                return dict(k)
        raise TrackbaseApiError(404, "not_found", f"no key {which}")

    revoked = _with_session(cli, revoke)
    cli.print({"id": revoked["id"], "revoked": True}, lambda: f"Revoked {revoked['name']} ({revoked['prefix']})\n")


def register(sub: Any, command: Callable[..., Any]) -> None:
    keys = sub.add_parser("keys", help="your API keys: list, create with a scope and expiry, revoke").add_subparsers(
        dest="sub", metavar="command"
    )
    lister = command(keys, "list", keys_list, "your keys, newest first")
    lister.add_argument("--email", help="sign in as (default TRACKBASE_EMAIL) when no API key is set")
    creator = command(keys, "create", keys_create, "a new key (shown once); by default read-write, every organization, no expiry")
    creator.add_argument("name")
    creator.add_argument("--read-only", action="store_true", help="the key can only read")
    creator.add_argument("--org", help="limit the key to this organization")
    creator.add_argument(
        "--project", action="append", help="limit the key to this project, org/project (repeat for several of one organization)"
    )
    creator.add_argument("--expires", default="never", help="30d, 12h, 2w, a date such as 2026-12-31, or never")
    creator.add_argument("--email", help="sign in as (default TRACKBASE_EMAIL)")
    revoker = command(keys, "revoke", keys_revoke, "revoke a key by its id or prefix (tbk_...); it stops working at once")
    revoker.add_argument("key")
    revoker.add_argument("--email", help="sign in as (default TRACKBASE_EMAIL)")
