"""The operator endpoints of guarded actions: ``/v1/actions``.

Built like :func:`alerting.api.silences_router` (``require_scope`` is passed in). Reading
needs ``read``; approving and rejecting need ``operate``. An unknown action answers 404, one
not awaiting approval 409; either way nothing changes.

    GET  /v1/actions?status=awaiting_approval   oldest first
    POST /v1/actions/{id}/approve               {reason?}  → the action, now pending
    POST /v1/actions/{id}/reject                {reason?}  → the action, now rejected
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import Engine

from alerting.action_ops import decide
from alerting.api import RequireScope
from alerting.errors import ActionError, ActionNotFoundError
from alerting.incidents_api import ReasonIn
from store.actions import ActionRecord, actions_in


class ActionOut(BaseModel):
    """An action as the API returns it."""

    id: int
    incident_id: int
    policy: str
    action: str
    model: str
    target_version: str
    mode: str
    webhook: str
    status: str
    attempts: int
    last_error: str | None
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    executed_at: datetime | None
    verify_until: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, record: ActionRecord) -> ActionOut:
        """The API view of a stored action."""
        return cls.model_validate({name: getattr(record, name) for name in cls.model_fields})


def _caller(principal: Any) -> str:
    return str(getattr(principal, "name", principal))[:200]


def actions_router(
    engine: Engine, require_scope: RequireScope, clock: Callable[[], datetime]
) -> APIRouter:
    """The ``/v1/actions`` router; authentication is ``require_scope``'s business."""
    router = APIRouter(prefix="/v1/actions", tags=["actions"])
    reader = Depends(require_scope("read"))
    operator = Depends(require_scope("operate"))

    @router.get("")
    def list_all(
        status: Annotated[str | None, Query(max_length=30)] = None, principal: Any = reader
    ) -> list[ActionOut]:
        """Actions, oldest first, or those in ``status``."""
        found = actions_in(engine, status) if status else actions_in(engine)
        return [ActionOut.of(a) for a in found]

    def decision(approve: bool) -> Callable[..., ActionOut]:
        def handler(
            action_id: int, body: ReasonIn | None = None, principal: Any = operator
        ) -> ActionOut:
            reason = body.reason if body is not None else ""
            try:
                record = decide(engine, action_id, approve, _caller(principal), reason, clock())
            except ActionError as exc:
                status = 404 if isinstance(exc, ActionNotFoundError) else 409
                raise HTTPException(status_code=status, detail=str(exc)) from None
            return ActionOut.of(record)

        verb = "approve" if approve else "reject"
        handler.__doc__ = (
            f"{verb.capitalize()} an action awaiting approval; 404 unknown, 409 not awaiting."
        )
        return handler

    router.add_api_route(
        "/{action_id}/approve", decision(True), methods=["POST"], name="approve_action"
    )
    router.add_api_route(
        "/{action_id}/reject", decision(False), methods=["POST"], name="reject_action"
    )
    return router
