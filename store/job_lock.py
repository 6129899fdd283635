"""Run a scheduled job on one replica at a time, and once per interval, across replicas.

Several ``vigil serve`` replicas on one PostgreSQL each schedule every job. Before a tick,
:class:`JobLock` takes a transaction-level advisory lock keyed by a stable 64-bit hash of the
job's name (:func:`lock_key`: the first 8 bytes of SHA-256, the same in every process and
every release, unlike Python's ``hash``) with ``pg_try_advisory_xact_lock``, on a connection
of its own whose transaction stays open while the job runs (the job works on other
connections). A replica that does not get the lock skips the tick: another one is running
it. The lock ends with that transaction, so a replica that dies mid-tick frees it when its
connection closes; no lock outlives its holder.

Holding the lock only keeps ticks apart; two replicas whose timers are a few milliseconds
apart would still run the same tick one after the other. So, under the lock, the time of the
last run is read from ``job_state`` (``job_lock:<name>``) and the tick is skipped when
another replica ran it less than ``min_spacing`` ago (by default half the job's interval);
otherwise it is stamped and run. Every job stays idempotent anyway (each reads state and
writes with unique keys), so a tick that does run twice does no harm.

On SQLite the lock does nothing: an SQLite store is one file used by one ``vigil serve``
process, and SQLite has no advisory locks. Several processes on one SQLite file are not a
supported deployment (the durable outbox and the claims assume a single writer there too).

Note for operators: the lock holds one pooled connection open in a transaction for the
length of a tick; a PostgreSQL ``idle_in_transaction_session_timeout`` shorter than the
longest tick would end that connection, and the lock with it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from store.job_state import load_state, save_state
from store.scheduling import ScheduledJob

log = logging.getLogger(__name__)

_STAMP = "job_lock:{name}"
#: The share of a job's interval within which a tick another replica ran is not repeated.
SPACING = 0.8


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for the job called ``name``."""
    digest = hashlib.sha256(f"vigil.job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class LockedRun:
    """What one guarded tick did: ``ran`` or why it was skipped, and the job's result."""

    ran: bool
    reason: str = ""
    result: Any = None


class JobLock:
    """Runs ticks of one job under its advisory lock (PostgreSQL) or directly (SQLite)."""

    def __init__(self, engine: Engine, name: str, min_spacing: timedelta = timedelta(0)) -> None:
        self.engine = engine
        self.name = name
        self.key = lock_key(name)
        self.min_spacing = min_spacing
        self.shared = engine.dialect.name == "postgresql"

    def run(self, work: Callable[[datetime], Any], now: datetime) -> LockedRun:
        """Run ``work(now)`` unless another replica holds the lock or ran it just now."""
        if not self.shared:
            return LockedRun(True, result=work(now))
        with self.engine.connect() as conn, conn.begin():
            held = conn.execute(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": self.key}
            ).scalar()
            if not held:
                log.debug("job %s: another replica holds its lock; tick skipped", self.name)
                return LockedRun(False, "locked by another replica")
            stamp = _STAMP.format(name=self.name)
            last = load_state(self.engine, stamp)
            if isinstance(last, str):
                since = now - datetime.fromisoformat(last)
                if timedelta(0) <= since < self.min_spacing:
                    return LockedRun(False, f"ran {since.total_seconds():.1f}s ago elsewhere")
            save_state(self.engine, stamp, now.isoformat(), now)
            return LockedRun(True, result=work(now))


def guarded(engine: Engine, job: ScheduledJob) -> ScheduledJob:
    """``job`` with each tick run under its :class:`JobLock`."""
    lock = JobLock(engine, job.name, job.interval * SPACING)

    def run(now: datetime) -> LockedRun:
        return lock.run(job.run, now)

    return ScheduledJob(job.name, job.interval, run)


def guarded_jobs(engine: Engine, jobs: list[ScheduledJob]) -> list[ScheduledJob]:
    """Every job of ``jobs`` guarded by its lock (what ``vigil serve`` schedules)."""
    return [guarded(engine, job) for job in jobs]
