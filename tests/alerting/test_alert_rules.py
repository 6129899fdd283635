"""Rules turn the latest drift signals into one alert per (rule, model), with ``for`` honoured."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alert_signals import WriteDrift, drift_signals
from sqlalchemy import Engine

from alerting.config import AlertRule
from alerting.rules import (
    DesiredAlert,
    alert_labels,
    desired_alert,
    evaluate_rules,
    plan,
    step_pending,
)
from store.alerts import fingerprint, open_alerts, upsert_firing

RULE = AlertRule(
    alert="FeatureDrift",
    detector="drift",
    severity="warning",
    runbook="feature-drift",
    summary="Drift on {model}: {subjects}",
    labels={"component": "features"},
)
MODELS = [("credit-risk", "risk"), ("churn", None)]
RUNBOOK = "https://runbooks.example/feature-drift.md"


def runbook_url(name: str) -> str:
    return f"https://runbooks.example/{name}.md"


def evaluate(engine: Engine, now: datetime, rule: AlertRule = RULE) -> list:
    return evaluate_rules(engine, [rule], MODELS, runbook_url, "https://dash.example", now)


def test_labels_name_rule_model_severity_team_and_extras_but_never_subjects() -> None:
    rule = RULE.model_copy(update={"labels": {"alertname": "Hijack", "team": "platform"}})
    assert alert_labels(rule, "credit-risk", "risk") == {
        "alertname": "FeatureDrift",
        "model": "credit-risk",
        "severity": "warning",
        "team": "platform",
    }
    assert "team" not in alert_labels(RULE, "churn", None)


def test_desired_alert_lists_breaching_subjects_worst_first_with_links(t0: datetime) -> None:
    latest = drift_signals(t0, {"age": 0.25, "income": 0.6, "zip": 0.1})
    desired = desired_alert(RULE, "credit-risk", "risk", latest, RUNBOOK, "https://dash.example")
    assert desired is not None
    notes = desired.annotations
    assert notes["summary"] == "Drift on credit-risk: income, age"
    assert notes["runbook_url"] == RUNBOOK
    assert notes["dashboard_url"] == "https://dash.example"
    assert notes["window_end"] == t0.isoformat()
    assert [(s["subject"], s["value"], s["threshold"]) for s in notes["subjects"]] == [
        ("income", 0.6, 0.2),
        ("age", 0.25, 0.2),
    ]
    assert "2 of 3 subjects" in notes["description"]
    assert desired.labels["component"] == "features"


def test_no_breach_and_not_computable_signals_want_no_alert(t0: datetime) -> None:
    [ok, unknown] = drift_signals(t0, {"age": 0.1, "income": 0.9})
    latest = [ok, replace(unknown, status="not_computable")]
    assert desired_alert(RULE, "credit-risk", None, latest, RUNBOOK, None) is None


def test_default_summary_names_the_alert_and_the_dashboard_link_is_optional(t0: datetime) -> None:
    rule = RULE.model_copy(update={"summary": ""})
    latest = drift_signals(t0, {"tenure": 0.3}, model="churn")
    desired = desired_alert(rule, "churn", None, latest, RUNBOOK, None)
    assert desired is not None
    assert desired.annotations["summary"] == "FeatureDrift on churn: tenure"
    assert "dashboard_url" not in desired.annotations


T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pending_since", "for_", "fires", "since"),
    [
        pytest.param(None, timedelta(0), True, T, id="without for a breach fires at once"),
        pytest.param(None, timedelta(minutes=10), False, T, id="a new breach becomes pending now"),
        pytest.param(
            T - timedelta(minutes=9),
            timedelta(minutes=10),
            False,
            T - timedelta(minutes=9),
            id="a breach shorter than for stays pending",
        ),
        pytest.param(
            T - timedelta(minutes=10),
            timedelta(minutes=10),
            True,
            T - timedelta(minutes=10),
            id="a breach that lasted for fires",
        ),
    ],
)
def test_step_pending(
    pending_since: datetime | None, for_: timedelta, fires: bool, since: datetime
) -> None:
    assert step_pending(pending_since, for_, T) == (fires, since)


def test_an_alert_fires_once_stays_firing_without_duplicate_and_resolves(
    sqlite_engine: Engine, t0: datetime, write_drift: WriteDrift
) -> None:
    write_drift(sqlite_engine, t0, {"income": 0.5, "age": 0.1})
    fired = evaluate(sqlite_engine, t0)
    assert [(a.status, a.labels["model"], a.labels["team"]) for a in fired] == [
        ("firing", "credit-risk", "risk")
    ]
    assert fired[0].annotations["summary"] == "Drift on credit-risk: income"

    write_drift(sqlite_engine, t0 + timedelta(hours=1), {"income": 0.5, "age": 0.4})
    assert evaluate(sqlite_engine, t0 + timedelta(hours=1)) == []
    [still] = open_alerts(sqlite_engine)
    assert still.id == fired[0].id
    assert still.annotations["summary"] == "Drift on credit-risk: income, age"

    write_drift(sqlite_engine, t0 + timedelta(hours=2), {"income": 0.1, "age": 0.1})
    resolved = evaluate(sqlite_engine, t0 + timedelta(hours=2))
    assert [(a.id, a.status, a.ends_at) for a in resolved] == [
        (fired[0].id, "resolved", t0 + timedelta(hours=2))
    ]
    assert open_alerts(sqlite_engine) == []
    assert evaluate(sqlite_engine, t0 + timedelta(hours=3)) == []


def test_for_delays_firing_until_the_breach_lasted_and_survives_a_restart(
    sqlite_engine: Engine, t0: datetime, write_drift: WriteDrift
) -> None:
    rule = RULE.model_copy(update={"for_": timedelta(minutes=30)})
    write_drift(sqlite_engine, t0, {"income": 0.5})
    assert evaluate(sqlite_engine, t0, rule) == []
    assert evaluate(sqlite_engine, t0 + timedelta(minutes=29), rule) == []
    [fired] = evaluate(sqlite_engine, t0 + timedelta(minutes=30), rule)
    assert (fired.status, fired.starts_at) == ("firing", t0)


def test_a_breach_that_ends_while_pending_never_fires(
    sqlite_engine: Engine, t0: datetime, write_drift: WriteDrift
) -> None:
    rule = RULE.model_copy(update={"for_": timedelta(minutes=30)})
    write_drift(sqlite_engine, t0, {"income": 0.5})
    assert evaluate(sqlite_engine, t0, rule) == []
    write_drift(sqlite_engine, t0 + timedelta(minutes=10), {"income": 0.1})
    assert evaluate(sqlite_engine, t0 + timedelta(minutes=10), rule) == []
    write_drift(sqlite_engine, t0 + timedelta(minutes=20), {"income": 0.5})
    assert evaluate(sqlite_engine, t0 + timedelta(minutes=40), rule) == []
    assert evaluate(sqlite_engine, t0 + timedelta(minutes=69), rule) == []
    assert [a.starts_at for a in evaluate(sqlite_engine, t0 + timedelta(minutes=70), rule)] == [
        t0 + timedelta(minutes=40)
    ]


def test_alerts_from_other_sources_are_left_alone(sqlite_engine: Engine, t0: datetime) -> None:
    labels = {"alertname": "ErrorBudgetBurn", "model": "credit-risk"}
    upsert_firing(sqlite_engine, labels, {}, t0, t0)
    assert evaluate(sqlite_engine, t0) == []
    assert [a.alertname for a in open_alerts(sqlite_engine)] == ["ErrorBudgetBurn"]


def test_an_alert_of_a_model_no_longer_monitored_resolves(
    sqlite_engine: Engine, t0: datetime, write_drift: WriteDrift
) -> None:
    write_drift(sqlite_engine, t0, {"tenure": 0.5}, model="churn")
    assert [a.labels["model"] for a in evaluate(sqlite_engine, t0)] == ["churn"]
    resolved = evaluate_rules(sqlite_engine, [RULE], MODELS[:1], runbook_url, None, t0)
    assert [(a.labels["model"], a.status) for a in resolved] == [("churn", "resolved")]


def test_plan_refreshes_changed_annotations_and_resolves_what_is_no_longer_wanted() -> None:
    desired = DesiredAlert({"alertname": "A", "model": "m"}, {"summary": "new"})
    fp = fingerprint(desired.labels)
    todo = plan([(desired, timedelta(0))], {fp: {"summary": "old"}, "gone": {}}, {}, T)
    assert (todo.fire, todo.refresh, todo.resolve, todo.pending) == ([], [desired], ["gone"], {})
    unchanged = plan([(desired, timedelta(0))], {fp: {"summary": "new"}}, {}, T)
    assert (unchanged.refresh, unchanged.resolve) == ([], [])
