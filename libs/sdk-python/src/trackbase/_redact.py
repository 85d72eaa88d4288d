"""
Secrets out of what a run records: environment variables whose names say they are secret, and
credentials inside any value (`scheme://user:password@host` URLs, tokens with well-known prefixes).
The rules are shared with the TypeScript SDK through `libs/contracts/test-vectors/redaction.json`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping

REDACTED = "[redacted]"
SECRET_NAME = re.compile(r"key|secret|token|passw|pwd|credential|auth|session|cookie|private|signature", re.IGNORECASE)
#: Names that look secret but hold nothing of the kind.
HARMLESS_NAMES = frozenset({"PWD", "OLDPWD", "TOKENIZERS_PARALLELISM", "KEYTIMEOUT"})
TOKEN = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:tbk_|hf_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|sk-|xox[abprs]-|AKIA|eyJ)[A-Za-z0-9_\-.]{8,}"
)
URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s]+):[^@\s/]+@", re.IGNORECASE)


def redact_value(value: str) -> str:
    """Credentials inside a value replaced by [redacted]; everything else kept."""
    if not value:
        return value
    return TOKEN.sub(REDACTED, URL_PASSWORD.sub(rf"\1:{REDACTED}@", value))


def secret_name(name: str) -> bool:
    return name not in HARMLESS_NAMES and SECRET_NAME.search(name) is not None


def redact_env(env: Mapping[str, str]) -> Dict[str, str]:
    """Environment variables: secret names redacted whole, credentials inside other values redacted."""
    return {name: REDACTED if secret_name(name) else redact_value(value)[:10_000] for name, value in env.items()}


def redact_deep(value: Any) -> Any:
    if isinstance(value, str):
        return redact_value(value)
    if isinstance(value, dict):
        return {k: redact_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_deep(v) for v in value]
    return value
