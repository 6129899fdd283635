"""The guards of an action policy, as pure functions of the alert, the history and ``now``.

A policy applies to an alert its matchers match. It may then act only if every guard
passes; :func:`blocked_by` returns the reasons it may not (empty: go ahead):

* severity: the alert's ``severity`` label is at least ``min_severity``;
* sample size: the largest ``sample_size`` among the alert's breaching subjects (from the
  signal details carried on its annotations) is at least ``min_sample_size``;
* confirmation: the alert has been firing for at least ``for``;
* cooldown: no counted action on the model was requested within ``cooldown``;
* daily cap: fewer than ``max_per_day`` counted actions on the model in the last 24 hours.

Idempotency (one action per incident, action and target version) is not a guard here: the
store enforces it with a unique constraint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerting.config.actions import ActionPolicy
from alerting.incidents import SEVERITIES
from alerting.matchers import matches_all, parse_all
from store.alerts import AlertRecord

DAY = timedelta(days=1)


@dataclass(frozen=True)
class History:
    """What the store says about past actions on the alert's model."""

    last_requested: datetime | None
    in_last_day: int


def applies(policy: ActionPolicy, alert: AlertRecord) -> bool:
    """Whether the policy's matchers match the alert and it names a model."""
    return "model" in alert.labels and matches_all(parse_all(policy.matchers), alert.labels)


def sample_size(alert: AlertRecord) -> int | None:
    """The largest ``sample_size`` among the alert's subjects; None when none is given."""
    sizes = [
        s["sample_size"]
        for s in alert.annotations.get("subjects", [])
        if isinstance(s, dict) and isinstance(s.get("sample_size"), int)
    ]
    return max(sizes) if sizes else None


def target_version(alert: AlertRecord) -> str:
    """The model version the action is about: the alert's ``version`` label, or ``current``."""
    return alert.labels.get("version") or "current"


def blocked_by(
    policy: ActionPolicy, alert: AlertRecord, history: History, now: datetime
) -> list[str]:
    """Why the policy may not act on the alert now; empty when every guard passes."""
    reasons = []
    severity = alert.labels.get("severity", "warning")
    rank = SEVERITIES.index(severity) if severity in SEVERITIES else -1
    if rank < SEVERITIES.index(policy.min_severity):
        reasons.append(f"severity {severity} is below {policy.min_severity}")
    size = sample_size(alert)
    if policy.min_sample_size and (size is None or size < policy.min_sample_size):
        reasons.append(f"sample size {size} is below {policy.min_sample_size}")
    if now - alert.starts_at < policy.for_:
        reasons.append(f"firing for less than {policy.for_}")
    if history.last_requested is not None and now - history.last_requested < policy.cooldown:
        reasons.append(f"cooldown: last action at {history.last_requested.isoformat()}")
    if history.in_last_day >= policy.max_per_day:
        reasons.append(f"daily cap of {policy.max_per_day} reached")
    return reasons
