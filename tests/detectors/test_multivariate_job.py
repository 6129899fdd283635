"""The multivariate drift job on a migrated store (SQLite and PostgreSQL).

A model whose window keeps the reference's joint distribution stays ``ok``; one whose
``income`` and ``loan`` lose their correlation (each keeps its own distribution) breaches,
with the two features on top; a model with too few rows, and one whose reference cannot be
read, get ``not_computable`` signals that say why. One signal per (model, window).
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from detectors.multivariate.config import MultivariateConfig
from detectors.multivariate.detector import DETECTOR, SUBJECT
from detectors.multivariate.job import multivariate_job
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import latest_signals, signal_history
from store.specs import ModelSpec

PURPOSES = ["car", "house", "education"]
CONFIG = MultivariateConfig.model_validate(
    {
        "enabled": True,
        "window": "1h",
        "interval": "1h",
        "sample_size": 1500,
        "models": {"pca-model": {"method": "pca_reconstruction"}, "off": {"enabled": False}},
    }
)


def run_job(job: ScheduledJob, now: datetime) -> list[Signal]:
    """The job's signals (``ScheduledJob.run`` is typed loosely for the scheduler)."""
    found = job.run(now)
    assert isinstance(found, list)
    return found


def _spec(name: str, reference: str = "ref.csv") -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": name,
            "features": [
                {"name": "income", "type": "numeric"},
                {"name": "loan", "type": "numeric"},
                {"name": "age", "type": "numeric"},
                {"name": "purpose", "type": "categorical"},
                {"name": "email", "type": "categorical", "pii": "hash"},
                {"name": "note", "type": "text"},
            ],
            "reference": {"path": reference},
        }
    )


def _draw(n: int, seed: int, corr: float) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    z1, z2 = rng.normal(size=n), rng.normal(size=n)
    return {
        "income": 1000 + 100 * z1,
        "loan": 500 + 50 * (corr * z1 + np.sqrt(1 - corr**2) * z2),
        "age": rng.normal(40, 5, n),
        "purpose": rng.choice(PURPOSES, n, p=[0.5, 0.3, 0.2]),
    }


def _write_reference(path: Path) -> None:
    data = _draw(3000, seed=1, corr=0.9)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["income", "loan", "age", "purpose", "email"])
        for i in range(3000):
            writer.writerow([round(float(data["income"][i]), 3), round(float(data["loan"][i]), 3),
                             round(float(data["age"][i]), 2), data["purpose"][i], "x"])  # fmt: skip


def _predictions(model: str, t0: datetime, n: int, corr: float, seed: int) -> list[dict[str, Any]]:
    data = _draw(n, seed=seed, corr=corr)
    return [
        {
            "model": model,
            "version": "v1",
            "request_id": f"{model}-{i}",
            "ts": t0 - timedelta(hours=1) + timedelta(seconds=2 * i),
            "features": {
                "income": float(data["income"][i]),
                "loan": float(data["loan"][i]),
                "age": float(data["age"][i]),
                "purpose": str(data["purpose"][i]),
                "email": "hashed",
                "note": "text",
            },
            "prediction": 1,
            "score": 0.5,
            "latency_ms": 1.0,
            "received_at": t0,
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("method_model", ["stable", "pca-model"])
def test_the_job_is_silent_on_stationary_rows(
    engine: Engine, t0: datetime, tmp_path: Path, method_model: str
) -> None:
    _write_reference(tmp_path / "ref.csv")
    insert_predictions(engine, _predictions(method_model, t0, 1500, corr=0.9, seed=2))
    job = multivariate_job(engine, (_spec(method_model),), CONFIG, lambda p: tmp_path / p)
    [signal] = run_job(job, t0)
    assert (signal.detector, signal.subject, signal.status) == (DETECTOR, SUBJECT, "ok")
    assert signal.sample_size == 1500
    assert signal.details["skipped_features"] == {
        "email": "the collector hashes it (pii)",
        "note": "text features are not part of the tabular matrix",
    }


def test_the_job_flags_a_broken_correlation_and_stores_one_signal_per_window(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    _write_reference(tmp_path / "ref.csv")
    for name in ("credit", "pca-model"):
        insert_predictions(engine, _predictions(name, t0, 1500, corr=0.0, seed=3))
    insert_predictions(engine, _predictions("tiny", t0, 50, corr=0.9, seed=4))
    insert_predictions(engine, _predictions("off", t0, 1500, corr=0.0, seed=5))
    models = (_spec("credit"), _spec("pca-model"), _spec("tiny"), _spec("off"),
              _spec("broken", "missing.csv"))  # fmt: skip
    job = multivariate_job(engine, models, CONFIG, lambda p: tmp_path / p)
    assert (job.name, job.interval) == ("multivariate_drift", timedelta(hours=1))
    first = {s.model: s for s in run_job(job, t0 + timedelta(minutes=10))}
    assert set(first) == {"credit", "pca-model", "tiny", "broken"}  # "off" is disabled

    credit = first["credit"]
    assert (credit.status, credit.metric, credit.threshold) == ("breach", "domain_classifier", 0.55)
    assert credit.value is not None and credit.value > 0.7
    top = [f["feature"] for f in credit.details["top_features"][:2]]
    assert sorted(top) == ["income", "loan"]
    assert credit.window_end == t0 and credit.window_start == t0 - timedelta(hours=1)

    pca = first["pca-model"]
    assert (pca.status, pca.metric, pca.threshold) == ("breach", "pca_reconstruction", 1.1)
    assert pca.value is not None and pca.value > 1.1

    assert first["tiny"].status == "not_computable"
    assert first["tiny"].details["reason"] == "only 50 rows in the window; min_rows is 200"
    assert first["broken"].status == "not_computable"
    assert "reference dataset unusable" in first["broken"].details["reason"]
    assert "file not found" in first["broken"].details["reason"]

    again = run_job(job, t0 + timedelta(minutes=20))  # same window: the first signals are kept
    assert len(again) == 4
    assert len(signal_history(engine, "credit", DETECTOR)) == 1
    [stored] = [s.signal for s in latest_signals(engine, "credit", DETECTOR)]
    assert stored.status == "breach" and stored.details["top_features"][0]["feature"] in {
        "income",
        "loan",
    }
