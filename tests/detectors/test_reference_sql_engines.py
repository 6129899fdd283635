"""A reference dataset from a SQL query, on SQLite, PostgreSQL and DuckDB.

The same rows stored in each database and in a CSV file load into the same arrays; the
cache queries once; the drift job runs on a query reference; a failing query, a missing
column or a missing dialect is a clear :class:`ReferenceDataError` that never shows the
password.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from detectors.config import DriftConfig, Persistence
from detectors.errors import (
    ReferenceColumnMissing,
    ReferenceColumnType,
    ReferenceEmpty,
    ReferenceUnreadable,
)
from detectors.jobs import drift_job
from detectors.reference import load_reference
from detectors.reference_cache import ReferenceCache
from detectors.reference_sql import load_sql_reference
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.specs import ModelSpec

ROWS = [
    # income, age, purpose, is_new, score, embedding
    (1200.5, 41, "car", True, 0.31, [0.1, 0.2, 0.3]),
    (980.0, None, "house", False, 0.72, [0.0, 1.0, 0.5]),
    (None, 35, None, None, 0.05, None),
    (1500.25, 52, "car", True, 0.44, [1.5, -0.5, 0.25]),
]
QUERY = "SELECT income, age, purpose, is_new, score, embedding FROM credit_reference"


def run_job(job: ScheduledJob, now: datetime) -> list[Signal]:
    """The job's signals (``ScheduledJob.run`` is typed loosely for the scheduler)."""
    found = job.run(now)
    assert isinstance(found, list)
    return found


def spec(query: str = QUERY, url: str = "sqlite://") -> ModelSpec:
    return ModelSpec.model_validate(
        {
            "name": "credit",
            "features": [
                {"name": "income", "type": "numeric"},
                {"name": "age", "type": "numeric"},
                {"name": "purpose", "type": "categorical"},
                {"name": "is_new", "type": "boolean"},
                {"name": "embedding", "type": "embedding"},
            ],
            "reference": {"query": query, "url": url},
        }
    )


def _fill(url: str, embedding_type: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS credit_reference"))
        conn.execute(text(
            "CREATE TABLE credit_reference (income DOUBLE PRECISION, age INTEGER, "
            f"purpose VARCHAR(20), is_new BOOLEAN, score DOUBLE PRECISION, embedding {embedding_type})"
        ))  # fmt: skip
        for income, age, purpose, is_new, score, vector in ROWS:
            value = vector if embedding_type != "TEXT" else (vector and json.dumps(vector))
            conn.execute(
                text("INSERT INTO credit_reference VALUES (:i, :a, :p, :n, :s, :e)"),
                {"i": income, "a": age, "p": purpose, "n": is_new, "s": score, "e": value},
            )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "duckdb"])
def reference_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database holding ``credit_reference``; its URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reference.db'}"
        _fill(url, "TEXT")
    elif request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'reference.duckdb'}"
        _fill(url, "DOUBLE[]")
    else:
        url = request.getfixturevalue("postgres_server_url")
        _fill(url, "DOUBLE PRECISION[]")
    yield url
    if request.param == "postgresql":
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE credit_reference"))
        engine.dispose()


def _csv_reference(tmp_path: Path) -> Path:
    path = tmp_path / "reference.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["income", "age", "purpose", "is_new", "score", "embedding"])
        for income, age, purpose, is_new, score, vector in ROWS:
            flag = "" if is_new is None else str(is_new).lower()
            writer.writerow(["" if v is None else v for v in (income, age, purpose)]
                            + [flag, score, json.dumps(vector) if vector else ""])  # fmt: skip
    return path


def test_a_query_reference_equals_the_same_rows_in_a_file(
    reference_url: str, tmp_path: Path
) -> None:
    model = spec(url=reference_url)
    queried = load_sql_reference(model, reference_url, QUERY, extra_columns=("score",))
    filed = load_reference(model, _csv_reference(tmp_path), extra_columns=("score",))
    assert queried.rows == filed.rows == 4
    for name in ("income", "age"):
        np.testing.assert_array_equal(queried.numeric[name], filed.numeric[name])
    for name in ("purpose", "is_new"):
        assert queried.labels[name].tolist() == filed.labels[name].tolist()
        assert queried.aligned_labels[name].tolist() == filed.aligned_labels[name].tolist()
    assert queried.labels["is_new"].tolist() == ["true", "false", "true"]
    np.testing.assert_array_equal(queried.embeddings["embedding"], filed.embeddings["embedding"])
    assert queried.embeddings["embedding"].shape == (3, 3)
    assert [float(v) for v in queried.extra["score"]] == [0.31, 0.72, 0.05, 0.44]
    assert queried.source == make_url(reference_url).render_as_string(hide_password=True)


def test_the_cache_queries_once_and_the_drift_job_uses_the_query(
    reference_url: str, sqlite_engine: Engine, t0: datetime
) -> None:
    model = spec(url=reference_url)
    cache = ReferenceCache(Path)
    first, second = cache.get(model, "drift"), cache.get(model, "drift")
    assert first is second and cache.loads == 1
    rows = [
        {"model": "credit", "version": "v1", "request_id": f"r{i}", "received_at": t0,
         "ts": t0 - timedelta(minutes=30) + timedelta(seconds=i), "prediction": 1, "score": 0.5,
         "latency_ms": 1.0, "features": {"income": 1000.0 + i, "age": 40, "purpose": "car",
                                         "is_new": True}}
        for i in range(20)
    ]  # fmt: skip
    insert_predictions(sqlite_engine, rows)
    config = DriftConfig(min_sample_size=2, persistence=Persistence(k=1, m=1))
    job = drift_job(sqlite_engine, (model,), config, Path, cache)
    found = {s.subject: s for s in run_job(job, t0)}
    assert cache.loads == 1
    assert found["income"].details["reference_size"] == 3
    assert found["purpose"].status in ("ok", "breach")
    assert found["embedding"].status == "not_computable"


def test_a_failing_query_names_the_model_and_the_database_but_not_the_password(
    postgres_server_url: str,
) -> None:
    url = make_url(postgres_server_url).set(password="s3cret-value").render_as_string(False)
    with pytest.raises(ReferenceUnreadable) as caught:
        load_sql_reference(spec(url=url), url, "SELECT * FROM no_such_table")
    message = str(caught.value)
    assert "reference query of model 'credit'" in message and "the query failed" in message
    assert "s3cret-value" not in message and "***" in message


def test_a_missing_feature_column_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _fill(url, "TEXT")
    with pytest.raises(
        ReferenceColumnMissing, match="feature 'is_new' is not a column of the query"
    ):
        load_sql_reference(
            spec(url=url), url, "SELECT income, age, purpose, embedding FROM credit_reference"
        )


def test_text_in_a_numeric_feature_is_a_type_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _fill(url, "TEXT")
    query = "SELECT purpose AS income, age, purpose, is_new, embedding FROM credit_reference"
    with pytest.raises(ReferenceColumnType, match="feature 'income' is numeric"):
        load_sql_reference(spec(url=url), url, query)


def test_a_dialect_that_is_not_installed_says_so() -> None:
    url = "snowflake://reader:pw-value@acme-eu1/ANALYTICS/ML?warehouse=REPORTING"
    with pytest.raises(ReferenceUnreadable, match="is the database's SQLAlchemy dialect installed"):
        load_sql_reference(spec(url=url), url, QUERY)


def test_a_query_with_no_rows_is_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _fill(url, "TEXT")
    with pytest.raises(ReferenceEmpty, match="no rows"):
        load_sql_reference(spec(url=url), url, QUERY + " WHERE 1 = 0")
