"""Shared fixtures of the SLO tests: stored prediction rows, and ``promtool``.

The repository root goes first on ``sys.path``, as ``python -m pytest`` puts it: under a bare
``pytest``, ``tests/`` comes first and its ``tests/vigil/config`` fixture folder would shadow
the ``vigil.config`` module these tests import.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PredictionRow = Callable[..., dict[str, Any]]
IN_CI = os.environ.get("CI", "").lower() == "true"


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


@pytest.fixture(scope="session")
def promtool() -> str:
    """Prometheus's ``promtool`` (Debian package ``prometheus``).

    Without it the tests that need it skip with the reason, except under ``CI=true``, where
    they fail: CI must prove that Prometheus accepts the generated rules.
    """
    found = shutil.which("promtool")
    if found is None:
        message = "promtool not found: apt-get install prometheus"
        if IN_CI:
            pytest.fail(message + " (CI=true: the rules must be checked by Prometheus)")
        pytest.skip(message)
    return found
