"""Gathering a postmortem from the store (SQLite and PostgreSQL): impact, durations, actions,
notifications through every route, groups harmed; and the pure derivations behind them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from alerting.errors import IncidentNotFoundError
from alerting.incident_ops import transition
from alerting.incident_tick import fired_event
from alerting.postmortem import draft, gather
from alerting.postmortem.facts import budget_use, drifted_features, group_harm
from store.actions import NewAction, insert_action
from store.alerts import upsert_firing
from store.audit import AuditEntry
from store.incident_evidence import group_labels
from store.incidents import IncidentEvent, add_event, open_incident
from store.notifications import NewNotification, enqueue
from store.predictions import insert_predictions
from store.records import Signal, SignalStatus
from store.signals import write_signals

MODEL = "loans"
LABELS = '{alertname="ModelBias",model="loans"}'


def _signal(
    t: datetime,
    detector: str,
    subject: str,
    value: float,
    status: SignalStatus,
    threshold: float | None = None,
    **details: object,
) -> Signal:
    return Signal(
        detector,
        MODEL,
        subject,
        subject.split("/")[0],
        t - timedelta(hours=1),
        t,
        value,
        threshold,
        status,
        100,
        dict(details),
    )


def _seed(engine: Engine, t0: datetime) -> int:
    """An incident on a bias alert: opened at t0+10m, acknowledged t0+25m, resolved t0+2h."""
    groups = {"f": {"size": 60, "selection_rate": 0.2}, "m": {"size": 70, "selection_rate": 0.5}}
    bound = {"min": 0.8, "max": None}
    signals = [
        _signal(
            t0,
            "fairness",
            "demographic_parity_ratio/sex",
            0.9,
            "ok",
            0.8,
            bound=bound,
            attribute="sex",
            groups=groups,
        ),
        _signal(
            t0 + timedelta(minutes=5),
            "fairness",
            "demographic_parity_ratio/sex",
            0.4,
            "breach",
            0.8,
            bound=bound,
            attribute="sex",
            groups=groups,
        ),
        _signal(
            t0 + timedelta(minutes=10),
            "fairness",
            "demographic_parity_ratio/sex",
            0.6,
            "breach",
            0.8,
            bound=bound,
            attribute="sex",
            groups=groups,
        ),
        _signal(
            t0 + timedelta(minutes=5), "slo", "loans-availability", 2.0, "ok", budget_remaining=0.9
        ),
        _signal(
            t0 + timedelta(minutes=60),
            "slo",
            "loans-availability",
            9.0,
            "breach",
            budget_remaining=0.55,
        ),
        _signal(t0 + timedelta(minutes=5), "drift", "age", 0.3, "breach", 0.1),
        _signal(t0 - timedelta(days=1), "drift", "income", 0.9, "breach", 0.1),  # long before
    ]
    write_signals(engine, signals, t0 + timedelta(hours=3))
    insert_predictions(
        engine,
        [
            {
                "model": MODEL,
                "version": "v1",
                "request_id": f"r{i}",
                "features": {},
                "ts": t0 - timedelta(hours=2) + timedelta(minutes=i),
                "received_at": t0,
            }
            for i in range(300)
        ],
    )
    alert, _ = upsert_firing(
        engine,
        {"alertname": "ModelBias", "model": MODEL, "severity": "critical"},
        {
            "summary": "Bias on loans",
            "runbook_url": "https://runbooks.example.org/bias.md",
            "subjects": [
                {
                    "subject": "demographic_parity_ratio/sex",
                    "metric": "demographic_parity_ratio",
                    "window_end": (t0 + timedelta(minutes=5)).isoformat(),
                }
            ],
        },
        starts_at=t0 + timedelta(minutes=10),
        now=t0 + timedelta(minutes=10),
    )
    event = fired_event(engine, alert)
    incident = open_incident(
        engine, f"{{}}/0:{LABELS}", "Bias on loans", MODEL, "critical", alert.starts_at, event
    )
    enqueue(
        engine,
        [
            NewNotification("slack", "slack[0]", f'{{}}/{{team="x"}}/0:{LABELS}', "firing", {}),
            NewNotification("log", "log[0]", f"{{}}/0:{LABELS}", "firing", {}),
            NewNotification(
                "log", "log[0]", '{}/0:{alertname="Other",model="loans"}', "firing", {}
            ),
        ],
        t0 + timedelta(minutes=11),
    )
    transition(engine, incident.id, "acknowledge", "ana", "looking", t0 + timedelta(minutes=25))
    now = t0 + timedelta(minutes=40)
    insert_action(
        engine,
        NewAction(
            incident.id,
            alert.id,
            "rollback-on-bias",
            "rollback",
            MODEL,
            "v0",
            "approval",
            "rollback-hook",
            "awaiting_approval",
        ),
        now,
        IncidentEvent(now, "action_requested", "vigil", "rollback of loans to v0"),
        AuditEntry(now, "vigil", "action.request", "action:1", "policy", {}),
    )
    add_event(engine, incident.id, IncidentEvent(now, "note", "ana", "rolled back by hand"))
    transition(engine, incident.id, "resolve", "ana", "fixed", t0 + timedelta(hours=2))
    return incident.id


def test_a_resolved_bias_incident_is_gathered_with_its_impact_and_response(
    engine: Engine, t0: datetime
) -> None:
    incident_id = _seed(engine, t0)
    pm = gather(engine, incident_id, now=t0 + timedelta(days=5))
    # The window runs from the first breaching window's start to the resolution.
    assert pm.impact.start == t0 + timedelta(minutes=5) - timedelta(hours=1)
    assert pm.impact.end == t0 + timedelta(hours=2) and not pm.impact.ongoing
    assert pm.impact.predictions == 175  # one a minute from 08:05 to 11:00
    assert [(b.slo, b.before, b.after) for b in pm.impact.budgets] == [
        ("loans-availability", 0.9, 0.55)
    ]
    assert pm.impact.budgets[0].consumed == pytest.approx(0.35)
    [harm] = pm.impact.groups
    assert (harm.attribute, harm.worst, harm.threshold) == ("sex", 0.4, 0.8)
    assert harm.groups == (("f", 0.2, 60), ("m", 0.5, 70))
    assert [d.feature for d in pm.drifted] == ["age"]  # income drifted a day before
    assert pm.durations.acknowledge == timedelta(minutes=15)
    assert pm.durations.resolve == timedelta(minutes=110)
    assert pm.durations.detect == timedelta(minutes=5)
    assert [(a.action, a.status) for a in pm.actions] == [("rollback", "awaiting_approval")]
    assert sorted(n.receiver for n in pm.notifications) == ["log", "slack"]
    assert [s.subject for s in pm.series] == ["demographic_parity_ratio/sex"]
    assert [p[2] for p in pm.series[0].points] == ["ok", "breach", "breach"]


def test_the_markdown_draft_states_the_facts_and_leaves_the_human_sections_empty(
    sqlite_engine: Engine, t0: datetime
) -> None:
    incident_id = _seed(sqlite_engine, t0)
    result = draft(sqlite_engine, incident_id, t0 + timedelta(days=5), "md", "pm-7")
    text = result.text
    assert "| Time to acknowledge | 15m |" in text
    assert "| Time to resolve | 1h50m |" in text
    assert "| Predictions affected | 175 |" in text
    assert "| loans-availability | 90.0% | 55.0% | 35.0% |" in text
    assert "| sex | demographic_parity_ratio | 0.4 | 0.8 | f: 0.2 (n=60), m: 0.5 (n=70) |" in text
    assert "| rollback | approval | awaiting_approval | v0 |" in text
    assert "| 2026-03-02 09:40 UTC | note | ana | rolled back by hand |" in text
    assert (
        "![fairness · demographic_parity_ratio/sex · demographic_parity_ratio (threshold 0.8)]"
        "(pm-7-demographic-parity-ratio-sex-demographic-parity-ratio.png)" in text
    )
    assert list(result.files) == ["pm-7-demographic-parity-ratio-sex-demographic-parity-ratio.png"]
    for human in ("## Root cause", "## Lessons learned", "## Action items"):
        section = text.split(human, 1)[1].split("\n## ", 1)[0]
        assert section.strip().startswith("_To fill in:")
    html = draft(sqlite_engine, incident_id, t0 + timedelta(days=5), "html").text
    assert "<td>f: 0.2 (n=60), m: 0.5 (n=70)</td>" in html and "data:image/png;base64," in html


def test_an_unknown_incident_is_an_error(sqlite_engine: Engine, t0: datetime) -> None:
    with pytest.raises(IncidentNotFoundError):
        gather(sqlite_engine, 404, t0)


def test_pure_derivations_pick_the_worst_and_ignore_other_detectors(t0: datetime) -> None:
    later = t0 + timedelta(hours=1)
    found = drifted_features(
        [
            _signal(t0, "drift", "a", 0.15, "breach", 0.1),
            _signal(later, "drift", "a", 0.12, "breach", 0.1),
            _signal(t0, "drift", "b", 0.9, "breach", 0.1),
            _signal(t0, "drift", "c", 0.9, "ok", 1.0),
            _signal(t0, "quality", "a", 5.0, "breach", 0.1),
        ]
    )
    assert [(d.feature, d.worst, d.windows, d.first_breach) for d in found] == [
        ("b", 0.9, 1, t0),
        ("a", 0.15, 2, t0),
    ]
    assert budget_use([_signal(t0, "slo", "s", 1.0, "ok")])[0].consumed is None
    difference = {"min": None, "max": 0.1}
    harms = group_harm(
        [
            _signal(
                t0,
                "fairness",
                "equal_opportunity_difference/race",
                0.2,
                "breach",
                0.1,
                bound=difference,
                attribute="race",
            ),
            _signal(
                later,
                "fairness",
                "equal_opportunity_difference/race",
                0.3,
                "breach",
                0.1,
                bound=difference,
                attribute="race",
            ),
        ]
    )
    assert [(h.attribute, h.worst, h.groups) for h in harms] == [("race", 0.3, ())]
    assert group_labels('{}/{team=~"a:{b}"}/0:{alertname="X"}') == '{alertname="X"}'
    assert group_labels('{}:{model="m"}') == '{model="m"}'
