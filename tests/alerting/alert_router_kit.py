"""Helpers for the router tests (a plain module): alerts, a recording notifier, a router."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import Engine

from alerting.config import AlertingConfig
from alerting.dispatcher import dispatch_due
from alerting.receivers import DeliveryResult
from alerting.router import Router, build_router
from alerting.router_tick import TickReport, route_tick
from store.alerts import AlertRecord, fingerprint, resolve, upsert_firing
from store.notifications import NotificationRecord, list_notifications


def alert(labels: Mapping[str, str], at: datetime, status: str = "firing") -> AlertRecord:
    """An alert record that was never stored (for pure functions)."""
    return AlertRecord(
        id=1,
        fingerprint=fingerprint(labels),
        alertname=labels.get("alertname", "X"),
        labels=dict(labels),
        annotations={"summary": f"{labels.get('alertname')} on {labels.get('model')}"},
        status=status,
        starts_at=at,
        ends_at=None if status == "firing" else at + timedelta(minutes=30),
        updated_at=at,
    )


def fire(engine: Engine, labels: Mapping[str, str], at: datetime) -> AlertRecord:
    """Store a firing alert, as the rules would."""
    notes = {"summary": f"{labels.get('alertname')} on {labels.get('model')}"}
    return upsert_firing(engine, dict(labels), notes, at, at)[0]


def end(engine: Engine, labels: Mapping[str, str], at: datetime) -> AlertRecord | None:
    """Resolve a stored alert, as the rules would."""
    return resolve(engine, fingerprint(labels), at)


@dataclass
class Recorder:
    """A notifier that records what it is sent and always succeeds."""

    send_resolved: bool = True
    sent: list[NotificationRecord] = field(default_factory=list)

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        self.sent.append(notification)
        return DeliveryResult.ok()


def router_from(yaml_text: str) -> tuple[AlertingConfig, Router]:
    """The config and the compiled router of an ``alerting`` section given as YAML."""
    config = AlertingConfig.model_validate(yaml.safe_load(yaml_text))
    return config, build_router(config)


def outbox(engine: Engine) -> list[tuple[str, str, str, list[str]]]:
    """Every outbox row as (receiver, integration, kind, [alert status:alertname/model])."""
    return [
        (
            n.receiver,
            n.integration,
            n.kind,
            [
                f"{a['status']}:{a['labels'].get('alertname')}/{a['labels'].get('model')}"
                for a in n.payload["alerts"]
            ],
        )
        for n in list_notifications(engine)
    ]


def deliver(engine: Engine, receivers: Mapping[str, Mapping[str, Any]], at: datetime) -> int:
    """Send what is due with the real dispatcher; how many were sent."""
    return dispatch_due(engine, receivers, at, rng=random.Random(0)).sent


def tick(
    engine: Engine, router: Router, receivers: Mapping[str, Mapping[str, Any]], at: datetime
) -> TickReport:
    """One router tick at ``at``."""
    return route_tick(engine, router, receivers, at)
