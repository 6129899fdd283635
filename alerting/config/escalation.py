"""``alerting.escalation_policies``: who is paged next while nobody acknowledges.

.. code-block:: yaml

    escalation_policies:
      - name: credit-oncall
        steps:
          - receiver: primary        # paged when the incident opens (after: 0s)
          - receiver: secondary
            after: 15m               # ... if still unacknowledged 15 minutes after the step before
          - receiver: head-of-ml
            after: 30m
        repeat: 2                    # run the steps 2 more times after the first pass (3 in all)
        repeat_after: 15m            # wait after the last step before the first one again
    route:
      receiver: primary
      routes:
        - matchers: ['model="credit-risk"']
          escalation: {policy: credit-oncall}

``after`` is counted from the step before (the first step's from the incident's opening), as
PagerDuty's escalation delays are; ``repeat`` is PagerDuty's ``num_loops``. A route without
``escalation`` inherits its parent's. Acknowledging (or mitigating, resolving) the incident
stops the escalation. Unknown receivers and policies are reported by :func:`escalation_problems`
with their YAML path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.durations import Duration


class EscalationStep(BaseModel):
    """Notify ``receiver`` ``after`` the step before (or the opening) if still unacknowledged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    receiver: str = Field(min_length=1)
    after: Duration = timedelta(0)

    @field_validator("after")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("must not be negative")
        return value


class EscalationPolicy(BaseModel):
    """Named steps, run in order, ``repeat`` more times after the first pass."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    steps: tuple[EscalationStep, ...] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=100)
    repeat_after: Duration = timedelta(minutes=15)

    @field_validator("repeat_after")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be greater than zero")
        return value


class RouteEscalation(BaseModel):
    """A route's ``escalation``: the name of a policy under ``escalation_policies``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: str = Field(min_length=1)


def escalation_problems(
    policies: tuple[EscalationPolicy, ...],
    route_escalations: Iterable[tuple[RouteEscalation, str]],
    receivers: set[str],
    prefix: str = "alerting",
) -> Iterator[tuple[str, str]]:
    """(YAML path, reason) for duplicate policies, unknown receivers and unknown policies.

    ``route_escalations`` are the routes' ``escalation`` values with the YAML path of each.
    """
    base = f"{prefix}." if prefix else ""
    names = [p.name for p in policies]
    for i, policy in enumerate(policies):
        path = f"{base}escalation_policies[{i}]"
        if policy.name in names[:i]:
            yield f"{path}.name", f"duplicate escalation policy {policy.name!r}"
        for j, step in enumerate(policy.steps):
            if step.receiver not in receivers:
                yield f"{path}.steps[{j}].receiver", f"unknown receiver {step.receiver!r}"
    for escalation, path in route_escalations:
        if escalation.policy not in names:
            yield (
                f"{path}.escalation.policy",
                f"unknown escalation policy {escalation.policy!r}",
            )
