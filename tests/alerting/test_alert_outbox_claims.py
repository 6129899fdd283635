"""Outbox claims: replicas never send the same row, crashed claims expire, order is kept.

On SQLite and PostgreSQL (``SELECT ... FOR UPDATE SKIP LOCKED`` there).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from store.notifications import (
    NewNotification,
    enqueue,
    list_notifications,
    mark_failed_retry,
    mark_sent,
)
from store.outbox_claims import claim_due, new_claim, release, unfinished_targets
from store.schema import notifications

BODY = {"status": "firing", "alerts": []}


def rows(engine: Engine, t0: datetime, *groups_and_kinds: tuple[str, str]) -> list[int]:
    items = [NewNotification("oncall", "x[0]", g, k, BODY) for g, k in groups_and_kinds]  # type: ignore[arg-type]
    return enqueue(engine, items, t0)


def test_a_resolution_never_overtakes_the_page_of_its_group(engine: Engine, t0: datetime) -> None:
    page, resolution, other = rows(engine, t0, ("g", "firing"), ("g", "resolved"), ("h", "firing"))
    claim = new_claim("replica-a")
    assert [r.id for r in claim_due(engine, t0, claim)] == [page, other]
    mark_failed_retry(engine, page, t0 + timedelta(seconds=30), "HTTP 503", claim=claim)
    mark_sent(engine, other, t0, claim=claim)
    # The page waits for its retry; its resolution waits for the page.
    assert claim_due(engine, t0 + timedelta(seconds=10), new_claim("replica-b")) == []
    assert unfinished_targets(engine) == {("g", "oncall", "x[0]")}
    retry_claim = new_claim("replica-b")
    [retry] = claim_due(engine, t0 + timedelta(seconds=30), retry_claim)
    assert retry.id == page
    mark_sent(engine, page, t0 + timedelta(seconds=30), claim=retry_claim)
    [follow] = claim_due(engine, t0 + timedelta(seconds=31), new_claim("replica-a"))
    assert follow.id == resolution


def test_concurrent_replicas_claim_disjoint_rows(engine: Engine, t0: datetime) -> None:
    ids = rows(engine, t0, *[(f"g{i}", "firing") for i in range(40)])
    barrier = threading.Barrier(4)
    claimed: list[list[int]] = []

    def replica(name: str) -> None:
        mine: list[int] = []
        barrier.wait()
        while batch := claim_due(engine, t0, new_claim(name), limit=7):
            mine += [row.id for row in batch]
        claimed.append(mine)

    threads = [threading.Thread(target=replica, args=(f"r{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [i for mine in claimed for i in mine]
    assert sorted(everything) == sorted(ids)
    assert len(everything) == len(set(everything))


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_postgresql_skips_a_row_another_replica_has_locked(engine: Engine, t0: datetime) -> None:
    locked, free = rows(engine, t0, ("g", "firing"), ("h", "firing"))
    with engine.connect() as other:
        transaction = other.begin()
        other.execute(
            select(notifications.c.id).where(notifications.c.id == locked).with_for_update()
        )
        got = claim_due(engine, t0, new_claim("replica-b"))
        transaction.rollback()
    assert [r.id for r in got] == [free]


def test_the_rows_of_a_crashed_dispatcher_are_taken_again_when_its_lease_ends(
    engine: Engine, t0: datetime
) -> None:
    [row] = rows(engine, t0, ("g", "firing"))
    crashed = new_claim("replica-a")
    assert [r.id for r in claim_due(engine, t0, crashed, lease=timedelta(minutes=5))] == [row]
    assert claim_due(engine, t0 + timedelta(minutes=4), new_claim("replica-b")) == []
    taker = new_claim("replica-b")
    [again] = claim_due(engine, t0 + timedelta(minutes=5), taker)
    assert (again.id, again.status, again.claimed_by) == (row, "sending", taker)
    assert not mark_sent(engine, row, t0 + timedelta(minutes=6), claim=crashed)
    assert mark_sent(engine, row, t0 + timedelta(minutes=6), claim=taker)
    [sent] = list_notifications(engine)
    assert (sent.status, sent.attempts, sent.claimed_by) == ("sent", 1, None)


def test_a_released_row_is_pending_again_and_untried(engine: Engine, t0: datetime) -> None:
    [row] = rows(engine, t0, ("g", "firing"))
    claim = new_claim("replica-a")
    claim_due(engine, t0, claim)
    assert release(engine, row, claim)
    assert not release(engine, row, claim)
    [pending] = list_notifications(engine)
    assert (pending.status, pending.attempts, pending.next_attempt_at) == ("pending", 0, t0)
