"""The guard decisions behind a replay's actions, including the actions that were held back.

The actions job stores the actions whose guards all passed; a backtest also wants to know
which were held back and why ("would have rolled back, but the sample was too small").
Before each actions tick, :class:`GuardLog` asks the same guard functions the tick uses
(:func:`alerting.action_guards.applies` and :func:`~alerting.action_guards.blocked_by`)
about the same candidates (the firing alerts of open incidents), and records each
(incident, alert, policy)'s decision when it first appears or changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from alerting.action_evidence import history_for
from alerting.action_guards import applies, blocked_by
from alerting.config.actions import ActionsConfig
from store.incident_inputs import alert_id_of, alerts_by_id
from store.incidents import open_incidents, sources
from store.scheduling import ScheduledJob


class GuardLog:
    """Records guard decisions before each run of the wrapped actions job."""

    def __init__(self, engine: Engine, config: ActionsConfig) -> None:
        self._engine = engine
        self._config = config
        self._last: dict[tuple[int, int, str], tuple[str, ...]] = {}
        self.decisions: list[dict[str, Any]] = []

    def wrap(self, job: ScheduledJob) -> ScheduledJob:
        """The same job, preceded by a look at what its guards will decide."""

        def run(now: datetime) -> object:
            if self._config.policies:
                self.observe(now)
            return job.run(now)

        return ScheduledJob(job.name, job.interval, run)

    def observe(self, now: datetime) -> None:
        current = open_incidents(self._engine)
        recorded = sources(self._engine, (i.id for i in current))
        for incident in current:
            ids = [a for a in (alert_id_of(s) for s in recorded[incident.id]) if a is not None]
            firing = [a for a in alerts_by_id(self._engine, ids).values() if a.status == "firing"]
            for alert in sorted(firing, key=lambda a: a.id):
                for policy in (p for p in self._config.policies if applies(p, alert)):
                    model = alert.labels["model"]
                    history = history_for(self._engine, policy, alert, now)
                    reasons = tuple(blocked_by(policy, alert, history, now))
                    key = (incident.id, alert.id, policy.name)
                    if self._last.get(key) == reasons:
                        continue
                    self._last[key] = reasons
                    self.decisions.append(
                        {
                            "at": now.isoformat(),
                            "incident_id": incident.id,
                            "alertname": alert.alertname,
                            "model": model,
                            "policy": policy.name,
                            "action": policy.action,
                            "mode": policy.mode,
                            "decision": "blocked" if reasons else "allowed",
                            "reasons": list(reasons),
                        }
                    )
