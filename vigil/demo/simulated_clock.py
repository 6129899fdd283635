"""Run scheduled jobs against a simulated clock, as APScheduler would against the real one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from store.scheduling import ScheduledJob


class SimulatedScheduler:
    """Runs each job whenever at least its interval has passed since its last run."""

    def __init__(self, jobs: Sequence[ScheduledJob]) -> None:
        self._jobs = list(jobs)
        self._last_run: dict[str, datetime] = {}

    def advance_to(self, now: datetime) -> list[str]:
        """Run every job that is due at ``now``, in registration order; return their names."""
        ran = []
        for job in self._jobs:
            last = self._last_run.get(job.name)
            if last is None or now - last >= job.interval:
                job.run(now)
                self._last_run[job.name] = now
                ran.append(job.name)
        return ran
