"""The muting stages through real router ticks: inhibition, silences, time intervals,
``send_resolved`` and the self-notification guard, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alert_router_kit import Recorder, end, fire, outbox, router_from, tick
from sqlalchemy import Engine

from alerting.silences import expire, new_silence
from store.alert_groups import load_groups

CONFIG = """
route:
  receiver: oncall
  group_by: [alertname, model]
  group_wait: 0s
  group_interval: 5m
  routes:
    - matchers: ['team="night"']
      receiver: night
      mute_time_intervals: [daytime]
    - matchers: ['team="business"']
      receiver: business
      active_time_intervals: [business-hours]
receivers: [{name: oncall}, {name: night}, {name: business}, {name: quiet}]
inhibit_rules:
  - source_matchers: ['alertname="ModelDown"']
    target_matchers: ['alertname="FeatureDrift"']
    equal: [model]
time_intervals:
  - name: daytime
    time_intervals: [{times: [{start_time: "08:00", end_time: "20:00"}]}]
  - name: business-hours
    time_intervals:
      - weekdays: ["monday:friday"]
        times: [{start_time: "09:00", end_time: "17:00"}]
        location: Europe/Berlin
"""


def receivers(send_resolved: bool = True) -> dict[str, dict[str, Recorder]]:
    return {
        name: {"log[0]": Recorder(), "log[1]": Recorder(send_resolved=send_resolved)}
        for name in ("oncall", "night", "business", "quiet")
    }


def drift(model: str, **extra: str) -> dict[str, str]:
    return {"alertname": "FeatureDrift", "model": model, **extra}


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_a_firing_source_inhibits_targets_with_equal_labels_until_it_resolves(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    down = {"alertname": "ModelDown", "model": "a"}
    for labels in (down, drift("a"), drift("b")):
        fire(engine, labels, t0)
    report = tick(engine, router, receivers(), t0)
    assert sorted({alerts[0] for *_, alerts in outbox(engine)}) == [
        "firing:FeatureDrift/b",
        "firing:ModelDown/a",
    ]
    inhibited = report.outcomes['{}:{alertname="FeatureDrift",model="a"}']
    assert [o.reason for o in inhibited] == ["nothing left after inhibit"]
    end(engine, down, t0 + minutes(1))
    tick(engine, router, receivers(), t0 + minutes(5))
    assert ["firing:FeatureDrift/a"] in [alerts for *_, alerts in outbox(engine)]


def test_a_silence_mutes_matching_alerts_until_it_is_expired(engine: Engine, t0: datetime) -> None:
    _, router = router_from(CONFIG)
    silence = new_silence(
        engine,
        ['model="b"'],
        author="ana",
        comment="retraining b",
        starts_at=None,
        ends_at=t0 + timedelta(hours=2),
        created_by="ops-key",
        now=t0,
    )
    fire(engine, drift("b"), t0)
    assert tick(engine, router, receivers(), t0).enqueued == []
    expire(engine, silence.id, "ops-key", t0 + minutes(3))
    assert tick(engine, router, receivers(), t0 + minutes(4)).enqueued == []
    assert len(tick(engine, router, receivers(), t0 + minutes(5)).enqueued) == 2


@pytest.mark.parametrize(
    ("team", "start", "opens", "stage"),
    [
        pytest.param(
            "night",
            "2026-03-02T09:00:00+00:00",
            "2026-03-02T20:00:00+00:00",
            "time_mute",
            id="mute_time_intervals hold pages until the interval ends",
        ),
        pytest.param(
            "business",
            "2026-03-02T16:05:00+00:00",  # Monday 17:05 in Berlin
            "2026-03-03T08:00:00+00:00",  # Tuesday 09:00 in Berlin
            "time_active",
            id="active_time_intervals hold pages until the next interval starts in its zone",
        ),
    ],
)
def test_time_intervals_hold_notifications_until_the_route_may_page(
    engine: Engine, team: str, start: str, opens: str, stage: str
) -> None:
    _, router = router_from(CONFIG)
    now = datetime.fromisoformat(start)
    fire(engine, drift("n", team=team), now)
    report = tick(engine, router, receivers(), now)
    [[muted]] = report.outcomes.values()
    assert muted.reason == f"nothing left after {stage}"
    while not tick(engine, router, receivers(), now).enqueued:
        now += minutes(5)
    assert now == datetime.fromisoformat(opens)
    assert {receiver for receiver, *_ in outbox(engine)} == {team}


def test_resolutions_go_only_to_integrations_that_want_them(engine: Engine, t0: datetime) -> None:
    _, router = router_from(CONFIG)
    fire(engine, drift("a"), t0)
    tick(engine, router, receivers(send_resolved=False), t0)
    end(engine, drift("a"), t0 + minutes(1))
    report = tick(engine, router, receivers(send_resolved=False), t0 + minutes(5))
    assert [(integration, kind) for _, integration, kind, _ in outbox(engine)] == [
        ("log[0]", "firing"),
        ("log[1]", "firing"),
        ("log[0]", "resolved"),
    ]
    reasons = {o.integration: o.reason for o in next(iter(report.outcomes.values()))}
    assert reasons == {
        "log[0]": "all_resolved",
        "log[1]": "all_resolved (recorded, resolutions not sent)",
    }
    assert load_groups(engine) == {}


def test_a_failing_receiver_is_not_told_about_itself_and_others_are(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(
        engine,
        {
            "alertname": "VigilNotificationFailing",
            "receiver": "oncall",
            "integration": "log[0]",
            "severity": "critical",
        },
        t0,
    )
    tick(engine, router, receivers(), t0)
    assert sorted({receiver for receiver, *_ in outbox(engine)}) == ["business", "night", "quiet"]
