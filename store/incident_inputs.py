"""What the incidents tick reads from other stages' tables: alerts by id, finished
notifications, and which alerts each group's incidents already hold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, and_, or_, select

from store.alerts import AlertRecord, _record
from store.notifications import NotificationRecord, record_from_row
from store.schema import alerts, incident_events, incidents, notifications

#: Prefix and suffix of the source of an ``alert_fired`` event: ``alert:<alert id>:fired``.
FIRED_SOURCE = ("alert:", ":fired")


def fired_source(alert_id: int) -> str:
    """The source of the event that records alert row ``alert_id`` joining an incident."""
    return f"{FIRED_SOURCE[0]}{alert_id}{FIRED_SOURCE[1]}"


def alert_id_of(source: str) -> int | None:
    """The alert id of an ``alert_fired`` source, or None for another source."""
    head, tail = FIRED_SOURCE
    if source.startswith(head) and source.endswith(tail):
        middle = source[len(head) : -len(tail)]
        return int(middle) if middle.isdigit() else None
    return None


def alerts_by_id(engine: Engine, ids: Iterable[int]) -> dict[int, AlertRecord]:
    """The alert rows with these ids."""
    wanted = sorted(set(ids))
    found: dict[int, AlertRecord] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            stmt = select(alerts).where(alerts.c.id.in_(wanted[start : start + 500]))
            found.update({int(row.id): _record(row) for row in conn.execute(stmt)})
    return found


def held_alerts(engine: Engine, group_keys: Iterable[str]) -> dict[str, set[int]]:
    """Per group key, the alert ids some incident of that group already holds."""
    keys = sorted(set(group_keys))
    found: dict[str, set[int]] = {key: set() for key in keys}
    if not keys:
        return found
    stmt = (
        select(incidents.c.group_key, incident_events.c.source)
        .join(incidents, incidents.c.id == incident_events.c.incident_id)
        .where(incidents.c.group_key.in_(keys), incident_events.c.kind == "alert_fired")
    )
    with engine.connect() as conn:
        for key, source in conn.execute(stmt):
            alert_id = alert_id_of(source or "")
            if alert_id is not None:
                found[key].add(alert_id)
    return found


def finished_notifications(engine: Engine, since: datetime) -> list[NotificationRecord]:
    """Notifications sent, or given up on (``dead``), at or after ``since``, oldest first."""
    stmt = (
        select(notifications)
        .where(
            or_(
                and_(notifications.c.status == "sent", notifications.c.sent_at >= since),
                and_(notifications.c.status == "dead", notifications.c.next_attempt_at >= since),
            )
        )
        .order_by(notifications.c.id)
    )
    with engine.connect() as conn:
        return [record_from_row(row) for row in conn.execute(stmt)]
