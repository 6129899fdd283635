"""The ``slos`` section of ``vigil.yaml``: service level objectives over a model's predictions."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slo.errors import UnsupportedPeriod
from slo.windows import windows_for
from store.durations import Duration


class SLISpec(BaseModel):
    """What counts as a good event.

    - ``availability``: every prediction counts; it is good when ``error`` is null
      (a failed request is logged with ``error`` set).
    - ``latency``: predictions with a ``latency_ms`` count; one is good when its latency is
      at most ``threshold_ms``. Predictions without a latency are not counted.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["availability", "latency"]
    threshold_ms: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _threshold_for_latency(self) -> SLISpec:
        if self.kind == "latency" and self.threshold_ms is None:
            raise ValueError("a latency SLI needs threshold_ms")
        if self.kind != "latency" and self.threshold_ms is not None:
            raise ValueError("threshold_ms applies only to latency SLIs")
        return self


class SLOSpec(BaseModel):
    """One objective: ``objective`` of events good over a rolling ``window``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal["vigil/slo/v1"] = "vigil/slo/v1"
    name: str
    model: str = Field(description="the model whose predictions are measured")
    sli: SLISpec
    objective: float = Field(gt=0, lt=100, description="percent of good events, e.g. 99.5")
    window: Duration = Field(
        default=timedelta(days=28),
        description="rolling compliance period; one that has alert windows (7d, 28d, 30d)",
    )

    @field_validator("window")
    @classmethod
    def _has_alert_windows(cls, window: timedelta) -> timedelta:
        """Burn-rate factors depend on the period, so a period without windows fails early."""
        try:
            windows_for(window)
        except UnsupportedPeriod as exc:
            raise ValueError(str(exc)) from None
        return window

    @property
    def error_budget(self) -> float:
        """The allowed fraction of bad events, e.g. 0.005 for 99.5%."""
        return 1 - self.objective / 100
