"""API-key checks for the operator endpoints features expose (silences, and later incidents).

The collector owns keys and scopes; features that serve operator endpoints take a
``require_scope`` callable instead of importing the collector, and this is the one they get.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from collector.auth import Authenticator, Principal, StoredKeys
from collector.config import CollectorConfig
from collector.errors import AuthError, Forbidden


def build_authenticator(
    config: CollectorConfig, engine: Engine, clock: Callable[[], datetime]
) -> Authenticator:
    """The app's one authenticator: ``vigil.yaml``'s keys plus the store's run-time keys.

    The stored keys are read once here, so no request waits for that first read.
    """
    stored = StoredKeys(engine, ttl=config.api_key_cache_seconds)
    stored.refresh()
    return Authenticator(config.api_keys, stored, clock)


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
