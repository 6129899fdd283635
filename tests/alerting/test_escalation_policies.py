"""Escalation policies with a simulated clock, on SQLite and PostgreSQL.

An alert opens an incident; the route pages ``primary``; nobody acknowledges, so 15 minutes
later the escalation job pages ``secondary`` through the outbox (delivered and retried by
the real dispatcher); the policy repeats a bounded number of passes; acknowledging stops it.
A policy naming an unknown receiver fails the config load with its YAML path.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from alert_router_kit import Recorder, fire, router_from, tick
from sqlalchemy import Engine

from alerting.config import AlertingConfig
from alerting.config.checks import reference_problems
from alerting.dispatcher import dispatch_due
from alerting.escalation import all_steps, current_step, next_due
from alerting.escalation_tick import escalation_tick, policies_by_route
from alerting.incident_ops import transition
from alerting.incident_tick import incidents_tick
from alerting.receivers import DeliveryResult
from store.incidents import get_incident, open_incidents, timeline
from store.notifications import NotificationRecord, list_notifications
from vigil.config import parse_config
from vigil.errors import ConfigError

CONFIG = """
route:
  receiver: primary
  group_by: [model]
  group_wait: 0s
  routes:
    - matchers: ['team="credit"']
      escalation: {policy: credit-oncall}
      routes:
        - matchers: ['severity="critical"']
receivers:
  - {name: primary, log_configs: [{path: primary.jsonl}]}
  - {name: secondary, log_configs: [{path: secondary.jsonl}], webhook_configs: [{url: "http://127.0.0.1:9/x"}]}
escalation_policies:
  - name: credit-oncall
    steps:
      - receiver: primary
      - {receiver: secondary, after: 15m}
    repeat: 1
    repeat_after: 10m
"""
LABELS = {"alertname": "FeatureDrift", "model": "credit-risk", "team": "credit"}


class Flaky(Recorder):
    """Fails its first ``failures`` deliveries (retryable), then records like a Recorder."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        if self.failures:
            self.failures -= 1
            return DeliveryResult("retryable", "HTTP 503")
        return super().send(notification)


