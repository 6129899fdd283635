"""Incidents from alert groups: opening, joining, auto-resolving, the timeline and durations,
on SQLite and PostgreSQL. Every test drives ``now`` by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alert_router_kit import Recorder, deliver, end, fire, router_from, tick
from sqlalchemy import Engine

from alerting.errors import IncidentNotFoundError, IncidentStateError
from alerting.incident_ops import add_note, transition, view
from alerting.incident_tick import incidents_tick
from alerting.incidents import can_move
from alerting.silences import new_silence
from store.alerts import upsert_firing
from store.audit import audit_entries
from store.incidents import list_incidents, timeline

CONFIG = """
route:
  receiver: oncall
  group_by: [model]
  group_wait: 30s
  group_interval: 5m
receivers:
  - name: oncall
"""
DRIFT_A = {"alertname": "FeatureDrift", "model": "a", "severity": "warning"}
PERF_A = {"alertname": "AccuracyDrop", "model": "a", "severity": "critical"}
DRIFT_B = {"alertname": "FeatureDrift", "model": "b", "severity": "warning"}


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def receivers() -> dict[str, dict[str, Recorder]]:
    return {"oncall": {"log[0]": Recorder()}}


def kinds(engine: Engine, incident_id: int) -> list[str]:
    return [e.kind for e in timeline(engine, incident_id)]


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        pytest.param("triggered", "acknowledged", True, id="a new incident can be acknowledged"),
        pytest.param("triggered", "resolved", True, id="steps may be skipped"),
        pytest.param("resolved", "acknowledged", False, id="an incident never moves back"),
        pytest.param("acknowledged", "acknowledged", False, id="nor stays where it is"),
        pytest.param("mitigated", "closed", False, id="only a resolved incident closes"),
        pytest.param("resolved", "closed", True, id="a resolved incident closes"),
    ],
)
def test_the_state_machine_only_moves_forward(current: str, target: str, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def test_the_first_alert_of_a_group_opens_an_incident_and_later_ones_join_it(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, DRIFT_A, t0)
    tick(engine, router, receivers(), t0)
    first = incidents_tick(engine, t0)
    fire(engine, PERF_A, t0 + s(20))
    fire(engine, DRIFT_B, t0 + s(20))
    tick(engine, router, receivers(), t0 + s(20))
    second = incidents_tick(engine, t0 + s(20))
    assert len(first.opened) == 1 and len(second.opened) == 1
    by_model = {i.model: i for i in list_incidents(engine)}
    assert by_model["a"].severity == "critical"
    assert kinds(engine, by_model["a"].id) == ["alert_fired", "alert_fired"]
    assert incidents_tick(engine, t0 + s(21)).events == 0


def test_the_incident_resolves_when_all_its_alerts_resolve_and_records_notifications(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    sink = receivers()
    fire(engine, DRIFT_A, t0)
    fire(engine, PERF_A, t0)
    tick(engine, router, sink, t0)
    tick(engine, router, sink, t0 + s(30))
    deliver(engine, sink, t0 + s(31))
    incidents_tick(engine, t0 + s(31))
    end(engine, DRIFT_A, t0 + s(60))
    assert incidents_tick(engine, t0 + s(61)).resolved == []
    end(engine, PERF_A, t0 + s(90))
    report = incidents_tick(engine, t0 + s(91))
    [incident] = list_incidents(engine)
    assert report.resolved == [incident.id]
    assert (incident.status, incident.resolved_at) == ("resolved", t0 + s(90))
    assert kinds(engine, incident.id) == [
        "alert_fired",
        "alert_fired",
        "notification_sent",
        "alert_resolved",
        "alert_resolved",
        "resolved",
    ]


def test_an_operator_resolve_is_not_undone_by_alerts_still_firing(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, DRIFT_A, t0)
    tick(engine, router, receivers(), t0)
    [opened] = incidents_tick(engine, t0).opened
    transition(engine, opened, "resolve", "ana", "false positive", t0 + s(60))
    tick(engine, router, receivers(), t0 + s(61))
    assert incidents_tick(engine, t0 + s(61)).opened == []
    end(engine, DRIFT_A, t0 + s(120))
    fire(engine, DRIFT_A, t0 + s(600))
    tick(engine, router, receivers(), t0 + s(600))
    assert len(incidents_tick(engine, t0 + s(600)).opened) == 1


def test_durations_come_from_the_breach_window_and_the_timeline(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    notes = {"summary": "drift on a", "subjects": [{"window_end": (t0 - s(300)).isoformat()}]}
    upsert_firing(engine, DRIFT_A, notes, t0, t0)
    tick(engine, router, receivers(), t0)
    [opened] = incidents_tick(engine, t0).opened
    transition(engine, opened, "acknowledge", "ana", "looking", t0 + s(120))
    transition(engine, opened, "mitigate", "ana", "rolled back", t0 + s(600))
    transition(engine, opened, "resolve", "ana", "fixed", t0 + s(900))
    found = view(engine, opened)
    assert found.incident.title == "drift on a"
    assert found.durations.as_seconds() == {
        "time_to_detect": 300.0,
        "time_to_acknowledge": 120.0,
        "time_to_mitigate": 600.0,
        "time_to_resolve": 900.0,
    }


def test_time_to_detect_counts_from_the_first_window_of_the_breach_run(
    engine: Engine, t0: datetime
) -> None:
    """A k-of-m rule fires windows after the breach began; detection time counts from then."""
    from alert_signals import drift_signals

    from store.signals import write_signals

    values = [0.1, 0.3, 0.1, 0.4, 0.5, 0.6]  # ok, breach, ok, then a run of three breaches
    for i, value in enumerate(values):
        when = t0 - s(300 * (len(values) - 1 - i))
        write_signals(engine, drift_signals(when, {"income": value}, model="a"), when)
    notes = {
        "summary": "drift on a",
        "detector": "drift",
        "subjects": [{"subject": "income", "window_end": t0.isoformat()}],
    }
    _, router = router_from(CONFIG)
    upsert_firing(engine, DRIFT_A, notes, t0 + s(60), t0 + s(60))
    tick(engine, router, receivers(), t0 + s(60))
    [opened] = incidents_tick(engine, t0 + s(60)).opened
    assert view(engine, opened).durations.as_seconds()["time_to_detect"] == 660.0


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param(["breach", "breach", "breach"], 0, id="a breach since the first window"),
        pytest.param(["breach", "ok", "breach"], 2, id="an ok window ends the run"),
        pytest.param(["breach", "no_data", "breach"], 2, id="so does a window without data"),
        pytest.param(["breach", "breach", "ok"], None, id="no run when the last is not a breach"),
    ],
)
def test_the_breach_run_starts_after_the_last_other_status(
    t0: datetime, statuses: list[str], expected: int | None
) -> None:
    from alerting.incidents import breach_run_start

    points = [(t0 + s(300 * i), status) for i, status in enumerate(statuses)]
    later = [(t0 + s(9000), "ok")]  # after the alert's window: ignored
    found = breach_run_start(list(reversed(points)) + later, t0 + s(600))
    assert found == (None if expected is None else t0 + s(300 * expected))


def test_operator_changes_write_the_timeline_and_the_audit_log_and_bad_ones_change_nothing(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, DRIFT_A, t0)
    tick(engine, router, receivers(), t0)
    [opened] = incidents_tick(engine, t0).opened
    transition(engine, opened, "acknowledge", "ana", "on it", t0 + s(10))
    add_note(engine, opened, "ana", "reference data is stale", t0 + s(20))
    with pytest.raises(IncidentStateError):
        transition(engine, opened, "acknowledge", "bo", "me too", t0 + s(30))
    with pytest.raises(IncidentNotFoundError):
        add_note(engine, opened + 1, "ana", "wrong one", t0 + s(30))
    transition(engine, opened, "resolve", "ana", "done", t0 + s(40))
    transition(engine, opened, "close", "ana", "reviewed", t0 + s(50))
    with pytest.raises(IncidentStateError):
        add_note(engine, opened, "ana", "late", t0 + s(60))
    assert kinds(engine, opened) == ["alert_fired", "acknowledged", "note", "resolved", "closed"]
    assert [(a.actor, a.action, a.reason) for a in audit_entries(engine)] == [
        ("ana", "incident.acknowledge", "on it"),
        ("ana", "incident.note", "reference data is stale"),
        ("ana", "incident.resolve", "done"),
        ("ana", "incident.close", "reviewed"),
    ]


def test_a_silence_matching_an_incident_alert_is_on_its_timeline_once(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, DRIFT_A, t0)
    tick(engine, router, receivers(), t0)
    [opened] = incidents_tick(engine, t0).opened
    new_silence(
        engine,
        ['model="a"'],
        author="ana",
        comment="retraining",
        starts_at=None,
        ends_at=t0 + timedelta(hours=1),
        created_by="ops",
        now=t0 + s(5),
    )
    incidents_tick(engine, t0 + s(6))
    incidents_tick(engine, t0 + s(7))
    assert kinds(engine, opened) == ["alert_fired", "silenced"]
    assert [a.action for a in audit_entries(engine)] == ["silence.create"]
