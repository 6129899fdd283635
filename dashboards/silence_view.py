"""What the Silences page shows and checks: rows, prefilled matchers and the operator's key.

Pure functions (the page passes ``now`` and the keys), so they are tested without Streamlit.
Creating and expiring go through :mod:`alerting.silences`, as the API and CLI do, so the
rules and the audit log are the same whichever way a silence is made.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from collector.auth import Authenticator, Principal
from collector.config import ApiKeyConfig, Scope
from collector.errors import AuthError, Forbidden
from store.silences import SilenceRecord

#: The scope a key needs to create or expire silences.
OPERATE: Scope = "operate"


@dataclass(frozen=True)
class SilenceRow:
    """One silence as the page lists it."""

    id: str
    state: str
    matchers: str
    author: str
    comment: str
    starts_at: str
    ends_at: str
    created_by: str


def silence_rows(records: Iterable[SilenceRecord], now: datetime) -> list[SilenceRow]:
    """Active and pending silences (expired ones dropped), active first, soonest ending first."""
    shown = [r for r in records if r.state(now) != "expired"]
    shown.sort(key=lambda r: (r.state(now) != "active", r.ends_at, r.id))
    return [
        SilenceRow(
            id=r.id,
            state=r.state(now),
            matchers=", ".join(r.matchers),
            author=r.author,
            comment=r.comment,
            starts_at=f"{r.starts_at:%Y-%m-%d %H:%M} UTC",
            ends_at=f"{r.ends_at:%Y-%m-%d %H:%M} UTC",
            created_by=r.created_by,
        )
        for r in shown
    ]


def matcher_lines(text: str) -> list[str]:
    """The matchers typed one per line, blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def prefill(asked: Sequence[str]) -> str:
    """The form's matchers text from the ``matchers`` query parameters (one per line)."""
    return "\n".join(m.strip() for m in asked if m.strip())


def operator_keys(raw: str | None) -> list[ApiKeyConfig]:
    """API keys from ``VIGIL_OPERATOR_KEYS`` JSON (a list of ``{name, sha256, scopes}``).

    ValueError when the JSON is not such a list; an unset variable means no keys.
    """
    if not raw:
        return []
    items = json.loads(raw)
    if not isinstance(items, list):
        raise ValueError("operator keys must be a JSON list")
    return [
        ApiKeyConfig(name=i["name"], key_sha256=i["sha256"], scopes=tuple(i["scopes"]))
        for i in items
    ]


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of checking a typed key: who may operate, or why not."""

    principal: Principal | None
    message: str


def check_operator(keys: Sequence[ApiKeyConfig], typed: str) -> KeyCheck:
    """Whether ``typed`` is a key with the ``operate`` scope (or ``admin``)."""
    if not typed.strip():
        return KeyCheck(None, "Enter an API key with the operate scope to change silences.")
    try:
        principal = Authenticator(keys).authenticate(f"Bearer {typed.strip()}")
        principal.require(OPERATE)
    except Forbidden:
        return KeyCheck(None, "This key may not change silences: it lacks the operate scope.")
    except AuthError:
        return KeyCheck(None, "This key is not valid.")
    return KeyCheck(principal, f"Acting as {principal.name}.")
