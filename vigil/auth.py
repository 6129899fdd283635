"""API-key checks for the operator endpoints features expose (silences, and later incidents).

The collector owns keys and scopes; features that serve operator endpoints take a
``require_scope`` callable instead of importing the collector, and this is the one they get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request

from collector.auth import Authenticator, Principal
from collector.errors import AuthError, Forbidden


def scope_dependency(auth: Authenticator) -> Callable[[str], Callable[..., Any]]:
    """``require_scope(scope)`` returns a FastAPI dependency yielding the caller's Principal."""

    def require_scope(scope: str) -> Callable[[Request], Principal]:
        def dependency(request: Request) -> Principal:
            try:
                principal = auth.authenticate(request.headers.get("authorization"))
                principal.require(scope)  # type: ignore[arg-type]
            except Forbidden as exc:
                raise HTTPException(status_code=403, detail=str(exc)) from None
            except AuthError as exc:
                raise HTTPException(status_code=401, detail=str(exc)) from None
            return principal

        return dependency

    return require_scope
