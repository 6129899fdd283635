"""A store seeded through the store's own functions, as the dashboard finds it in service.

Shared by the dashboard tests (imported by name: the tests folders are not packages).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alerting.incident_tick import fired_event
from store.actions import NewAction, insert_action
from store.alerts import upsert_firing
from store.audit import AuditEntry
from store.db import create_store_engine, upgrade
from store.incidents import IncidentEvent, open_incident
from store.predictions import insert_predictions, register_models
from store.records import Signal
from store.signals import write_signals

MODEL = "credit-risk"
UNREGISTERED_MODEL = "fraud-legacy"
DRIFTING_FEATURE = "income"
ALERT_SUMMARY = "Feature income drifted: psi 0.31 over threshold 0.2"
RUNBOOK_URL = "https://runbooks.example.org/feature-drift.md"
SLO_NAME = "credit-risk-availability"
INCIDENT_TITLE = "Input drift on credit-risk: income"
ACTION_VERSION = "v2"
PROTECTED = "sex"
VARIANTS = ("control", "challenger")


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
    details: dict[str, Any] | None = None,
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


def _performance(t0: datetime) -> list[Signal]:
    """Realized ROC AUC with its interval and coverage per hour, estimated beside it, and the
    latest window per variant."""
    found = []
    for hour, (realized, estimated) in enumerate(((0.84, 0.83), (0.81, 0.8), (0.7, 0.76))):
        end = t0 + timedelta(hours=hour - 2)
        common: dict[str, Any] = dict(
            model=MODEL,
            subject="roc_auc",
            metric="roc_auc",
            threshold=0.75,
            window_start=end - timedelta(hours=1),
            window_end=end,
            sample_size=400,
        )
        found.append(
            Signal(
                detector="performance",
                value=realized,
                status="breach" if realized < 0.75 else "ok",
                details={
                    "coverage": 0.4 + 0.1 * hour,
                    "labelled": 160 + 40 * hour,
                    "interval": {"low": realized - 0.03, "high": realized + 0.03},
                },
                **common,
            )
        )
        found.append(
            Signal(
                detector="estimated_performance",
                value=estimated,
                status="ok",
                details={"band": {"low": estimated - 0.05, "high": estimated + 0.05}},
                **common,
            )
        )
    for arm, value in zip(VARIANTS, (0.7, 0.78), strict=True):
        found.append(
            Signal(
                detector="performance",
                model=MODEL,
                subject=f"roc_auc/variant={arm}",
                metric="roc_auc",
                window_start=t0 - timedelta(hours=1),
                window_end=t0,
                value=value,
                threshold=0.75,
                status="ok",
                sample_size=200,
                details={
                    "coverage": 0.6,
                    "group": f"variant={arm}",
                    "interval": {"low": value - 0.04, "high": value + 0.04},
                },
            )
        )
    groups = {
        "female": {"size": 180, "selection_rate": 0.3},
        "male": {"size": 220, "selection_rate": 0.45},
    }
    found.append(
        Signal(
            detector="fairness",
            model=MODEL,
            subject=f"demographic_parity_ratio/{PROTECTED}",
            metric="demographic_parity_ratio",
            window_start=t0 - timedelta(hours=1),
            window_end=t0,
            value=0.3 / 0.45,
            threshold=0.8,
            status="breach",
            sample_size=400,
            details={"attribute": PROTECTED, "groups": groups, "bound": {"min": 0.8, "max": None}},
        )
    )
    return found  # fmt: skip


def _incident(engine: Any, alert: Any, t0: datetime) -> None:
    """The alert's incident, with a rollback awaiting an operator's approval."""
    at = t0 + timedelta(minutes=62)
    incident = open_incident(engine, '{}/0:{alertname="FeatureDrift",model="credit-risk"}',
                             INCIDENT_TITLE, MODEL, "warning", alert.starts_at,
                             fired_event(engine, alert))  # fmt: skip
    insert_action(
        engine,
        NewAction(incident.id, alert.id, "rollback-on-drift", "rollback", MODEL, ACTION_VERSION,
                  "approval", "rollback-hook", "awaiting_approval"),
        at, IncidentEvent(at, "action_requested", "vigil", f"rollback of {MODEL} requested"),
        AuditEntry(at, "vigil", "action.request", "action:1", "policy", {}),
    )  # fmt: skip


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
                _drift(
                    t0,
                    DRIFTING_FEATURE,
                    0.31,
                    "breach",
                    details={
                        "reference_mean": 1500.0,
                        "reference_std": 300.0,
                        "current_mean": 1616.5,
                    },
                ),
                _drift(t0, "age", 0.05, "ok"),
                _drift(t0, "zip_code", None, "not_computable", details={"reason": "too few rows"}),
                _drift(t0, "amount", 0.01, "ok", model=UNREGISTERED_MODEL),
                _slo(t0),
                *_performance(t0),
            ],
            t0 + timedelta(minutes=61),
        )
        alert, _ = upsert_firing(
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
        _incident(engine, alert, t0)
    finally:
        engine.dispose()
