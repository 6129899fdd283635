"""Duplicate requests in a scheduled window: the same request stored under several ids.

The store keeps one prediction per (model, request id): the collector refuses a repeated id
and counts it in ``vigil_duplicate_events_total``, so an exact repeat never reaches a window.
What does reach it is the repeat the id cannot catch: a client that retries with a fresh
request id, or a replayed log whose ids were regenerated. Those rows repeat an earlier row's
timestamp, model version, features, prediction and score exactly; :func:`request_keys`
gives each row of the window a digest of those fields, and the quality check
:func:`detectors.quality_checks.duplicates` counts the rows whose digest already appeared.

Two genuinely different requests rarely share a timestamp to the microsecond *and* every
feature; a batch job that stamps all rows with one time and scores identical rows is the
exception, and ``quality.duplicate_share`` tolerates a share of them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import Engine, select

from store.schema import predictions


def request_key(
    ts: datetime, version: str, features: object, prediction: object, score: float | None
) -> str:
    """The digest of the fields a resent request repeats (see the module docstring)."""
    text = json.dumps(
        [ts.isoformat(), version, features, prediction, score], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def request_keys(engine: Engine, model: str, start: datetime, end: datetime) -> list[str]:
    """One digest per prediction of ``model`` with ``start <= ts < end``, in time order."""
    stmt = (
        select(
            predictions.c.ts,
            predictions.c.version,
            predictions.c.features,
            predictions.c.prediction,
            predictions.c.score,
        )
        .where(predictions.c.model == model, predictions.c.ts >= start, predictions.c.ts < end)
        .order_by(predictions.c.ts, predictions.c.id)
    )
    with engine.connect() as conn:
        return [request_key(*row) for row in conn.execute(stmt)]
