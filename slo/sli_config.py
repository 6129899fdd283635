"""What an SLO counts: the ``sli`` of a ``vigil/slo/v1`` spec.

Three kinds:

- ``availability``: every prediction is an event; it is good when ``error`` is null (a failed
  request is logged with ``error`` set).
- ``latency``: predictions with a ``latency_ms`` are events; one is good when its latency is
  at most ``threshold_ms``. Predictions without a latency are not counted.
- ``quality``: each evaluated window of a detector is an event; it is good when the
  detector's ``metric`` met ``target`` in that window. Windows whose signal is not computable
  are not counted. ``metric`` is either a metric the detector reports (``roc_auc``: each
  signal with that metric is one window) or ``breach_share``: per window, the share of the
  detector's computable signals in breach (for ``drift``, the share of drifted features).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Detectors whose signals a quality SLI may read: the names ``detectors/`` writes in the
#: ``detector`` column of signals. A name outside this list is refused at load.
QUALITY_DETECTORS = (
    "drift",
    "prediction_drift",
    "data_quality",
    "performance",
    "estimated_performance",
    "bias",
)
#: The per-window share of a detector's computable signals that are breaches.
BREACH_SHARE = "breach_share"


class QualityTarget(BaseModel):
    """The bound a detector's value must meet: exactly one of ``at_least`` and ``at_most``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Good when the value is at least this (e.g. ROC AUC at least 0.80).
    at_least: float | None = None
    #: Good when the value is at most this (e.g. a share of drifted features at most 0.3).
    at_most: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> QualityTarget:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least and at_most")
        bound = self.at_least if self.at_least is not None else self.at_most
        if bound is not None and not math.isfinite(bound):
            raise ValueError("the target must be a finite number")
        return self

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the target (a NaN never does)."""
        if self.at_least is not None:
            return value >= self.at_least
        assert self.at_most is not None
        return value <= self.at_most


class SLISpec(BaseModel):
    """What counts as an event, and when one is good (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``availability``, ``latency`` or ``quality``.
    kind: Literal["availability", "latency", "quality"]
    #: Latency only: the slowest good prediction, in milliseconds.
    threshold_ms: float | None = Field(default=None, gt=0)
    #: Quality only: the detector whose signals are read (one of ``QUALITY_DETECTORS``).
    detector: str | None = None
    #: Quality only: the detector's metric, or ``breach_share``.
    metric: str | None = Field(default=None, min_length=1)
    #: Quality only, optional: read only the signals of this subject (a feature, a group).
    subject: str | None = Field(default=None, min_length=1)
    #: Quality only: when a window is good.
    target: QualityTarget | None = None

    @field_validator("detector")
    @classmethod
    def _known_detector(cls, detector: str | None) -> str | None:
        if detector is not None and detector not in QUALITY_DETECTORS:
            known = ", ".join(QUALITY_DETECTORS)
            raise ValueError(f"unknown detector {detector!r}; known detectors: {known}")
        return detector

    @model_validator(mode="after")
    def _fields_of_kind(self) -> SLISpec:
        needed = {"latency": ("threshold_ms",), "quality": ("detector", "metric", "target")}
        optional = {"quality": ("subject",)}
        own = needed.get(self.kind, ())
        for name in ("threshold_ms", "detector", "metric", "subject", "target"):
            given = getattr(self, name) is not None
            if name in own and not given:
                raise ValueError(f"a {self.kind} SLI needs {name}")
            if given and name not in own + optional.get(self.kind, ()):
                raise ValueError(f"{name} does not apply to {self.kind} SLIs")
        return self
