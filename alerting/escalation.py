"""Escalation, the pure part: which step of a policy is due for an incident at ``now``.

A policy's steps run in order, each ``after`` the one before (the first ``after`` the
incident opened), and the whole pass runs ``repeat`` more times, each new pass starting
``repeat_after`` the last step of the one before. So step ``i`` of pass ``k`` (both from 0)
is due at::

    opened_at + k * (offset[last] + repeat_after) + offset[i],   offset[i] = Σ after[0..i]

Only the *latest* due step is paged: if the escalation job was down while two steps came
due, the next tick pages where the escalation stands now, not every level it missed; once
the last pass is over, nothing is paged. Each
step is identified by ``escalation:<pass>:<step>``, the source of its timeline event, so it
is paged once however often the tick runs (:mod:`alerting.escalation_tick`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerting.config.escalation import EscalationPolicy


@dataclass(frozen=True)
class EscalationStepDue:
    """One step of one pass, and when it is due."""

    loop: int
    index: int
    receiver: str
    due_at: datetime

    @property
    def source(self) -> str:
        """The source of this step's timeline event (unique per incident)."""
        return f"escalation:{self.loop}:{self.index}"


def offsets(policy: EscalationPolicy) -> list[timedelta]:
    """When each step is due, from the start of its pass."""
    found: list[timedelta] = []
    total = timedelta(0)
    for step in policy.steps:
        total += step.after
        found.append(total)
    return found


def loop_length(policy: EscalationPolicy) -> timedelta:
    """The time from the start of one pass to the start of the next."""
    return offsets(policy)[-1] + policy.repeat_after


def all_steps(policy: EscalationPolicy, opened_at: datetime) -> list[EscalationStepDue]:
    """Every step of every pass, in the order they come due."""
    starts = offsets(policy)
    length = loop_length(policy)
    return [
        EscalationStepDue(loop, i, step.receiver, opened_at + loop * length + starts[i])
        for loop in range(policy.repeat + 1)
        for i, step in enumerate(policy.steps)
    ]


def current_step(
    policy: EscalationPolicy, opened_at: datetime, now: datetime
) -> EscalationStepDue | None:
    """The step the escalation stands at ``now``: the latest due, until the next is due.

    None before the first step and once the last pass is over (``repeat_after`` after its
    last step), so an incident older than its escalation, found when the policy is first
    configured or after a long outage, is not paged for a step long gone.
    """
    steps = all_steps(policy, opened_at)
    ends = [s.due_at for s in steps[1:]] + [steps[-1].due_at + policy.repeat_after]
    for step, end in zip(steps, ends, strict=True):
        if step.due_at <= now < end:
            return step
    return None


def next_due(policy: EscalationPolicy, opened_at: datetime, now: datetime) -> datetime | None:
    """When the next step after ``now`` is due; None once the last pass is over."""
    later = [s.due_at for s in all_steps(policy, opened_at) if s.due_at > now]
    return later[0] if later else None
