"""Rows of the ``predictions`` table, as the collector would store them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Any

import pytest

PredictionRow = Callable[..., dict[str, Any]]


@pytest.fixture
def prediction_row() -> PredictionRow:
    """Build one stored prediction; every call gets a new request id."""
    ids = count()

    def build(
        model: str,
        ts: datetime,
        *,
        error: str | None = None,
        latency_ms: float | None = 20.0,
    ) -> dict[str, Any]:
        return {
            "model": model,
            "version": "v1",
            "request_id": f"req-{next(ids)}",
            "ts": ts,
            "features": {"income": 1000.0},
            "prediction": None if error else 1,
            "score": None if error else 0.7,
            "latency_ms": latency_ms,
            "error": error,
            "received_at": ts,
        }

    return build
