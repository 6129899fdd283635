"""The quality job on a migrated store (SQLite and PostgreSQL): counts, freshness, signals."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from detectors.config import QualityConfig
from detectors.quality_job import baseline_windows, quality_job
from store.prediction_activity import counts_in_windows, last_prediction_at
from store.predictions import insert_predictions
from store.signals import signal_history
from store.specs import ModelSpec

CONFIG = QualityConfig(window="1h", interval="5m", baseline_windows=3)
SPEC = ModelSpec.model_validate(
    {
        "name": "credit",
        "features": [
            {"name": "income", "type": "numeric"},
            {"name": "purpose", "type": "categorical"},
        ],
        "reference": {"path": "ref.csv"},
    }
)


def _predictions(
    t0: datetime, hours_back: int, n: int, prefix: str, **features: Any
) -> list[dict[str, Any]]:
    """``n`` predictions spread over the hour that ends ``hours_back`` hours before ``t0``."""
    end = t0 - timedelta(hours=hours_back)
    return [
        {
            "model": "credit", "version": "v1", "request_id": f"{prefix}-{i}",
            "ts": end - timedelta(hours=1) + timedelta(seconds=3600 * i / n),
            "features": {"income": 2000.0, "purpose": "car", **features},
            "prediction": 1, "score": 0.5, "latency_ms": 3.0, "received_at": end,
        }
        for i in range(n)
    ]  # fmt: skip


def test_counts_in_windows_and_the_last_prediction_come_from_one_query_each(
    engine: Engine, t0: datetime
) -> None:
    insert_predictions(engine, _predictions(t0, 0, 30, "now") + _predictions(t0, 2, 10, "old"))
    windows = [(t0 - timedelta(hours=1), t0), (t0 - timedelta(hours=2), t0 - timedelta(hours=1))]
    windows.append((t0 - timedelta(hours=3), t0 - timedelta(hours=2)))
    assert counts_in_windows(engine, "credit", windows) == [30, 0, 10]
    assert counts_in_windows(engine, "other", windows) == [0, 0, 0]
    assert counts_in_windows(engine, "credit", []) == []
    last = last_prediction_at(engine, "credit", t0)
    assert last == t0 - timedelta(seconds=120)
    assert last_prediction_at(engine, "credit", t0 - timedelta(hours=4)) is None


def test_baseline_windows_trail_the_window_or_repeat_at_their_spacing(t0: datetime) -> None:
    assert baseline_windows(t0, CONFIG)[0] == (t0 - timedelta(hours=2), t0 - timedelta(hours=1))
    weekly = QualityConfig(window="1h", baseline_windows=7, baseline_spacing="1d")
    assert baseline_windows(t0, weekly)[-1] == (
        t0 - timedelta(days=7, hours=1),
        t0 - timedelta(days=7),
    )


def test_the_job_flags_a_volume_drop_and_new_categories_and_stores_the_signals(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    (tmp_path / "ref.csv").write_text(
        "income,purpose\n1000,car\n3000,house\n,car\n", encoding="utf-8"
    )
    rows = _predictions(t0, 0, 20, "now", purpose="boat")
    for hours in (1, 2, 3):
        rows += _predictions(t0, hours, 100, f"h{hours}")
    insert_predictions(engine, rows)
    job = quality_job(engine, (SPEC,), CONFIG, lambda p: tmp_path / p)

    found = {s.subject: s for s in job.run(t0)}  # type: ignore[attr-defined]

    assert (job.name, job.interval) == ("quality", CONFIG.interval)
    assert found["volume"].status == "breach" and found["volume"].value == 0.2
    assert found["unseen_categories:purpose"].status == "breach"
    assert found["missing_rate:income"].details["reference_missing_rate"] == 1 / 3
    assert found["out_of_range:income"].status == "ok"
    assert found["freshness"].status == "ok"
    stored = signal_history(engine, "credit", "quality")
    assert {s.signal.subject for s in stored} == set(found)


def test_a_missing_reference_leaves_the_checks_that_need_no_reference(
    sqlite_engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    insert_predictions(sqlite_engine, _predictions(t0, 0, 10, "now"))
    job = quality_job(sqlite_engine, (SPEC,), CONFIG, lambda p: tmp_path / p)
    found = {s.subject: s for s in job.run(t0 + timedelta(minutes=20))}  # type: ignore[attr-defined]
    assert found["freshness"].status == "breach"
    assert found["missing_rate:income"].status == "ok"
    assert "no reference dataset" in found["out_of_range:income"].details["reason"]
