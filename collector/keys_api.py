"""``/v1/admin/keys``: create, list and revoke run-time API keys (``admin`` scope).

``POST`` answers 201 with the new key's secret in ``key``, the only time it is shown.
``DELETE /v1/admin/keys/{name or id}`` revokes; every collector sharing the store refuses
the key within the key cache's TTL (``collector.api_key_cache_seconds``), this one at once.
Authentication is ``require_scope``'s business, as for the other operator routers.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from collector.key_admin import KeyRequest, KeyRequestError, create_key, revoke_key
from store.api_keys import ApiKeyConflict, ApiKeyNotFound, list_api_keys
from store.errors import StoreUnavailable

RequireScope = Callable[[str], Callable[..., Any]]


def _caller(principal: Any) -> str:
    return f"key:{getattr(principal, 'name', principal)}"[:200]


def keys_router(
    engine: Engine,
    require_scope: RequireScope,
    clock: Callable[[], datetime],
    *,
    known_models: Collection[str],
    config_names: Collection[str],
    on_change: Callable[[], None] = lambda: None,
) -> APIRouter:
    """The admin router; ``on_change`` runs after a create or revoke (drop the key cache)."""
    router = APIRouter()
    admin = Depends(require_scope("admin"))

    def failed(exc: Exception) -> HTTPException:
        if isinstance(exc, ApiKeyConflict):
            return HTTPException(409, str(exc))
        if isinstance(exc, ApiKeyNotFound):
            return HTTPException(404, str(exc))
        if isinstance(exc, KeyRequestError):
            return HTTPException(422, str(exc))
        return HTTPException(503, str(exc))

    @router.post("/v1/admin/keys", status_code=201)
    def create(body: KeyRequest, principal: Any = admin) -> JSONResponse:
        """Create a key; the answer's ``key`` is the secret, shown this once."""
        now = clock()
        try:
            created = create_key(
                engine,
                body,
                actor=_caller(principal),
                now=now,
                known_models=known_models,
                config_names=config_names,
            )
        except (ApiKeyConflict, KeyRequestError, StoreUnavailable) as exc:
            raise failed(exc) from None
        on_change()
        return JSONResponse({"key": created.secret, **created.record.as_json(now)}, 201)

    @router.get("/v1/admin/keys")
    def list_keys(principal: Any = admin) -> dict[str, Any]:
        """Every run-time key (never its secret or digest), revoked ones included."""
        now = clock()
        try:
            records = list_api_keys(engine)
        except StoreUnavailable as exc:
            raise failed(exc) from None
        return {"keys": [r.as_json(now) for r in records]}

    @router.delete("/v1/admin/keys/{name_or_id}")
    def revoke(name_or_id: str, reason: str = "", principal: Any = admin) -> dict[str, Any]:
        """Revoke a key by name or id; revoking a revoked key is a no-op."""
        now = clock()
        try:
            record = revoke_key(
                engine,
                name_or_id,
                actor=_caller(principal),
                now=now,
                config_names=config_names,
                reason=reason,
            )
        except (ApiKeyNotFound, KeyRequestError, StoreUnavailable) as exc:
            raise failed(exc) from None
        on_change()
        return record.as_json(now)

    return router
