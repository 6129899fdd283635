"""How many predictions of a model fall in each of several time ranges: index-only counts.

A ``COUNT(*)`` over a ``(model, ts)`` range reads only the ``ix_predictions_model_ts`` index,
not the rows, so it is far cheaper than fetching the rows themselves. Predictions are
insert-only (unique per model and request id; nothing updates or deletes them), so a range
whose count has not changed since it was read still holds exactly the rows that were read:
this is how :mod:`detectors.prediction_drift_window` reuses what it read on earlier ticks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, bindparam, func, literal, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import UTCDateTime, predictions


@lru_cache(maxsize=64)
def _statement(ranges: int) -> Any:
    parts = [
        select(literal(i).label("part"), func.count()).where(
            predictions.c.model == bindparam("model"),
            predictions.c.ts >= bindparam(f"start{i}", type_=UTCDateTime),
            predictions.c.ts < bindparam(f"end{i}", type_=UTCDateTime),
        )
        for i in range(ranges)
    ]
    return union_all(*parts)


def count_in_ranges(
    engine: Engine, model: str, ranges: Sequence[tuple[datetime, datetime]]
) -> list[int]:
    """Per range ``[start, end)``, how many predictions of ``model`` it holds; one statement."""
    if not ranges:
        return []
    params: dict[str, Any] = {"model": model}
    for i, (start, end) in enumerate(ranges):
        params[f"start{i}"], params[f"end{i}"] = start, end
    try:
        with engine.connect() as conn:
            rows = conn.execute(_statement(len(ranges)), params).all()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not count the predictions of model {model!r}: {type(exc).__name__}"
        ) from None
    found = {int(part): int(count) for part, count in rows}
    return [found.get(i, 0) for i in range(len(ranges))]
