"""``alerting.incidents``: how often incidents are reconciled with the alerts.

.. code-block:: yaml

    incidents:
      interval: 15s             # how often the incidents tick runs
      notification_lookback: 1d # notifications finished this long ago still reach timelines
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.durations import Duration


class IncidentsConfig(BaseModel):
    """Settings of the ``alerting.incidents`` job."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    interval: Duration = Field(default=timedelta(seconds=15), description="tick period")
    notification_lookback: Duration = Field(
        default=timedelta(days=1), description="how far back finished notifications are read"
    )

    @field_validator("interval", "notification_lookback")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be greater than zero")
        return value
