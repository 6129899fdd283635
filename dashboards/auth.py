"""Who may act from the dashboard: an API key with the ``operate`` scope, or an OIDC login.

Without configuration the dashboard is a read-only partner view; an operator types an API
key (checked by :func:`dashboards.silence_view.check_operator`). With ``dashboards.auth.oidc``
the pages offer Streamlit's ``st.login`` (an OpenID Connect provider configured in
``.streamlit/secrets.toml``, see :mod:`dashboards.config`); a logged-in user may act only
if their e-mail (or, without one, their subject) is in ``dashboards.auth.operators``.
Logged-in users outside the list keep the read-only view. Pure functions: the page passes
``st.user`` as a mapping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from collector.auth import Principal
from dashboards.silence_view import KeyCheck


def oidc_enabled(raw: str | None) -> bool:
    """Whether ``VIGIL_DASHBOARD_OIDC`` turns the OIDC login on."""
    return (raw or "").strip().lower() in ("1", "true", "yes")


def allowed_operators(raw: str | None) -> frozenset[str]:
    """The allow-list from ``VIGIL_DASHBOARD_OPERATORS`` (a JSON list), lower-cased."""
    if not raw:
        return frozenset()
    items = json.loads(raw)
    if not isinstance(items, list):
        raise ValueError("dashboard operators must be a JSON list")
    return frozenset(str(item).strip().lower() for item in items)


def oidc_identity(user: Mapping[str, Any]) -> str | None:
    """A logged-in user's e-mail (else subject), or None when nobody is logged in."""
    if not user.get("is_logged_in"):
        return None
    who = user.get("email") or user.get("sub")
    return str(who).strip().lower() if who else None


def check_oidc(user: Mapping[str, Any], allowed: frozenset[str]) -> KeyCheck:
    """Whether the logged-in ``user`` may operate; the actor is ``oidc:<identity>``."""
    who = oidc_identity(user)
    if who is None:
        return KeyCheck(None, "Log in to act on incidents, or enter an API key.")
    if who not in allowed:
        return KeyCheck(None, f"Signed in as {who}: not an operator, so this view is read-only.")
    principal = Principal(name=f"oidc:{who}", scopes=frozenset({"operate"}), models=None)
    return KeyCheck(principal, f"Signed in as {who}: acting as an operator.")
