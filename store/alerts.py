"""Alerts as stored: firing until resolved, one open row per fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, select, update

from store.schema import alerts


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable identity for a label set (order-independent), as Alertmanager uses."""
    canonical = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class AlertRecord:
    """One alert as stored."""

    id: int
    fingerprint: str
    alertname: str
    labels: dict[str, str]
    annotations: dict[str, Any]
    status: str
    starts_at: datetime
    ends_at: datetime | None
    updated_at: datetime


def _record(row: Row) -> AlertRecord:  # type: ignore[type-arg]
    m = row._mapping
    return AlertRecord(
        id=int(m["id"]),
        fingerprint=m["fingerprint"],
        alertname=m["alertname"],
        labels=dict(m["labels"]),
        annotations=dict(m["annotations"]),
        status=m["status"],
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        updated_at=m["updated_at"],
    )


def upsert_firing(
    engine: Engine,
    labels: Mapping[str, str],
    annotations: Mapping[str, Any],
    starts_at: datetime,
    now: datetime,
) -> tuple[AlertRecord, bool]:
    """Fire the alert with these labels, or refresh its annotations if it is already firing.

    Returns the stored alert and whether it is newly firing.
    """
    fp = fingerprint(labels)
    with engine.begin() as conn:
        row = conn.execute(
            select(alerts).where(alerts.c.fingerprint == fp, alerts.c.status == "firing")
        ).first()
        if row is not None:
            conn.execute(
                update(alerts)
                .where(alerts.c.id == row.id)
                .values(annotations=dict(annotations), updated_at=now)
            )
            new = False
            alert_id = int(row.id)
        else:
            alert_id = int(
                conn.execute(
                    alerts.insert()
                    .values(
                        fingerprint=fp,
                        alertname=labels["alertname"],
                        labels=dict(labels),
                        annotations=dict(annotations),
                        status="firing",
                        starts_at=starts_at,
                        ends_at=None,
                        updated_at=now,
                    )
                    .returning(alerts.c.id)
                ).scalar_one()
            )
            new = True
        stored = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
    return _record(stored), new


def resolve(engine: Engine, fp: str, now: datetime) -> AlertRecord | None:
    """Resolve the firing alert with this fingerprint; None if none was firing."""
    with engine.begin() as conn:
        row = conn.execute(
            select(alerts).where(alerts.c.fingerprint == fp, alerts.c.status == "firing")
        ).first()
        if row is None:
            return None
        conn.execute(
            update(alerts)
            .where(alerts.c.id == row.id)
            .values(status="resolved", ends_at=now, updated_at=now)
        )
        stored = conn.execute(select(alerts).where(alerts.c.id == row.id)).one()
    return _record(stored)


def open_alerts(engine: Engine, model: str | None = None) -> list[AlertRecord]:
    """Firing alerts, newest first; optionally only those labelled with ``model``."""
    stmt = select(alerts).where(alerts.c.status == "firing").order_by(alerts.c.starts_at.desc())
    with engine.connect() as conn:
        found = [_record(row) for row in conn.execute(stmt)]
    if model is not None:
        found = [a for a in found if a.labels.get("model") == model]
    return found


def all_alerts(engine: Engine, limit: int = 1000) -> list[AlertRecord]:
    """Every alert, newest first."""
    stmt = select(alerts).order_by(alerts.c.updated_at.desc(), alerts.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [_record(row) for row in conn.execute(stmt)]


def latest_by_fingerprint(engine: Engine, fingerprints: Iterable[str]) -> dict[str, AlertRecord]:
    """The most recent alert row of each fingerprint (firing or resolved), by fingerprint."""
    wanted = sorted(set(fingerprints))
    found: dict[str, AlertRecord] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            stmt = select(alerts).where(alerts.c.fingerprint.in_(chunk)).order_by(alerts.c.id)
            for row in conn.execute(stmt):
                record = _record(row)
                found[record.fingerprint] = record
    return found
