"""VigilNotificationFailing: a receiver whose notifications go dead raises its own alert,
which reaches the on-call through the other receivers, and resolves once it delivers again."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alert_http_sinks import WebhookTestServer
from alert_router_kit import fire
from sqlalchemy import Engine

from alerting.config import AlertingConfig
from alerting.jobs import alerting_jobs
from alerting.receivers import BuildContext
from store.alerts import all_alerts


def config(webhook_url: str) -> AlertingConfig:
    return AlertingConfig.model_validate(
        {
            "route": {
                "receiver": "rollback-hook",
                "group_by": ["alertname", "model"],
                "group_wait": "0s",
                "group_interval": "1m",
            },
            "receivers": [
                {"name": "rollback-hook", "webhook_configs": [{"url": webhook_url}]},
                {"name": "audit", "log_configs": [{"path": "audit.jsonl"}]},
            ],
        }
    )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_dead_receiver_is_reported_through_the_others_until_it_delivers_again(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    with WebhookTestServer() as hook:
        [job] = alerting_jobs(
            engine,
            config(f"{hook.url}/hook"),
            [],
            lambda name: name,
            build_context=BuildContext(resolve_path=lambda p: tmp_path / p, clock=lambda: t0),
            rng=random.Random(0),
            failing_runbook_url="https://runbooks.example/notification-failing.md",
        )
        hook.down(400)
        fire(engine, {"alertname": "ModelDown", "model": "a"}, t0)
        for step in range(3):
            job.run(t0 + step * timedelta(seconds=10))
        [failing] = [a for a in all_alerts(engine) if a.alertname == "VigilNotificationFailing"]
        assert failing.labels == {
            "alertname": "VigilNotificationFailing",
            "integration": "webhook[0]",
            "receiver": "rollback-hook",
            "severity": "critical",
        }
        [page] = lines(tmp_path / "audit.jsonl")
        alert = page["payload"]["alerts"][0]
        assert (page["receiver"], page["kind"], alert["labels"]["alertname"]) == (
            "audit",
            "firing",
            "VigilNotificationFailing",
        )
        assert "answered HTTP 400" in alert["annotations"]["description"]
        assert alert["annotations"]["runbook_url"].endswith("notification-failing.md")
        assert all(b"VigilNotificationFailing" not in r.body for r in hook.requests)

        hook.up()
        fire(engine, {"alertname": "ModelDown", "model": "b"}, t0 + timedelta(minutes=1))
        for step in range(6, 15):
            job.run(t0 + step * timedelta(seconds=10))
        assert [r.json()["group_labels"]["model"] for r in hook.delivered] == ["b"]
        assert [line["kind"] for line in lines(tmp_path / "audit.jsonl")] == ["firing", "resolved"]
        assert failing.fingerprint not in {
            a.fingerprint for a in all_alerts(engine) if a.status == "firing"
        }
