"""Read-only queries for an incident's evidence: what a postmortem and the Incidents page read.

Signals of a model within a time range (with their details, for charts and impact), the
predictions counted in that range, the actions taken for an incident, and the notifications
sent for its alert group through every route. Every function translates SQLAlchemy errors
into :class:`~store.errors.StoreUnavailable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from store.actions import ActionRecord
from store.actions import _record as _action
from store.errors import StoreUnavailable
from store.notifications import NotificationRecord, record_from_row
from store.records import StoredSignal
from store.schema import actions, notifications, predictions, signals
from store.signals import _to_stored

T = TypeVar("T")


def _reading(what: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read {what}: {type(exc).__name__}") from None


def signals_between(
    engine: Engine,
    model: str,
    since: datetime,
    until: datetime,
    detectors: Sequence[str] = (),
    subjects: Sequence[str] = (),
) -> list[StoredSignal]:
    """Signals of ``model`` with ``since <= window_end <= until``, oldest first.

    Optionally only those of some ``detectors`` and ``subjects``.
    """
    stmt = select(signals).where(
        signals.c.model == model, signals.c.window_end >= since, signals.c.window_end <= until
    )
    if detectors:
        stmt = stmt.where(signals.c.detector.in_(list(detectors)))
    if subjects:
        stmt = stmt.where(signals.c.subject.in_(list(subjects)))
    stmt = stmt.order_by(signals.c.window_end, signals.c.detector, signals.c.subject)

    def read() -> list[StoredSignal]:
        with engine.connect() as conn:
            return [_to_stored(row) for row in conn.execute(stmt)]

    return _reading(f"signals of {model!r}", read)


def predictions_between(engine: Engine, model: str, start: datetime, end: datetime) -> int:
    """How many predictions of ``model`` have ``start <= ts < end``."""
    stmt = select(func.count()).where(
        predictions.c.model == model, predictions.c.ts >= start, predictions.c.ts < end
    )

    def read() -> int:
        with engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    return _reading(f"predictions of {model!r}", read)


def actions_of_incident(engine: Engine, incident_id: int) -> list[ActionRecord]:
    """The guarded actions requested for an incident, oldest first."""
    stmt = select(actions).where(actions.c.incident_id == incident_id).order_by(actions.c.id)

    def read() -> list[ActionRecord]:
        with engine.connect() as conn:
            return [_action(row) for row in conn.execute(stmt)]

    return _reading(f"actions of incident {incident_id}", read)


#: Where a group key's route id (``{}``, or a path ending in ``/<child index>``) ends.
_ROUTE_END = re.compile(r"(?:^\{\}|/\d+):(?=\{)")


def group_labels(group_key: str) -> str:
    """The label set part of a router group key (``<route id>:{labels}``)."""
    found = _ROUTE_END.search(group_key)
    return group_key[found.end() :] if found else group_key


def notifications_of_group(engine: Engine, group_key: str) -> list[NotificationRecord]:
    """Notifications of the alert group ``group_key`` through any route, oldest first.

    One alert group is notified once per route it matched (each with its own group key
    ending in the same label set), so an incident's pages are all those with that ending.
    """
    labels = group_labels(group_key)
    stmt = select(notifications).order_by(notifications.c.id)

    def read() -> list[NotificationRecord]:
        with engine.connect() as conn:
            rows = conn.execute(
                stmt.where(notifications.c.group_key.endswith(labels, autoescape=True))
            )
            return [
                record
                for record in map(record_from_row, rows)
                if group_labels(record.group_key) == labels
            ]

    return _reading(f"notifications of group {group_key!r}", read)
