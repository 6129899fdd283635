"""How much traffic a model received and when it last did: what the quality detector reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, and_, case, func, select

from store.schema import predictions


def counts_in_windows(
    engine: Engine, model: str, windows: Sequence[tuple[datetime, datetime]]
) -> list[int]:
    """The number of the model's predictions with ``start <= ts < end`` for each window, in
    order, counted in one query over the span the windows cover."""
    if not windows:
        return []
    ts = predictions.c.ts
    columns = [
        func.coalesce(func.sum(case((and_(ts >= start, ts < end), 1), else_=0)), 0)
        for start, end in windows
    ]
    stmt = select(*columns).where(
        predictions.c.model == model,
        ts >= min(start for start, _ in windows),
        ts < max(end for _, end in windows),
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).one()
    return [int(value) for value in row]


def last_prediction_at(engine: Engine, model: str, at_or_before: datetime) -> datetime | None:
    """The timestamp of the model's latest prediction no later than ``at_or_before``."""
    stmt = select(func.max(predictions.c.ts)).where(
        predictions.c.model == model, predictions.c.ts <= at_or_before
    )
    with engine.connect() as conn:
        value: datetime | None = conn.execute(stmt).scalar()
    return value
