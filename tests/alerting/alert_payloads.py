"""Notification payloads shared by the receiver tests (a plain module)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.notifications import NotificationRecord

RUNBOOK = "https://runbooks.example/feature-drift.md"


def firing_payload(status: str = "firing") -> dict[str, Any]:
    alert = {
        "fingerprint": "f1",
        "status": status,
        "labels": {
            "alertname": "FeatureDrift",
            "model": "credit-risk",
            "severity": "critical",
            "team": "risk",
        },
        "annotations": {
            "summary": "Drift on credit-risk: income, age",
            "runbook_url": RUNBOOK,
            "dashboard_url": "https://dash.example/models/credit-risk",
            "window_end": "2026-03-02T09:00:00+00:00",
            "subjects": [
                {
                    "subject": "income",
                    "metric": "wasserstein_norm",
                    "value": 0.61234,
                    "threshold": 0.2,
                    "window_end": "2026-03-02T09:00:00+00:00",
                },
                {
                    "subject": "age",
                    "metric": "wasserstein_norm",
                    "value": 0.25,
                    "threshold": 0.2,
                    "window_end": "2026-03-02T09:00:00+00:00",
                },
            ],
        },
        "starts_at": "2026-03-02T09:00:00+00:00",
        "ends_at": None if status == "firing" else "2026-03-02T11:00:00+00:00",
    }
    return {
        "version": "1",
        "receiver": "ml-oncall",
        "status": status,
        "group_key": '{}:{alertname="FeatureDrift"}',
        "group_labels": {"alertname": "FeatureDrift"},
        "common_labels": alert["labels"],
        "common_annotations": {},
        "alerts": [alert],
    }


def notification(
    payload: dict[str, Any], t0: datetime, integration: str = "slack[0]", id: int = 1
) -> NotificationRecord:
    return NotificationRecord(
        id=id,
        receiver="ml-oncall",
        integration=integration,
        group_key=payload["group_key"],
        kind=payload["status"],
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=t0,
        last_error=None,
        response=None,
        created_at=t0,
        sent_at=None,
    )
