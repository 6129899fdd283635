"""Detector signals read window by window: the events of SLOs built on detectors.

A quality SLO asks, for each evaluated window of a detector, whether its value met a target.
These queries return just what that needs, oldest first, without the ``details`` JSON:

- :func:`metric_observations`: one row per signal of a given metric (``roc_auc``...);
- :func:`breaches_per_window`: per window end, how many signals were computable and how many
  of them breaches (for drift: how many features drifted).

Both read ``since <= window_end < until`` through the ``(model, window_end)`` index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Select, case, func, select
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import signals


@dataclass(frozen=True, slots=True)
class MetricObservation:
    """One signal's value; None when the signal was not computable."""

    window_end: datetime
    subject: str
    value: float | None


@dataclass(frozen=True, slots=True)
class WindowBreaches:
    """Of the signals of one window end: how many were computable, how many breaches."""

    window_end: datetime
    computable: int
    breaches: int


def _run(engine: Engine, stmt: Select, what: str) -> list:  # type: ignore[type-arg]
    try:
        with engine.connect() as conn:
            return list(conn.execute(stmt))
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read {what}: {type(exc).__name__}") from None


def metric_observations(
    engine: Engine,
    model: str,
    detector: str,
    metric: str,
    since: datetime,
    until: datetime,
    subject: str | None = None,
) -> list[MetricObservation]:
    """Signals of ``detector`` with ``metric`` for ``model`` (and ``subject``, if given)."""
    stmt = select(signals.c.window_end, signals.c.subject, signals.c.value, signals.c.status).where(
        signals.c.model == model,
        signals.c.window_end >= since,
        signals.c.window_end < until,
        signals.c.detector == detector,
        signals.c.metric == metric,
    )
    if subject is not None:
        stmt = stmt.where(signals.c.subject == subject)
    stmt = stmt.order_by(signals.c.window_end, signals.c.subject)
    rows = _run(engine, stmt, f"{detector} signals of {model!r}")
    return [
        MetricObservation(
            window_end=row.window_end,
            subject=row.subject,
            value=None if row.status == "not_computable" else row.value,
        )
        for row in rows
    ]


def breaches_per_window(
    engine: Engine, model: str, detector: str, since: datetime, until: datetime
) -> list[WindowBreaches]:
    """Per window end of ``detector`` for ``model``: computable signals and breaches."""
    computable = func.count(case((signals.c.status != "not_computable", 1)))
    breaches = func.count(case((signals.c.status == "breach", 1)))
    stmt = (
        select(signals.c.window_end, computable.label("computable"), breaches.label("breaches"))
        .where(
            signals.c.model == model,
            signals.c.window_end >= since,
            signals.c.window_end < until,
            signals.c.detector == detector,
        )
        .group_by(signals.c.window_end)
        .order_by(signals.c.window_end)
    )
    rows = _run(engine, stmt, f"{detector} signals of {model!r}")
    return [
        WindowBreaches(window_end=row.window_end, computable=row.computable, breaches=row.breaches)
        for row in rows
    ]