class Oncall:
    """The router, incidents, escalation and dispatch ticks over one database."""

    def __init__(self, engine: Engine, now: datetime, text: str = CONFIG) -> None:
        self.engine, self.now = engine, now
        self.config, self.router = router_from(text)
        self.primary = Recorder()
        self.secondary, self.secondary_hook = Recorder(), Flaky(failures=1)
        self.receivers: dict[str, Any] = {
            "primary": {"log[0]": self.primary},
            "secondary": {"log[0]": self.secondary, "webhook[0]": self.secondary_hook},
        }
        self.rng = random.Random(0)

    def step(self, seconds: float) -> list[tuple[int, str]]:
        self.now += timedelta(seconds=seconds)
        tick(self.engine, self.router, self.receivers, self.now)
        incidents_tick(self.engine, self.now)
        report = escalation_tick(self.engine, self.config, self.now)
        dispatch_due(self.engine, self.receivers, self.now, rng=self.rng)
        incidents_tick(self.engine, self.now)
        return report.escalated

    def run_for(self, minutes: int, every: int = 60) -> list[tuple[int, str]]:
        done: list[tuple[int, str]] = []
        for _ in range(minutes * 60 // every):
            done += self.step(every)
        return done


def escalations(engine: Engine, incident_id: int) -> list[tuple[str, bool]]:
    return [
        (str(e.data["receiver"]), bool(e.data["paged"]))
        for e in timeline(engine, incident_id)
        if e.kind == "escalated"
    ]


def test_the_schedule_of_a_policy_is_its_steps_offsets_repeated(t0: datetime) -> None:
    config = AlertingConfig.model_validate(yaml.safe_load(CONFIG))
    policy = config.escalation_policies[0]
    t = t0
    due = [(s.loop, s.index, s.due_at - t) for s in all_steps(policy, t)]
    minutes = timedelta(minutes=1)
    assert due == [
        (0, 0, 0 * minutes),
        (0, 1, 15 * minutes),
        (1, 0, 25 * minutes),
        (1, 1, 40 * minutes),
    ]
    assert current_step(policy, t, t + 14 * minutes).source == "escalation:0:0"  # type: ignore[union-attr]
    assert current_step(policy, t, t + 15 * minutes).source == "escalation:0:1"  # type: ignore[union-attr]
    assert next_due(policy, t, t + 40 * minutes) is None
    assert current_step(policy, t, t + 49 * minutes).source == "escalation:1:1"  # type: ignore[union-attr]
    assert current_step(policy, t, t + 50 * minutes) is None  # the last pass is over
    assert current_step(policy, t, t - minutes) is None


def test_a_child_route_inherits_its_parents_escalation_policy() -> None:
    config = AlertingConfig.model_validate(yaml.safe_load(CONFIG))
    by_route = policies_by_route(config)
    assert sorted(by_route) == [
        '{}/{team="credit"}/0',
        '{}/{team="credit"}/0/{severity="critical"}/0',
    ]


def test_an_unacknowledged_incident_pages_the_next_level_after_n_minutes(
    engine: Engine, t0: datetime
) -> None:
    oncall = Oncall(engine, t0)
    fire(engine, LABELS, t0)
    assert oncall.step(1) == [(1, "escalation:0:0")]  # the route paged primary
    [incident] = open_incidents(engine)
    assert len(oncall.primary.sent) == 1
    assert oncall.run_for(14) == []
    assert oncall.secondary.sent == []
    assert oncall.run_for(1) == [(incident.id, "escalation:0:1")]
    [paged] = oncall.secondary.sent
    assert paged.payload["escalation"] == {
        "incident_id": incident.id,
        "policy": "credit-oncall",
        "loop": 0,
        "step": 1,
    }
    assert [a["labels"]["alertname"] for a in paged.payload["alerts"]] == ["FeatureDrift"]
    # the webhook integration of secondary failed once; the dispatcher retried it
    oncall.run_for(2)
    assert len(oncall.secondary_hook.sent) == 1
    kinds = [(e.kind, e.data.get("receiver")) for e in timeline(engine, incident.id)]
    assert ("escalated", "secondary") in kinds
    assert ("notification_sent", "secondary") in kinds
    assert escalations(engine, incident.id) == [("primary", False), ("secondary", True)]
    assert len(oncall.primary.sent) == 1  # primary was not paged twice


def test_escalation_stops_after_its_passes(engine: Engine, t0: datetime) -> None:
    oncall = Oncall(engine, t0)
    fire(engine, LABELS, t0)
    oncall.step(1)
    oncall.run_for(180, every=120)
    [incident] = open_incidents(engine)
    assert escalations(engine, incident.id) == [
        ("primary", False),
        ("secondary", True),
        ("primary", True),
        ("secondary", True),
    ]
    assert len(oncall.secondary.sent) == 2
    assert len(oncall.primary.sent) == 2  # the route's page, then the second pass


def test_acknowledging_stops_the_escalation(engine: Engine, t0: datetime) -> None:
    oncall = Oncall(engine, t0)
    fire(engine, LABELS, t0)
    oncall.step(1)
    [incident] = open_incidents(engine)
    oncall.run_for(10)
    transition(engine, incident.id, "acknowledge", "ana", "looking", oncall.now)
    assert oncall.run_for(120, every=120) == []
    assert oncall.secondary.sent == []
    assert escalations(engine, incident.id) == [("primary", False)]
    stored = get_incident(engine, incident.id)
    assert stored is not None and stored.status == "acknowledged"


def test_a_repeated_tick_pages_a_step_once(engine: Engine, t0: datetime) -> None:
    oncall = Oncall(engine, t0)
    fire(engine, LABELS, t0)
    oncall.step(1)
    later = t0 + timedelta(minutes=16)
    first = escalation_tick(engine, oncall.config, later)
    again = escalation_tick(engine, oncall.config, later)
    assert len(first.escalated) == 1 and again.escalated == []
    rows = [n for n in list_notifications(engine) if n.receiver == "secondary"]
    assert sorted(n.integration for n in rows) == ["log[0]", "webhook[0]"]


def test_a_route_without_escalation_is_not_escalated(engine: Engine, t0: datetime) -> None:
    oncall = Oncall(engine, t0)
    fire(engine, {"alertname": "FeatureDrift", "model": "fraud", "team": "fraud"}, t0)
    oncall.step(1)
    assert oncall.run_for(60, every=300) == []


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (
            lambda raw: raw["escalation_policies"][0]["steps"][1].update(receiver="nobody"),
            "alerting.escalation_policies[0].steps[1].receiver",
            "unknown receiver 'nobody'",
        ),
        (
            lambda raw: raw["route"]["routes"][0].update(escalation={"policy": "missing"}),
            "alerting.route.routes[0].escalation.policy",
            "unknown escalation policy 'missing'",
        ),
        (
            lambda raw: raw["escalation_policies"].append(raw["escalation_policies"][0]),
            "alerting.escalation_policies[1].name",
            "duplicate escalation policy 'credit-oncall'",
        ),
    ],
    ids=[
        "a step naming an unknown receiver",
        "a route naming an unknown policy",
        "two policies of one name",
    ],
)
def test_a_broken_escalation_reference_fails_the_config_load_with_its_yaml_path(
    change: Any, path: str, reason: str
) -> None:
    raw = yaml.safe_load(CONFIG)
    change(raw)
    assert (path, reason) in reference_problems(AlertingConfig.model_validate(raw))
    with pytest.raises(ConfigError) as failed:
        parse_config(yaml.safe_dump({"alerting": raw}))
    assert (path, reason) in failed.value.problems


