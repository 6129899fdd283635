"""What the Incidents page reads, through the store's and alerting's read functions.

Every function only reads, and raises :class:`~store.errors.StoreUnavailable` (never a
SQLAlchemy error) when the database cannot answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from alerting.incident_ops import IncidentView, view
from store.actions import ActionRecord
from store.alerts import AlertRecord
from store.errors import StoreUnavailable
from store.incident_evidence import actions_of_incident
from store.incident_inputs import alert_id_of, alerts_by_id
from store.incidents import IncidentRecord, list_incidents, open_incidents

T = TypeVar("T")


def _reading(what: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read {what}: {type(exc).__name__}") from None


@dataclass(frozen=True)
class IncidentDetail:
    """One incident with its timeline, durations, alerts and actions."""

    view: IncidentView
    alerts: list[AlertRecord]
    actions: list[ActionRecord]


def load_incidents(engine: Engine, only_open: bool) -> list[IncidentRecord]:
    """Open incidents, or the latest 200 of any status."""
    return _reading(
        "incidents", lambda: open_incidents(engine) if only_open else list_incidents(engine)
    )


def load_incident(engine: Engine, incident_id: int) -> IncidentDetail:
    """Everything the page shows about one incident (IncidentNotFoundError if unknown)."""

    def read() -> IncidentDetail:
        seen = view(engine, incident_id)
        ids = [alert_id_of(e.source or "") for e in seen.events if e.kind == "alert_fired"]
        found = alerts_by_id(engine, [i for i in ids if i is not None])
        alerts = [found[i] for i in sorted(found)]
        return IncidentDetail(seen, alerts, actions_of_incident(engine, incident_id))

    return _reading(f"incident {incident_id}", read)
