"""The operator endpoints of incidents: ``/v1/incidents``.

Built like :func:`alerting.api.silences_router`: ``require_scope(scope)`` returns a FastAPI
dependency that authenticates the caller (anything with a ``name``) or raises an HTTP error.
Reading needs ``read``; changing needs ``operate``. An unknown incident answers 404; a
request its status does not allow (acknowledging a resolved one, anything on a closed one)
answers 409; either way nothing changes.

    GET  /v1/incidents?status=triggered        newest first
    GET  /v1/incidents/{id}                     with timeline and durations
    POST /v1/incidents/{id}/acknowledge         {reason?}
    POST /v1/incidents/{id}/mitigate            {reason?}
    POST /v1/incidents/{id}/resolve             {reason?}
    POST /v1/incidents/{id}/close               {reason?}
    POST /v1/incidents/{id}/notes               {text} → 201
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from alerting.api import RequireScope
from alerting.errors import IncidentError, IncidentNotFoundError
from alerting.incident_ops import TRANSITIONS, add_note, transition, view
from alerting.incidents import STATUSES
from store.incidents import IncidentEvent, IncidentRecord, list_incidents


class IncidentOut(BaseModel):
    """An incident as the API lists it."""

    id: int
    group_key: str
    title: str
    model: str | None
    severity: str
    status: str
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, record: IncidentRecord) -> IncidentOut:
        """The API view of a stored incident."""
        return cls(**vars(record))


class EventOut(BaseModel):
    """One timeline entry."""

    at: datetime
    kind: str
    actor: str
    message: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: IncidentEvent) -> EventOut:
        """The API view of a timeline event."""
        return cls(
            at=event.at, kind=event.kind, actor=event.actor, message=event.message, data=event.data
        )


class IncidentDetail(IncidentOut):
    """An incident with its timeline and durations (seconds, null until reached)."""

    timeline: list[EventOut]
    durations: dict[str, float | None]


class ReasonIn(BaseModel):
    """Why the operator makes the change (kept in the timeline and the audit log)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=5000)


class NoteIn(BaseModel):
    """A note for the timeline."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


def _caller(principal: Any) -> str:
    return str(getattr(principal, "name", principal))[:200]


def _http(exc: IncidentError) -> HTTPException:
    status = 404 if isinstance(exc, IncidentNotFoundError) else 409
    return HTTPException(status_code=status, detail=str(exc))


def incidents_router(
    engine: Engine, require_scope: RequireScope, clock: Callable[[], datetime]
) -> APIRouter:
    """The ``/v1/incidents`` router; authentication is ``require_scope``'s business."""
    router = APIRouter(prefix="/v1/incidents", tags=["incidents"])
    reader = Depends(require_scope("read"))
    operator = Depends(require_scope("operate"))

    @router.get("")
    def list_all(
        status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
        principal: Any = reader,
    ) -> list[IncidentOut]:
        """Incidents, newest first, or those in ``status``."""
        return [IncidentOut.of(i) for i in list_incidents(engine, status)]

    @router.get("/{incident_id}")
    def read(incident_id: int, principal: Any = reader) -> IncidentDetail:
        """One incident with its timeline and durations; 404 if unknown."""
        try:
            found = view(engine, incident_id)
        except IncidentError as exc:
            raise _http(exc) from None
        return IncidentDetail(
            **IncidentOut.of(found.incident).model_dump(),
            timeline=[EventOut.of(e) for e in found.events],
            durations=found.durations.as_seconds(),
        )

    def change(verb: str) -> Callable[..., IncidentOut]:
        def handler(
            incident_id: int, body: ReasonIn | None = None, principal: Any = operator
        ) -> IncidentOut:
            reason = body.reason if body is not None else ""
            try:
                record = transition(engine, incident_id, verb, _caller(principal), reason, clock())
            except IncidentError as exc:
                raise _http(exc) from None
            return IncidentOut.of(record)

        handler.__doc__ = f"{verb.capitalize()} the incident; 404 if unknown, 409 if not allowed."
        return handler

    for verb in TRANSITIONS:
        router.add_api_route(
            f"/{{incident_id}}/{verb}", change(verb), methods=["POST"], name=f"{verb}_incident"
        )

    @router.post("/{incident_id}/notes", status_code=201)
    def note(incident_id: int, body: NoteIn, principal: Any = operator) -> EventOut:
        """Add a note to the timeline; 404 if unknown, 409 if closed."""
        try:
            event = add_note(engine, incident_id, _caller(principal), body.text, clock())
        except IncidentError as exc:
            raise _http(exc) from None
        return EventOut.of(event)

    return router
