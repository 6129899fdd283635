"""Advisory job locks: replicas of ``vigil serve`` on one PostgreSQL run each tick once.

Two "replicas" (two engines, two threads) run the same tick of a job that sleeps while it
holds the lock and counts its runs: the work happens once. On SQLite the lock is a
documented no-op (one process per SQLite file).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from store.db import create_store_engine
from store.job_lock import JobLock, LockedRun, guarded, guarded_jobs, lock_key
from store.scheduling import ScheduledJob

INTERVAL = timedelta(seconds=30)
#: Only PostgreSQL has advisory locks; SQLite's no-op lock is tested on its own below.
postgres_only = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


class CountingJob:
    """A job that counts its runs and holds the tick for ``hold`` seconds."""

    def __init__(self, hold: float = 0.0) -> None:
        self.hold = hold
        self.runs: list[datetime] = []
        self._mutex = threading.Lock()

    def __call__(self, now: datetime) -> str:
        with self._mutex:
            self.runs.append(now)
        time.sleep(self.hold)
        return "done"


@pytest.fixture
def replica(engine: Engine) -> Iterator[Engine]:
    """A second engine on the same database: another ``vigil serve`` process."""
    other = create_store_engine(engine.url.render_as_string(hide_password=False))
    try:
        yield other
    finally:
        other.dispose()


def both_at_once(
    engines: tuple[Engine, Engine], job: CountingJob, name: str, now: datetime
) -> list[LockedRun]:
    results: list[LockedRun] = []
    start = threading.Barrier(2)

    def tick(engine: Engine) -> None:
        lock = JobLock(engine, name, INTERVAL * 0.8)
        start.wait()
        results.append(lock.run(job, now))

    threads = [threading.Thread(target=tick, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_lock_keys_are_stable_signed_64_bit_integers() -> None:
    # the first 8 bytes of SHA-256("vigil.job:detectors.drift"), signed: the same everywhere
    assert lock_key("detectors.drift") == -4521922638218849256
    names = [
        "detectors.drift",
        "slo",
        "alerting.dispatch",
        "alerting.incidents",
        "alerting.actions",
    ]
    assert len({lock_key(n) for n in names}) == len(names)


@postgres_only
def test_two_replicas_running_the_same_tick_do_the_work_once(
    engine: Engine, replica: Engine, t0: datetime
) -> None:
    job = CountingJob(hold=0.5)
    results = both_at_once((engine, replica), job, "detectors.drift", t0)
    assert len(job.runs) == 1
    assert sorted(r.ran for r in results) == [False, True]
    [skipped] = [r for r in results if not r.ran]
    assert skipped.reason == "locked by another replica"
    [done] = [r for r in results if r.ran]
    assert done.result == "done"


@postgres_only
def test_a_replica_whose_timer_fires_just_after_the_tick_ran_skips_it(
    engine: Engine, replica: Engine, t0: datetime
) -> None:
    job = CountingJob()
    first = JobLock(engine, "slo", INTERVAL * 0.8)
    second = JobLock(replica, "slo", INTERVAL * 0.8)
    assert first.run(job, t0).ran
    late = second.run(job, t0 + timedelta(milliseconds=40))
    assert (late.ran, late.reason) == (False, "ran 0.0s ago elsewhere")
    assert second.run(job, t0 + INTERVAL).ran  # the next interval runs, on either replica
    assert not first.run(job, t0 + INTERVAL + timedelta(seconds=1)).ran
    assert len(job.runs) == 2


@postgres_only
def test_different_jobs_do_not_block_each_other(
    engine: Engine, replica: Engine, t0: datetime
) -> None:
    drift, slo = CountingJob(hold=0.3), CountingJob(hold=0.3)
    results: list[LockedRun] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(JobLock(engine, "a", INTERVAL).run(drift, t0))
        ),
        threading.Thread(
            target=lambda: results.append(JobLock(replica, "b", INTERVAL).run(slo, t0))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.ran for r in results] == [True, True]
    assert (len(drift.runs), len(slo.runs)) == (1, 1)


def test_a_failing_tick_releases_the_lock(engine: Engine, replica: Engine, t0: datetime) -> None:
    def broken(now: datetime) -> None:
        raise RuntimeError("detector crashed")

    with pytest.raises(RuntimeError):
        JobLock(engine, "alerting.actions", INTERVAL).run(broken, t0)
    job = CountingJob()
    assert JobLock(replica, "alerting.actions", INTERVAL).run(job, t0 + INTERVAL).ran
    assert len(job.runs) == 1


def test_on_sqlite_the_lock_is_a_no_op(sqlite_engine: Engine, t0: datetime) -> None:
    job = CountingJob(hold=0.2)
    results = both_at_once((sqlite_engine, sqlite_engine), job, "detectors.drift", t0)
    assert [r.ran for r in results] == [True, True]  # one process per SQLite file is assumed
    assert len(job.runs) == 2


def test_guarded_jobs_keep_their_names_and_intervals_and_run_under_the_lock(
    engine: Engine, replica: Engine, t0: datetime
) -> None:
    job = CountingJob()
    jobs = [ScheduledJob("alerting.incidents", INTERVAL, job), ScheduledJob("slo", INTERVAL, job)]
    mine = guarded_jobs(engine, jobs)
    theirs = [guarded(replica, j) for j in jobs]
    assert [(j.name, j.interval) for j in mine] == [(j.name, j.interval) for j in jobs]
    for ours, other in zip(mine, theirs, strict=True):
        ours.run(t0)
        other.run(t0 + timedelta(seconds=1))
    expected = 2 if engine.dialect.name == "postgresql" else 4
    assert len(job.runs) == expected
