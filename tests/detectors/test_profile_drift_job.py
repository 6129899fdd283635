"""The drift job with ``source: profiles``: the collector's profiles in, the same verdicts out."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from detectors.config import DriftConfig, Persistence
from detectors.drift import feature_drift
from detectors.jobs import drift_job
from detectors.profile_drift.job import ReferenceBinsPublisher, reference_bins_job
from detectors.reference_cache import ReferenceCache
from store.predictions import prepare_predictions
from store.profiles import read_reference_bins
from store.records import Signal
from store.specs import ModelSpec

PURPOSES = ["car", "house", "education"]


def config(source: str) -> DriftConfig:
    return DriftConfig(
        window=timedelta(hours=1),
        min_sample_size=100,
        persistence=Persistence(k=1, m=1),
        source=source,  # type: ignore[arg-type]
    )


def spec(name: str) -> ModelSpec:
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
            "reference": {"path": "ref.csv"},
        }
    )


def write_reference(path: Path) -> None:
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


def predictions(model: str, t0: datetime, n: int, *, shifted: bool) -> list[dict[str, Any]]:
    rng = np.random.default_rng(2)
    incomes = rng.normal(1000.0, 100.0, n) + (150.0 if shifted else 0.0)
    ages = rng.normal(40.0, 5.0, n)
    purposes = rng.choice(PURPOSES, n, p=[0.5, 0.3, 0.2])
    return [
        {
            "model": model,
            "version": "v1" if i % 3 else "v2",
            "request_id": f"{model}-{i}",
            "ts": t0 - timedelta(hours=1) + timedelta(seconds=5 * i),
            "features": {
                "income": float(incomes[i]),
                "age": float(ages[i]),
                "purpose": "education" if shifted else str(purposes[i]),
                "is_new": bool(i % 2),
                "note": "free text",
            },
            "prediction": 1,
            "score": 0.5,
            "received_at": t0,
        }
        for i in range(n)
    ]


def by_subject(found: list[Signal], model: str) -> dict[str, Signal]:
    return {s.subject: s for s in found if s.model == model}


def test_profiles_give_the_verdicts_of_raw_rows_within_their_bounds(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    write_reference(tmp_path / "ref.csv")
    models = (spec("credit"), spec("stable"))
    references = ReferenceCache(lambda path: tmp_path / path)
    publish = ReferenceBinsPublisher(engine, models, references)
    assert publish(t0) == 2  # both models' edges, before any traffic
    assert publish(t0) == 0  # unchanged: nothing rewritten
    assert set(read_reference_bins(engine)) == {
        (m, f) for m in ("credit", "stable") for f in ("income", "age")
    }
    rows = {
        "credit": predictions("credit", t0, 600, shifted=True),
        "stable": predictions("stable", t0, 600, shifted=False),
    }
    profiler = Profiler(engine, models, ProfilesConfig(), lambda: t0)
    for model_rows in rows.values():
        for start in range(0, 600, 100):  # the writer's batches
            profiler.store_predictions(prepare_predictions(model_rows[start : start + 100]))
    assert profiler.failures == 0

    job = drift_job(engine, models, config("profiles"), lambda path: tmp_path / path, references)
    found = job.run(t0)
    assert isinstance(found, list)
    reference = references.get(models[0], "test")
    assert not isinstance(reference, Exception)
    for spec_ in models:
        raw = feature_drift(
            spec_,
            reference,
            [r["features"] for r in rows[spec_.name]],
            t0 - timedelta(hours=1),
            t0,
            config("raw"),
        )
        profiled = by_subject(found, spec_.name)
        for signal in raw:
            twin = profiled[signal.subject]
            assert (twin.status, twin.metric) == (signal.status, signal.metric), signal.subject
            if signal.value is None:
                continue
            assert twin.details["source"] == "profiles"
            assert twin.sample_size == signal.sample_size == 600
            bound = twin.details["error_bound"]
            if signal.metric == "wasserstein":
                assert twin.value == pytest.approx(signal.value, abs=bound)
            else:  # categories: exact counts, the same statistic
                assert bound == 0.0
                assert twin.value == pytest.approx(signal.value, rel=1e-9)
    assert by_subject(found, "credit")["income"].status == "breach"
    assert by_subject(found, "stable")["income"].status == "ok"
    assert by_subject(found, "credit")["note"].status == "not_computable"


def test_methods_that_need_raw_values_say_so(engine: Engine, t0: datetime, tmp_path: Path) -> None:
    write_reference(tmp_path / "ref.csv")
    models = (spec("credit"),)
    anderson = DriftConfig.model_validate(
        {
            "window": "1h",
            "min_sample_size": 100,
            "source": "profiles",
            "methods": {"income": {"method": "anderson"}},
        }
    )
    Profiler(engine, models, ProfilesConfig(), lambda: t0).store_predictions(
        prepare_predictions(predictions("credit", t0, 200, shifted=False))
    )
    job = drift_job(engine, models, anderson, lambda path: tmp_path / path)
    income = by_subject(job.run(t0), "credit")["income"]  # type: ignore[arg-type]
    assert income.status == "not_computable"
    assert "needs raw values" in income.details["reason"]


def test_the_bins_job_is_named_and_scheduled_like_the_drift_job(
    engine: Engine, tmp_path: Path
) -> None:
    job = reference_bins_job(
        engine, (spec("credit"),), ReferenceCache(lambda p: tmp_path / p), timedelta(minutes=5)
    )
    assert (job.name, job.interval) == ("reference_bins", timedelta(minutes=5))
