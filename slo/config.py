"""The ``slos`` section of ``vigil.yaml``: service level objectives over a model's predictions."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from store.durations import Duration


class SLISpec(BaseModel):
    """What counts as a good event.

    - ``availability``: a prediction is good when it carries a prediction or score
      (the model answered); errors are logged with ``error`` set.
    - ``latency``: a prediction is good when ``latency_ms`` is at most ``threshold_ms``.
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
    window: Duration = Field(default=timedelta(days=28), description="rolling compliance period")

    @property
    def error_budget(self) -> float:
        """The allowed fraction of bad events, e.g. 0.005 for 99.5%."""
        return 1 - self.objective / 100
