"""A store seeded through the store's own functions, as the dashboard finds it in service.

Shared by the dashboard tests (imported by name: the tests folders are not packages).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from store.alerts import upsert_firing
from store.db import create_store_engine, upgrade
from store.predictions import insert_predictions, register_models
from store.records import Signal
from store.signals import write_signals

MODEL = "credit-risk"
UNREGISTERED_MODEL = "fraud-legacy"
DRIFTING_FEATURE = "income"
ALERT_SUMMARY = "Feature income drifted: psi 0.31 over threshold 0.2"
RUNBOOK_URL = "https://runbooks.example.org/feature-drift.md"
SLO_NAME = "credit-risk-availability"


def _slo(t0: datetime) -> Signal:
    """An availability SLO at ticket level: 62% of its budget left, gone in about 2 days."""
    return Signal(
        detector="slo",
        model=MODEL,
        subject=SLO_NAME,
        metric="error_budget_burn",
        window_start=t0 - timedelta(hours=5),
        window_end=t0 + timedelta(hours=1),
        value=2.5,
        threshold=6.0,
        status="ok",
        sample_size=5000,
        details={
            "state": "ticket",
            "budget_remaining": 0.62,
            "budget_exhausted_in_seconds": 2 * 86400 + 3 * 3600,
            "burn_rates": {"1h": 4.0, "5m": 7.5, "6h": 2.5, "30m": None},
        },
    )


def _drift(
    t0: datetime,
    subject: str,
    value: float | None,
    status: str,
    *,
    end_min: int = 60,
    model: str = MODEL,
    details: dict[str, str] | None = None,
) -> Signal:
    return Signal(
        detector="drift",
        model=model,
        subject=subject,
        metric="psi",
        window_start=t0 + timedelta(minutes=end_min - 60),
        window_end=t0 + timedelta(minutes=end_min),
        value=value,
        threshold=0.2,
        status=status,  # type: ignore[arg-type]
        sample_size=500,
        details=details or {},
    )


def seed(url: str, t0: datetime) -> None:
    """One registered model with predictions, drift on one feature and a firing alert."""
    engine = create_store_engine(url)
    try:
        upgrade(engine)
        register_models(engine, [(MODEL, "classification")], t0)
        insert_predictions(
            engine,
            [
                {
                    "model": MODEL,
                    "version": "v3",
                    "request_id": f"req-{i}",
                    "ts": t0 + timedelta(seconds=i),
                    "features": {"income": 1000.0 + i, "age": 30 + i % 40},
                    "prediction": 1,
                    "score": 0.8,
                    "latency_ms": 9.0,
                    "received_at": t0 + timedelta(seconds=i),
                }
                for i in range(1234)
            ],
        )
        write_signals(
            engine,
            [
                _drift(t0, DRIFTING_FEATURE, 0.02, "ok", end_min=0),
                _drift(t0, DRIFTING_FEATURE, 0.31, "breach"),
                _drift(t0, "age", 0.05, "ok"),
                _drift(t0, "zip_code", None, "not_computable", details={"reason": "too few rows"}),
                _drift(t0, "amount", 0.01, "ok", model=UNREGISTERED_MODEL),
                _slo(t0),
            ],
            t0 + timedelta(minutes=61),
        )
        upsert_firing(
            engine,
            {
                "alertname": "FeatureDrift",
                "model": MODEL,
                "feature": DRIFTING_FEATURE,
                "severity": "page",
            },
            {"summary": ALERT_SUMMARY, "runbook_url": RUNBOOK_URL},
            starts_at=t0 + timedelta(minutes=61),
            now=t0 + timedelta(minutes=61),
        )
    finally:
        engine.dispose()
