"""The latest signal of every (detector, subject) of a model, by index seeks.

:func:`store.signals.latest_signals` groups every stored row of a model to find each
subject's latest window: its cost grows with the history kept (30 days of per-minute drift
on 5 features is 216,000 rows a model, seconds for a Fleet page of 10 models). This module
answers the same question from the unique index on ``(detector, model, subject,
window_end)`` alone, walking it as a skip scan:

1. the detectors present (``min(detector) > previous``, once for all models);
2. each detector's subjects of the model (``min(subject) > previous`` under the detector
   and model);
3. each subject's newest row (``order by window_end desc limit 1``).

Each step is one short index seek on SQLite and PostgreSQL, so the cost grows with the
number of subjects, not with the history. Read-only; SQLAlchemy errors propagate (callers
translate them at their boundary).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, func, select

from store.records import StoredSignal
from store.schema import signals
from store.signals import _to_stored


def _detectors(conn: Connection, wanted: Sequence[str] | None) -> list[str]:
    if wanted is not None:
        return sorted(set(wanted))
    found: list[str] = []
    previous: str | None = None
    while True:
        stmt = select(func.min(signals.c.detector))
        if previous is not None:
            stmt = stmt.where(signals.c.detector > previous)
        previous = conn.execute(stmt).scalar_one_or_none()
        if previous is None:
            return found
        found.append(previous)


def _subjects(conn: Connection, model: str, detector: str) -> list[str]:
    found: list[str] = []
    previous: str | None = None
    while True:
        stmt = select(func.min(signals.c.subject)).where(
            signals.c.detector == detector, signals.c.model == model
        )
        if previous is not None:
            stmt = stmt.where(signals.c.subject > previous)
        previous = conn.execute(stmt).scalar_one_or_none()
        if previous is None:
            return found
        found.append(previous)


def _newest(conn: Connection, model: str, detector: str, subject: str) -> StoredSignal | None:
    stmt = (
        select(signals)
        .where(
            signals.c.detector == detector,
            signals.c.model == model,
            signals.c.subject == subject,
        )
        .order_by(signals.c.window_end.desc())
        .limit(1)
    )
    row = conn.execute(stmt).first()
    return _to_stored(row) if row is not None else None


def latest_per_subject(
    engine: Engine, models: Sequence[str], detectors: Sequence[str] | None = None
) -> dict[str, list[StoredSignal]]:
    """For each of ``models``, its latest signal per (detector, subject), by detector then
    subject, as :func:`store.signals.latest_signals` returns them; ``detectors`` narrows the
    detectors read (default: all). A model without signals maps to an empty list."""
    found: dict[str, list[StoredSignal]] = {model: [] for model in models}
    with engine.connect() as conn:
        present = _detectors(conn, detectors)
        for model in found:
            for detector in present:
                for subject in _subjects(conn, model, detector):
                    newest = _newest(conn, model, detector, subject)
                    if newest is not None:
                        found[model].append(newest)
    return found
