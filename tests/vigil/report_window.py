"""A reference file and a stored window that drifts from it, for the drift-report tests
(a plain module: test modules import it by name).

The reference has a column no model feature names and the window a free-text feature:
neither may appear in a report.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Engine

from store.predictions import insert_predictions, register_models

MODEL = "credit-risk"


def write_reference(path: Path, n: int = 400) -> Path:
    rng = np.random.default_rng(1)
    table = pa.table(
        {
            "income": rng.normal(50_000, 10_000, n),
            "purpose": rng.choice(["car", "home", "business"], n, p=[0.5, 0.4, 0.1]),
            "extra_column": np.arange(n),
        }
    )
    pacsv.write_csv(table, path)
    return path


def store_window(engine: Engine, start: datetime, n: int = 300) -> None:
    """``n`` predictions in the hour after ``start``: income in thousands, more business loans."""
    rng = np.random.default_rng(2)
    register_models(engine, [(MODEL, "binary_classification")], start)
    insert_predictions(
        engine,
        [
            {
                "model": MODEL,
                "version": "v1",
                "request_id": f"r-{i}",
                "ts": start + timedelta(seconds=10 * i),
                "features": {
                    "income": float(rng.normal(50, 10)),
                    "purpose": str(rng.choice(["car", "business"])),
                    "officer_comment": "free text is not reported",
                },
                "prediction": 0,
                "score": 0.2,
                "latency_ms": 5.0,
                "received_at": start,
            }
            for i in range(n)
        ],
    )
