"""Group timers, dedup and durability of the router tick, on SQLite and PostgreSQL.

Every test drives ``now`` by hand. "Never drop, never double": a tick works from stored
state, so a crash before it loses nothing, a restart repeats nothing, and two routers racing
on one group enqueue one notification.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from alert_router_kit import Recorder, deliver, end, fire, outbox, router_from, tick
from sqlalchemy import Engine

from store.alert_groups import load_groups, load_log
from store.alerts import upsert_firing

CONFIG = """
route:
  receiver: oncall
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: oncall
"""
A = {"alertname": "FeatureDrift", "model": "a"}
B = {"alertname": "FeatureDrift", "model": "b"}
C = {"alertname": "FeatureDrift", "model": "c"}


def receivers() -> dict[str, dict[str, Recorder]]:
    return {"oncall": {"log[0]": Recorder()}}


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def test_group_wait_gathers_the_alerts_that_arrive_while_it_waits(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    assert tick(engine, router, receivers(), t0).enqueued == []
    fire(engine, B, t0 + s(10))
    assert tick(engine, router, receivers(), t0 + s(10)).enqueued == []
    assert len(tick(engine, router, receivers(), t0 + s(30)).enqueued) == 1
    assert tick(engine, router, receivers(), t0 + s(60)).enqueued == []
    assert outbox(engine) == [
        ("oncall", "log[0]", "firing", ["firing:FeatureDrift/a", "firing:FeatureDrift/b"])
    ]


def test_an_alert_joining_after_the_first_flush_waits_for_group_interval(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    tick(engine, router, receivers(), t0)
    tick(engine, router, receivers(), t0 + s(30))
    fire(engine, C, t0 + s(60))
    assert tick(engine, router, receivers(), t0 + s(60)).enqueued == []
    assert tick(engine, router, receivers(), t0 + s(329)).enqueued == []
    assert len(tick(engine, router, receivers(), t0 + s(330)).enqueued) == 1
    assert [row[3] for row in outbox(engine)] == [
        ["firing:FeatureDrift/a"],
        ["firing:FeatureDrift/a", "firing:FeatureDrift/c"],
    ]


def test_an_alert_that_started_longer_than_group_wait_ago_flushes_at_once(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    upsert_firing(engine, A, {}, t0 - timedelta(minutes=15), t0)
    assert len(tick(engine, router, receivers(), t0).enqueued) == 1


def test_repeat_interval_pages_a_still_firing_group_again(engine: Engine, t0: datetime) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    tick(engine, router, receivers(), t0)
    enqueued_at = []
    for step in range(0, 4 * 12 + 3):
        now = t0 + s(30) + step * timedelta(minutes=5)
        if tick(engine, router, receivers(), now).enqueued:
            enqueued_at.append(now - t0)
        deliver(engine, receivers(), now)
    # Alertmanager repeats at the first flush strictly after repeat_interval has passed.
    assert enqueued_at == [s(30), timedelta(hours=4, minutes=5, seconds=30)]


def test_no_repeat_is_queued_behind_a_notification_still_being_delivered(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    tick(engine, router, receivers(), t0)
    tick(engine, router, receivers(), t0 + s(30))  # enqueued, never delivered (an outage)
    report = tick(engine, router, receivers(), t0 + timedelta(hours=4, minutes=5, seconds=30))
    assert report.enqueued == []
    [outcome] = next(iter(report.outcomes.values()))
    assert outcome.reason == "previous notification still in the outbox"
    assert len(outbox(engine)) == 1


def test_a_resolution_is_sent_once_at_the_next_flush_and_the_group_ends(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    tick(engine, router, receivers(), t0)
    tick(engine, router, receivers(), t0 + s(30))
    end(engine, A, t0 + s(120))
    assert tick(engine, router, receivers(), t0 + s(120)).enqueued == []
    assert len(tick(engine, router, receivers(), t0 + s(330)).enqueued) == 1
    for later in (s(331), s(900), timedelta(hours=5)):
        assert tick(engine, router, receivers(), t0 + later).enqueued == []
    assert [(kind, alerts) for _, _, kind, alerts in outbox(engine)] == [
        ("firing", ["firing:FeatureDrift/a"]),
        ("resolved", ["resolved:FeatureDrift/a"]),
    ]
    assert load_groups(engine) == {} and load_log(engine) == {}


def test_an_alert_that_fires_and_resolves_within_group_wait_pages_nobody(
    engine: Engine, t0: datetime
) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    tick(engine, router, receivers(), t0)
    end(engine, A, t0 + s(10))
    assert tick(engine, router, receivers(), t0 + s(30)).enqueued == []
    assert outbox(engine) == [] and load_groups(engine) == {}


def test_a_crash_between_storing_an_alert_and_routing_it_loses_no_page(
    engine: Engine, t0: datetime
) -> None:
    fire(engine, A, t0)  # the rules committed, then the process died before routing
    for minute in (1, 2, 3):  # each tick by a freshly started process
        _, restarted = router_from(CONFIG)
        tick(engine, restarted, receivers(), t0 + timedelta(minutes=minute))
    assert outbox(engine) == [("oncall", "log[0]", "firing", ["firing:FeatureDrift/a"])]


def test_a_restart_after_a_flush_repeats_nothing(engine: Engine, t0: datetime) -> None:
    _, router = router_from(CONFIG)
    fire(engine, A, t0)
    tick(engine, router, receivers(), t0)
    tick(engine, router, receivers(), t0 + s(30))
    for later in (s(30), s(31), s(330), s(630)):  # the same tick again, then later ones
        _, restarted = router_from(CONFIG)
        assert tick(engine, restarted, receivers(), t0 + later).enqueued == []
    assert len(outbox(engine)) == 1


def test_two_routers_racing_on_one_group_enqueue_one_notification(
    engine: Engine, t0: datetime
) -> None:
    fire(engine, A, t0 - timedelta(minutes=5))
    barrier = threading.Barrier(4)
    reports = []

    def replica() -> None:
        _, router = router_from(CONFIG)
        barrier.wait()
        reports.append(tick(engine, router, receivers(), t0))

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(reports) == 4
    assert sum(len(r.enqueued) for r in reports) == 1
    assert len(outbox(engine)) == 1
