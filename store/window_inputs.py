"""A model's predictions in a window with their features, labelled or not: what direct loss
estimation (estimated performance of regression models) reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, select

from store.schema import predictions


@dataclass(frozen=True)
class InputWindow:
    """A window's predictions as parallel sequences, in time order."""

    features: list[dict[str, Any]]  #: the features dicts
    score: NDArray[np.float64]  #: NaN where not logged
    prediction: NDArray[np.object_]  #: the prediction JSON values (None when not logged)


def window_inputs(engine: Engine, model: str, start: datetime, end: datetime) -> InputWindow:
    """Features, scores and predictions of ``model`` with ``start <= ts < end``."""
    stmt = (
        select(predictions.c.features, predictions.c.score, predictions.c.prediction)
        .where(predictions.c.model == model, predictions.c.ts >= start, predictions.c.ts < end)
        .order_by(predictions.c.ts, predictions.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    prediction = np.empty(len(rows), dtype=object)
    prediction[:] = [row[2] for row in rows]
    return InputWindow(
        features=[row[0] or {} for row in rows],
        score=np.array([np.nan if row[1] is None else row[1] for row in rows], dtype=np.float64),
        prediction=prediction,
    )
