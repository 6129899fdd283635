"""The drift job on a migrated store (SQLite and PostgreSQL): windows in, signals out."""

from __future__ import annotations

import csv
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from detectors.config import DriftConfig, Persistence
from detectors.jobs import drift_job
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.schema import signals
from store.signals import signal_history
from store.specs import ModelSpec

CONFIG = DriftConfig(
    window=timedelta(hours=1), min_sample_size=100, persistence=Persistence(k=1, m=1)
)
PURPOSES = ["car", "house", "education"]


def _spec(name: str, reference: str | None) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": name,
            "features": [
                {"name": "income", "type": "numeric"},
                {"name": "age", "type": "numeric"},
                {"name": "purpose", "type": "categorical"},
                {"name": "is_new", "type": "boolean"},
                {"name": "note", "type": "text"},
            ],
            "reference": None if reference is None else {"path": reference},
        }
    )


def _write_reference(path: Path) -> None:
    rng = np.random.default_rng(1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["income", "age", "purpose", "is_new"])
        for i in range(3000):
            writer.writerow(
                [
                    round(float(rng.normal(1000.0, 100.0)), 2),
                    round(float(rng.normal(40.0, 5.0)), 1),
                    rng.choice(PURPOSES, p=[0.5, 0.3, 0.2]),
                    "true" if i % 2 else "false",
                ]
            )


def _predictions(model: str, t0: datetime, n: int, *, shifted: bool) -> list[dict[str, Any]]:
    """``n`` predictions in the hour before ``t0``; shifted ones move income and purpose."""
    rng = np.random.default_rng(2)
    incomes = rng.normal(1000.0, 100.0, n) + (150.0 if shifted else 0.0)
    ages = rng.normal(40.0, 5.0, n)
    purposes = rng.choice(PURPOSES, n, p=[0.5, 0.3, 0.2])
    rows = []
    for i in range(n):
        features = {
            "income": float(incomes[i]),
            "age": float(ages[i]),
            "purpose": "education" if shifted else str(purposes[i]),
            "is_new": bool(i % 2),
            "note": "free text",
        }
        rows.append(
            {
                "model": model,
                "version": "v1",
                "request_id": f"{model}-{i}",
                "ts": t0 - timedelta(hours=1) + timedelta(seconds=5 * i),
                "features": features,
                "prediction": 1,
                "score": 0.5,
                "latency_ms": 3.0,
                "received_at": t0,
            }
        )
    return rows


def _outside_window(model: str, t0: datetime) -> list[dict[str, Any]]:
    """Rows just before the window and exactly at its (excluded) end, with absurd values."""
    rows = _predictions(model, t0, 2, shifted=True)
    rows[0].update(request_id="early", ts=t0 - timedelta(hours=1, seconds=1))
    rows[1].update(request_id="at-end", ts=t0)
    for row in rows:
        row["features"] = {**row["features"], "income": 1e9, "age": -1e9}
    return rows


def _run(job: ScheduledJob, now: datetime) -> list[Signal]:
    found = job.run(now)
    assert isinstance(found, list)
    return found


def _stored_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(signals)).scalar_one())


def test_the_job_flags_shifted_features_once_per_window(
    engine: Engine, t0: datetime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write_reference(tmp_path / "ref.csv")
    insert_predictions(engine, _predictions("credit", t0, 600, shifted=True))
    insert_predictions(engine, _outside_window("credit", t0))
    insert_predictions(engine, _predictions("stable", t0, 600, shifted=False))
    insert_predictions(engine, _predictions("unmonitored", t0, 600, shifted=True))
    resolved: list[str] = []

    def resolve(path: str) -> Path:
        resolved.append(path)
        return tmp_path / path

    models = (_spec("credit", "ref.csv"), _spec("stable", "ref.csv"), _spec("unmonitored", None))
    with caplog.at_level(logging.INFO, logger="detectors.jobs"):
        job = drift_job(engine, models, CONFIG, resolve)
        first = _run(job, t0)
        second = _run(job, t0)

    assert (job.name, job.interval) == ("drift", CONFIG.interval)
    statuses = {(s.model, s.subject): s.status for s in first}
    assert statuses == {
        ("credit", "income"): "breach",
        ("credit", "age"): "ok",
        ("credit", "purpose"): "breach",
        ("credit", "is_new"): "ok",
        ("credit", "note"): "not_computable",
        ("stable", "income"): "ok",
        ("stable", "age"): "ok",
        ("stable", "purpose"): "ok",
        ("stable", "is_new"): "ok",
        ("stable", "note"): "not_computable",
    }
    assert {s.sample_size for s in first if s.subject != "note"} == {600}
    assert {(s.window_start, s.window_end) for s in first} == {(t0 - timedelta(hours=1), t0)}

    stored = signal_history(engine, "credit", "drift")
    assert len(stored) == 5
    assert {s.signal.subject: s.signal.status for s in stored} == {
        subject: status for (model, subject), status in statuses.items() if model == "credit"
    }
    assert all(s.created_at == t0 for s in stored)
    assert second == first
    assert _stored_count(engine) == 10
    assert resolved == ["ref.csv", "ref.csv"]  # each model's reference loaded once
    skipped = [r for r in caplog.records if "unmonitored has no reference" in r.getMessage()]
    assert len(skipped) == 1


def test_a_missing_reference_gives_reasons_logs_once_and_is_retried(
    sqlite_engine: Engine, t0: datetime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    insert_predictions(sqlite_engine, _predictions("credit", t0, 600, shifted=True))
    job = drift_job(sqlite_engine, (_spec("credit", "ref.csv"),), CONFIG, lambda p: tmp_path / p)

    with caplog.at_level(logging.ERROR, logger="detectors.jobs"):
        first = _run(job, t0)
        _run(job, t0 + timedelta(minutes=5))
    assert len(caplog.records) == 1
    assert "file not found" in caplog.records[0].getMessage()
    assert [s.status for s in first] == ["not_computable"] * 5
    assert all("reference dataset unusable" in s.details["reason"] for s in first)
    assert [s.metric for s in first] == ["auto", "auto", "auto", "auto", "none"]

    _write_reference(tmp_path / "ref.csv")
    later = _run(job, t0 + timedelta(minutes=10))
    assert {s.subject: s.status for s in later}["income"] == "breach"
    assert _stored_count(sqlite_engine) == 15


def test_the_job_reads_earlier_windows_so_drift_must_persist_before_it_breaches(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    """Every 5 minutes over a shifted hour: drifted in 1 of 3 windows, then 2 of 3."""
    _write_reference(tmp_path / "ref.csv")
    insert_predictions(engine, _predictions("credit", t0, 600, shifted=True))
    config = DriftConfig(min_sample_size=100, persistence=Persistence(k=2, m=3))
    job = drift_job(engine, (_spec("credit", "ref.csv"),), config, lambda p: tmp_path / p)

    first = {s.subject: s for s in _run(job, t0)}
    second = {s.subject: s for s in _run(job, t0 + timedelta(minutes=5))}

    assert first["income"].details["window_drifted"] is True
    assert first["income"].status == "ok"
    assert first["income"].details["persistence"]["drifted_windows"] == 1
    assert second["income"].status == "breach"
    assert second["income"].details["persistence"] == {
        "k": 2, "m": 3, "drifted_windows": 2, "windows": 2,
    }  # fmt: skip
    assert second["age"].status == "ok"
