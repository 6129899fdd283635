"""Run scheduled jobs against a simulated clock, as APScheduler would against the real one.

Used by ``vigil replay``, ``vigil demo`` and the end-to-end tests: the same
:class:`~store.scheduling.ScheduledJob` values ``vigil serve`` hands to APScheduler, run
with a ``now`` that the caller advances.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from store.scheduling import ScheduledJob


class SimulatedScheduler:
    """Runs each job whenever at least its interval has passed since its last run.

    ``seconds`` accumulates the (real) time each job took, by job name, so a replay can say
    where its time went; it is never part of any output that must be reproducible.
    """

    def __init__(self, jobs: Sequence[ScheduledJob]) -> None:
        self._jobs = list(jobs)
        self._last_run: dict[str, datetime] = {}
        self.seconds: dict[str, float] = defaultdict(float)

    @property
    def job_names(self) -> list[str]:
        return [job.name for job in self._jobs]

    def due(self, now: datetime) -> list[str]:
        """The jobs :meth:`advance_to` would run at ``now``, in order, without running them."""
        return [job.name for job in self._jobs if self._is_due(job, now)]

    def _is_due(self, job: ScheduledJob, now: datetime) -> bool:
        last = self._last_run.get(job.name)
        return last is None or now - last >= job.interval

    def advance_to(self, now: datetime) -> list[str]:
        """Run every job that is due at ``now``, in registration order; return their names."""
        ran = []
        for job in self._jobs:
            if self._is_due(job, now):
                started = time.perf_counter()
                job.run(now)
                self.seconds[job.name] += time.perf_counter() - started
                self._last_run[job.name] = now
                ran.append(job.name)
        return ran