def test_a_negative_step_delay_fails_with_its_yaml_path() -> None:
    raw = yaml.safe_load(CONFIG)
    raw["escalation_policies"][0]["steps"][1]["after"] = "-5m"
    with pytest.raises(ConfigError) as failed:
        parse_config(yaml.safe_dump({"alerting": raw}))
    paths = [p for p, _ in failed.value.problems]
    assert "alerting.escalation_policies[0].steps[1].after" in paths


CONTINUE_CONFIG = """
route:
  receiver: primary
  group_by: [model]
  group_wait: 0s
  routes:
    - {receiver: audit, matchers: ['alertname=~".+"'], continue: true}
    - receiver: primary
      matchers: ['team="credit"']
      escalation: {policy: credit-oncall}
receivers:
  - {name: primary, log_configs: [{path: primary.jsonl}]}
  - {name: secondary, log_configs: [{path: secondary.jsonl}]}
  - {name: audit, log_configs: [{path: audit.jsonl}]}
escalation_policies:
  - name: credit-oncall
    steps: [{receiver: primary}, {receiver: secondary, after: 15m}]
"""


def test_an_incident_opened_by_another_group_of_its_alerts_is_escalated_by_its_route(
    engine: Engine, t0: datetime
) -> None:
    oncall = Oncall(engine, t0, CONTINUE_CONFIG)
    audit = Recorder()
    oncall.receivers = {
        "primary": {"log[0]": oncall.primary},
        "secondary": {"log[0]": oncall.secondary},
        "audit": {"log[0]": audit},
    }
    fire(engine, LABELS, t0)
    oncall.step(1)
    [incident] = open_incidents(engine)
    assert len(audit.sent) == len(oncall.primary.sent) == 1
    oncall.run_for(16)
    [paged] = oncall.secondary.sent
    assert paged.group_key == incident.group_key  # its deliveries reach the incident's timeline
    assert escalations(engine, incident.id) == [("primary", False), ("secondary", True)]
