"""Embedding drift equals Evidently 0.7's ``model()`` and ``distance()`` methods, and the job
stores one signal per embedding feature on SQLite and PostgreSQL.

Parity: the same AUC (same split, classifier and seeds) and the same distances, on
stationary and on shifted embeddings; verdicts agree with Evidently's, and the stationary
case does not drift while the shifted one does.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from numpy.typing import NDArray
from sqlalchemy import Engine

from detectors.multivariate.config import EmbeddingDriftConfig
from detectors.multivariate.embedding_distance import embedding_distance
from detectors.multivariate.embedding_job import embedding_drift_job
from detectors.multivariate.embedding_model import embedding_model
from detectors.reference import Reference
from detectors.reference_cache import ReferenceCache
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.specs import ModelSpec

DIM = 16


def run_job(job: ScheduledJob, now: datetime) -> list[Signal]:
    """The job's signals (``ScheduledJob.run`` is typed loosely for the scheduler)."""
    found = job.run(now)
    assert isinstance(found, list)
    return found


def vectors(n: int, seed: int, shift: float = 0.0) -> NDArray[np.float64]:
    """Unit-variance vectors around a fixed centre; ``shift`` moves the first four axes."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, DIM)) * 0.5 + np.linspace(-1, 1, DIM)
    x[:, :4] += shift
    return x


@pytest.fixture(scope="module")
def evidently_methods() -> Any:
    pytest.importorskip("evidently")
    from evidently.legacy.metrics.data_drift import embedding_drift_methods

    return embedding_drift_methods


@pytest.mark.parametrize(("shift", "drifted"), [(0.0, False), (0.4, True)])
@pytest.mark.parametrize("pca_components", [None, 5])
def test_the_model_method_equals_evidentlys(
    evidently_methods: Any, shift: float, drifted: bool, pca_components: int | None
) -> None:
    import pandas as pd

    reference, current = vectors(600, seed=1), vectors(500, seed=2, shift=shift)
    ours = embedding_model(reference, current, pca_components=pca_components)
    method = evidently_methods.model(pca_components=pca_components)
    theirs, their_drift, _ = method(pd.DataFrame(current), pd.DataFrame(reference))
    assert ours.value == pytest.approx(theirs, abs=1e-12)
    assert ours.drifted == their_drift == drifted


@pytest.mark.parametrize("distance", ["euclidean", "cosine"])
@pytest.mark.parametrize(("shift", "drifted"), [(0.0, False), (1.0, True)])
def test_the_distance_method_equals_evidentlys(
    evidently_methods: Any, distance: str, shift: float, drifted: bool
) -> None:
    import pandas as pd

    reference, current = vectors(600, seed=3), vectors(500, seed=4, shift=shift)
    threshold = 0.2 if distance == "euclidean" else 0.05
    ours = embedding_distance(reference, current, distance, threshold)  # type: ignore[arg-type]
    method = evidently_methods.distance(dist=distance, threshold=threshold)
    theirs, their_drift, _ = method(pd.DataFrame(current), pd.DataFrame(reference))
    assert ours.value == pytest.approx(theirs, rel=1e-12)
    assert ours.drifted == their_drift == drifted


def _spec(name: str, reference: str) -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": name,
            "features": [
                {"name": "amount", "type": "numeric"},
                {"name": "ticket", "type": "embedding"},
                {"name": "photo", "type": "embedding"},
            ],
            "reference": {"path": reference},
        }
    )


def _write_references(folder: Path) -> None:
    ticket, photo = vectors(400, seed=5), vectors(400, seed=6)
    with (folder / "ref.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["amount", "ticket", "photo"])
        for i in range(400):
            writer.writerow([1.0, json.dumps(ticket[i].tolist()), json.dumps(photo[i].tolist())])
    table = pa.table({"amount": [1.0] * 400, "ticket": ticket.tolist(), "photo": photo.tolist()})
    pq.write_table(table, folder / "ref.parquet")


def _predictions(model: str, t0: datetime, n: int) -> list[dict[str, Any]]:
    ticket, photo = vectors(n, seed=7, shift=0.8), vectors(n, seed=8)
    rows = []
    for i in range(n):
        features: dict[str, Any] = {"amount": 1.0, "ticket": ticket[i].tolist(),
                                    "photo": photo[i].tolist()}  # fmt: skip
        if i % 50 == 0:
            features["photo"] = [1.0, 2.0]  # wrong length: dropped and counted
        rows.append({
            "model": model, "version": "v1", "request_id": f"{model}-{i}",
            "ts": t0 - timedelta(minutes=50) + timedelta(seconds=i), "features": features,
            "prediction": 1, "score": 0.5, "latency_ms": 1.0, "received_at": t0,
        })  # fmt: skip
    return rows


@pytest.mark.parametrize("reference", ["ref.csv", "ref.parquet"])
def test_the_job_flags_the_drifted_embedding_only(
    engine: Engine, t0: datetime, tmp_path: Path, reference: str
) -> None:
    _write_references(tmp_path)
    insert_predictions(engine, _predictions("support", t0, 400))
    config = EmbeddingDriftConfig.model_validate(
        {"features": {"photo": {"method": "distance", "distance": "cosine", "threshold": 0.05}}}
    )
    job = embedding_drift_job(engine, (_spec("support", reference),), config,
                              lambda p: tmp_path / p)  # fmt: skip
    found = {s.subject: s for s in run_job(job, t0)}
    assert set(found) == {"ticket", "photo"}
    ticket, photo = found["ticket"], found["photo"]
    assert (ticket.detector, ticket.metric, ticket.status) == ("embedding_drift", "model", "breach")
    assert ticket.value is not None and ticket.value > 0.55 and ticket.threshold == 0.55
    assert (photo.metric, photo.status, photo.threshold) == ("distance:cosine", "ok", 0.05)
    assert photo.details["current_invalid"] == 8 and photo.sample_size == 392
    assert photo.details["dimension"] == DIM


def test_too_few_vectors_are_not_computable(engine: Engine, t0: datetime, tmp_path: Path) -> None:
    _write_references(tmp_path)
    insert_predictions(engine, _predictions("support", t0, 30))
    job = embedding_drift_job(engine, (_spec("support", "ref.csv"),), EmbeddingDriftConfig(),
                              lambda p: tmp_path / p)  # fmt: skip
    found = {s.subject: s for s in run_job(job, t0)}
    assert found["ticket"].status == "not_computable"
    assert (
        found["ticket"].details["reason"] == "400 reference and 30 current vectors; min_rows is 100"
    )


def test_a_reference_without_the_embedding_column_still_serves_the_other_detectors(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    (tmp_path / "ref.csv").write_text("amount\n1.0\n2.0\n")
    insert_predictions(engine, _predictions("support", t0, 120))
    cache = ReferenceCache(lambda p: tmp_path / p)
    reference = cache.get(_spec("support", "ref.csv"), "drift")
    assert isinstance(reference, Reference) and dict(reference.embeddings) == {}
    job = embedding_drift_job(engine, (_spec("support", "ref.csv"),), EmbeddingDriftConfig(),
                              lambda p: tmp_path / p, cache)  # fmt: skip
    found = {s.subject: s for s in run_job(job, t0)}
    assert found["ticket"].status == "not_computable"
    assert found["ticket"].details["reason"] == "the feature is not in the loaded reference dataset"
