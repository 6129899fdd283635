"""``alerting.rules[]``: a rule turns the stored signals of one detector into alerts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.durations import Duration

Severity = Literal["info", "warning", "critical"]
_ALERTNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AlertRule(BaseModel):
    """Turns stored signals of one detector into alerts.

    One alert per (rule, model), firing while any subject's latest signal has status
    ``breach`` (the annotations list those subjects); it resolves when none does. ``for``
    delays firing until the breach has lasted that long.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    alert: str = Field(description="alert name (the `alertname` label)")
    detector: str = Field(description="detector whose signals this rule watches")
    severity: Severity = "warning"
    for_: Duration = Field(default=timedelta(0), alias="for")
    runbook: str = Field(description="runbook file name in the runbooks folder, without .md")
    summary: str = Field(default="", description="one line; {model}, {subjects} are filled in")
    labels: dict[str, str] = Field(default_factory=dict, description="extra labels")

    @field_validator("alert")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _ALERTNAME.match(name):
            raise ValueError("alert names are letters, digits and '_' and start with a letter")
        return name
