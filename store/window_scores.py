"""A model's scores and predictions in a window, labelled or not: what label-free
performance estimation reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, select

from store.schema import predictions


@dataclass(frozen=True)
class ScoredWindow:
    """A window's predictions as parallel arrays."""

    score: NDArray[np.float64]  #: NaN where not logged
    prediction: NDArray[np.object_]  #: the prediction JSON values (None when not logged)


def window_scores(engine: Engine, model: str, start: datetime, end: datetime) -> ScoredWindow:
    """Scores and predictions of ``model`` with ``start <= ts < end``, in time order."""
    stmt = (
        select(predictions.c.score, predictions.c.prediction)
        .where(predictions.c.model == model, predictions.c.ts >= start, predictions.c.ts < end)
        .order_by(predictions.c.ts, predictions.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    prediction = np.empty(len(rows), dtype=object)
    prediction[:] = [row[1] for row in rows]
    score = np.array([np.nan if row[0] is None else row[0] for row in rows], dtype=np.float64)
    return ScoredWindow(score=score, prediction=prediction)
