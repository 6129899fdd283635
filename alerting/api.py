"""The operator endpoints of alerting: ``/v1/silences`` (create, list, read, expire).

:func:`silences_router` builds a FastAPI router from what it is given, so ``vigil`` composes
it into the one app with its own authentication: ``require_scope(scope)`` must return a
FastAPI dependency that authenticates the request and returns the caller (anything with a
``name``, such as the collector's ``Principal``) or raises an HTTP error. Reading needs the
``read`` scope; creating and expiring need ``operate``. ``clock`` is the server's clock.

    POST   /v1/silences                {matchers, author, comment, starts_at?, ends_at} → 201
    GET    /v1/silences?state=active   newest ending first
    GET    /v1/silences/{id}
    DELETE /v1/silences/{id}           expires it (kept for the audit trail) → the silence
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from alerting.errors import InvalidSilenceError, SilenceNotFoundError
from alerting.silences import expire, find, new_silence, silences
from store.silences import SilenceRecord, SilenceState

#: ``require_scope("operate")`` → a FastAPI dependency returning the authenticated caller.
RequireScope = Callable[[str], Callable[..., Any]]


class SilenceIn(BaseModel):
    """A silence to create."""

    model_config = ConfigDict(extra="forbid")

    matchers: list[str] = Field(min_length=1, examples=[['alertname="FeatureDrift"']])
    author: str = Field(min_length=1, max_length=200)
    comment: str = Field(min_length=1, max_length=5000)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime


class SilenceOut(BaseModel):
    """A silence as the API returns it."""

    id: str
    matchers: list[str]
    author: str
    comment: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime
    expired_by: str | None
    state: SilenceState

    @classmethod
    def of(cls, record: SilenceRecord, now: datetime) -> SilenceOut:
        """The API view of a stored silence at ``now``."""
        return cls(
            id=record.id,
            matchers=list(record.matchers),
            author=record.author,
            comment=record.comment,
            starts_at=record.starts_at,
            ends_at=record.ends_at,
            created_by=record.created_by,
            created_at=record.created_at,
            updated_at=record.updated_at,
            expired_by=record.expired_by,
            state=record.state(now),
        )


def _caller(principal: Any) -> str:
    return str(getattr(principal, "name", principal))[:200]


def silences_router(
    engine: Engine, require_scope: RequireScope, clock: Callable[[], datetime]
) -> APIRouter:
    """The ``/v1/silences`` router; authentication is ``require_scope``'s business."""
    router = APIRouter(prefix="/v1/silences", tags=["silences"])
    # Dependencies as defaults: the annotations are strings (PEP 563) that FastAPI resolves
    # in this module's namespace, where these closure variables do not exist.
    reader = Depends(require_scope("read"))
    operator = Depends(require_scope("operate"))

    @router.post("", status_code=201)
    def create(body: SilenceIn, principal: Any = operator) -> SilenceOut:
        """Create a silence; 422 with the reason when it is not valid."""
        now = clock()
        try:
            record = new_silence(
                engine,
                body.matchers,
                author=body.author,
                comment=body.comment,
                starts_at=body.starts_at,
                ends_at=body.ends_at,
                created_by=_caller(principal),
                now=now,
            )
        except InvalidSilenceError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return SilenceOut.of(record, now)

    @router.get("")
    def list_all(
        state: Annotated[SilenceState | None, Query()] = None, principal: Any = reader
    ) -> list[SilenceOut]:
        """Every silence, or those in ``state`` now."""
        now = clock()
        return [SilenceOut.of(s, now) for s in silences(engine, now, state)]

    @router.get("/{silence_id}")
    def read(silence_id: str, principal: Any = reader) -> SilenceOut:
        """One silence; 404 if there is none with that id."""
        try:
            return SilenceOut.of(find(engine, silence_id), clock())
        except SilenceNotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @router.delete("/{silence_id}")
    def expire_one(silence_id: str, principal: Any = operator) -> SilenceOut:
        """Expire a silence now; 404 if there is none with that id."""
        now = clock()
        try:
            return SilenceOut.of(expire(engine, silence_id, _caller(principal), now), now)
        except SilenceNotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    return router
