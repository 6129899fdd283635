"""Rules → router → outbox → dispatch, through the scheduled jobs, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from alert_signals import WriteDrift
from sqlalchemy import Engine

from alerting.config import AlertingConfig
from alerting.jobs import EvaluationReport, alerting_jobs
from alerting.receivers import BuildContext
from store.notifications import count_by_status
from store.scheduling import ScheduledJob
from vigil.demo.slack_sink import SlackTestServer


def config(slack_url: str) -> AlertingConfig:
    return AlertingConfig.model_validate(
        {
            "evaluation_interval": "1m",
            "dashboard_url": "https://dash.example/models",
            "rules": [
                {
                    "alert": "FeatureDrift",
                    "detector": "drift",
                    "severity": "critical",
                    "runbook": "feature-drift",
                    "summary": "Drift on {model}: {subjects}",
                }
            ],
            "route": {
                "receiver": "ml-oncall",
                "group_by": ["alertname", "model"],
                "group_wait": "0s",
                "routes": [{"matchers": ['severity="critical"'], "receiver": "pager"}],
            },
            "receivers": [
                {"name": "ml-oncall", "log_configs": [{"path": "ml-oncall.jsonl"}]},
                {
                    "name": "pager",
                    "slack_configs": [
                        {"channel": "#ml-pager", "token": "xoxb-e2e", "api_url": slack_url}
                    ],
                    "log_configs": [{"path": "audit/pager.jsonl"}],
                },
            ],
        }
    )


def runbook_url(name: str) -> str:
    return f"https://runbooks.example/{name}.md"


def by_name(jobs: list[ScheduledJob]) -> dict[str, ScheduledJob]:
    return {job.name: job for job in jobs}


def test_a_drift_breach_pages_slack_once_and_its_resolution_follows(
    engine: Engine,
    t0: datetime,
    tmp_path: Path,
    slack_server: SlackTestServer,
    write_drift: WriteDrift,
) -> None:
    jobs = by_name(
        alerting_jobs(
            engine,
            config(slack_server.url),
            [("credit-risk", "risk")],
            runbook_url,
            build_context=BuildContext(resolve_path=lambda p: tmp_path / p),
            rng=random.Random(42),
        )
    )
    assert jobs["alerting.rules"].interval == timedelta(minutes=1)
    rules, dispatch = jobs["alerting.rules"].run, jobs["alerting.dispatch"].run

    write_drift(engine, t0, {"income": 0.7, "age": 0.3, "zip": 0.05})
    assert rules(t0) == EvaluationReport(fired=1, resolved=0, enqueued=2)
    slack_server.fail_next(1, 500)
    dispatch(t0)
    assert slack_server.messages == []
    for minute in range(1, 4):
        assert rules(t0 + timedelta(minutes=minute)) == EvaluationReport(0, 0, 0)
        dispatch(t0 + timedelta(minutes=minute))
    [page] = slack_server.messages
    assert page["channel"] == "#ml-pager"
    assert "income" in page["text"] and "age" in page["text"] and "zip" not in page["text"]
    assert "https://runbooks.example/feature-drift.md" in page["text"]
    assert "https://dash.example/models" in json.dumps(page["blocks"])

    later = t0 + timedelta(hours=1)
    write_drift(engine, later, {"income": 0.1, "age": 0.1, "zip": 0.05})
    assert rules(later) == EvaluationReport(fired=0, resolved=1, enqueued=2)
    dispatch(later)
    [page, reply] = slack_server.messages
    [update] = slack_server.updates
    assert update["text"].splitlines()[0] == "[RESOLVED] FeatureDrift on credit-risk"
    assert update["ts"] == reply["thread_ts"] == "1772442001.000001"
    assert reply["text"] == (
        ":white_check_mark: Resolved at 2026-03-02 10:00 UTC: [RESOLVED] FeatureDrift on credit-risk"
    )
    audit = [json.loads(line) for line in (tmp_path / "audit/pager.jsonl").read_text().splitlines()]
    assert [line["kind"] for line in audit] == ["firing", "resolved"]
    assert audit[0]["payload"]["alerts"][0]["labels"]["team"] == "risk"
    assert not (tmp_path / "ml-oncall.jsonl").exists()
    assert count_by_status(engine) == {"sent": 4}


def test_without_rules_only_the_dispatcher_runs(engine: Engine) -> None:
    jobs = alerting_jobs(engine, AlertingConfig(), [], runbook_url, rng=random.Random(0))
    assert [job.name for job in jobs] == ["alerting.dispatch"]
