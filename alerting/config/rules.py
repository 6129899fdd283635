"""``alerting.rules[]``: a rule turns the stored signals of one detector into alerts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.durations import Duration

Severity = Literal["info", "warning", "critical"]
#: What makes a signal fire a rule: ``breach`` (its status), or ``no_data`` (see AlertRule).
Trigger = Literal["breach", "no_data"]
_ALERTNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AlertRule(BaseModel):
    """Turns stored signals of one detector into alerts.

    One alert per (rule, model), firing while any subject's latest signal triggers it (the
    annotations list those subjects); it resolves when none does. ``for`` delays firing
    until the trigger has lasted that long. ``fire_on`` says what triggers the rule (the
    key is not ``on``: YAML 1.1, as PyYAML reads it, turns a key ``on`` into ``true``):

    - ``breach`` (the default): the signal's status is ``breach``;
    - ``no_data``: the signal is ``not_computable`` because it saw no data and asks for an
      alert then (``details["state"] == "no_data"`` and ``details["no_data_alert"]`` true:
      the SLO signals do, see ``slo.evaluate``). Other signals never trigger it.

    A rule for SLO signals with ``fire_on: [no_data]`` (e.g. ``SLONoData``) pages for silent
    models apart from the burn-rate rule, with annotations that say "no data".
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    alert: str = Field(description="alert name (the `alertname` label)")
    detector: str = Field(description="detector whose signals this rule watches")
    severity: Severity = "warning"
    for_: Duration = Field(default=timedelta(0), alias="for")
    runbook: str = Field(description="runbook file name in the runbooks folder, without .md")
    summary: str = Field(default="", description="one line; {model}, {subjects} are filled in")
    labels: dict[str, str] = Field(default_factory=dict, description="extra labels")
    fire_on: tuple[Trigger, ...] = Field(
        default=("breach",),
        min_length=1,
        description="what fires the rule: breach (default), no_data, or both",
    )

    @field_validator("alert")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _ALERTNAME.match(name):
            raise ValueError("alert names are letters, digits and '_' and start with a letter")
        return name

    @field_validator("fire_on")
    @classmethod
    def _distinct_triggers(cls, fire_on: tuple[Trigger, ...]) -> tuple[Trigger, ...]:
        if len(set(fire_on)) != len(fire_on):
            raise ValueError("each trigger may be listed once")
        return fire_on
