"""What an SLO counts: the ``sli`` of a ``vigil/slo/v1`` spec.

Four kinds:

- ``availability``: every prediction is an event; it is good when ``error`` is null (a failed
  request is logged with ``error`` set). With ``source: spans``, every span of ``service``
  (and ``operation``, if given) that started in the window is an event; it is good when its
  status is ``ok``.
- ``latency``: predictions with a ``latency_ms`` are events; one is good when its latency is
  at most ``threshold_ms``. Predictions without a latency are not counted. With
  ``source: spans``, every span is an event; it is good when its status is ``ok`` and it
  lasted at most ``threshold_ms`` (a failed fast span is not a good one).
- ``quality``: each evaluated window of a detector is an event; it is good when the
  detector's ``metric`` met ``target`` in that window. Windows whose signal is not computable
  are not counted. ``metric`` is either a metric the detector reports (``roc_auc``: each
  signal with that metric is one window) or ``breach_share``: per window, the share of the
  detector's computable signals in breach (for ``drift``, the share of drifted features).
- ``freshness``: each minute since ``pipeline`` first reported a run is an event; it is good
  when the newest output of the pipeline's successful runs known at that minute is at most
  ``max_age`` old (see :mod:`slo.freshness`).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from store.durations import Duration

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
#: Fields each kind needs, and those it may have besides (``source`` aside).
_NEEDED = {
    "latency": ("threshold_ms",),
    "quality": ("detector", "metric", "target"),
    "freshness": ("pipeline", "max_age"),
}
_OPTIONAL = {"quality": ("subject",)}
_KIND_FIELDS = ("threshold_ms", "detector", "metric", "subject", "target", "pipeline", "max_age")
_SPAN_FIELDS = ("service", "operation")


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

    #: ``availability``, ``latency``, ``quality`` or ``freshness``.
    kind: Literal["availability", "latency", "quality", "freshness"]
    #: Availability and latency only: where events are read, the model's ``predictions``
    #: (default) or the ``spans`` its service sends over OTLP.
    source: Literal["predictions", "spans"] = "predictions"
    #: Latency only: the slowest good prediction (or span), in milliseconds.
    threshold_ms: float | None = Field(default=None, gt=0)
    #: Quality only: the detector whose signals are read (one of ``QUALITY_DETECTORS``).
    detector: str | None = None
    #: Quality only: the detector's metric, or ``breach_share``.
    metric: str | None = Field(default=None, min_length=1)
    #: Quality only, optional: read only the signals of this subject (a feature, a group).
    subject: str | None = Field(default=None, min_length=1)
    #: Quality only: when a window is good.
    target: QualityTarget | None = None
    #: Spans only: the ``service.name`` whose spans are counted.
    service: str | None = Field(default=None, min_length=1)
    #: Spans only, optional: count only the spans of this operation (span name).
    operation: str | None = Field(default=None, min_length=1)
    #: Freshness only: the pipeline whose runs are read (its name in ``pipeline_runs``).
    pipeline: str | None = Field(default=None, min_length=1)
    #: Freshness only: the oldest the pipeline's newest output may be, e.g. ``26h``.
    max_age: Duration | None = None

    @field_validator("detector")
    @classmethod
    def _known_detector(cls, detector: str | None) -> str | None:
        if detector is not None and detector not in QUALITY_DETECTORS:
            known = ", ".join(QUALITY_DETECTORS)
            raise ValueError(f"unknown detector {detector!r}; known detectors: {known}")
        return detector

    @field_validator("max_age")
    @classmethod
    def _positive_age(cls, max_age: timedelta | None) -> timedelta | None:
        if max_age is not None and max_age <= timedelta(0):
            raise ValueError("max_age must be positive")
        return max_age

    @model_validator(mode="after")
    def _fields_of_kind(self) -> SLISpec:
        own, optional = _NEEDED.get(self.kind, ()), _OPTIONAL.get(self.kind, ())
        if self.source == "spans":
            if self.kind not in ("availability", "latency"):
                raise ValueError(f"source spans does not apply to {self.kind} SLIs")
            own, optional = (*own, "service"), (*optional, "operation")
        for name in (*_KIND_FIELDS, *_SPAN_FIELDS):
            given = getattr(self, name) is not None
            if name in own and not given:
                article = "an" if self.kind[0] in "aeiou" else "a"
                of_spans = " of spans" if name in _SPAN_FIELDS else ""
                raise ValueError(f"{article} {self.kind} SLI{of_spans} needs {name}")
            if given and name in _SPAN_FIELDS and self.source != "spans":
                raise ValueError(f"{name} applies only to SLIs with source spans")
            if given and name not in own + optional:
                raise ValueError(f"{name} does not apply to {self.kind} SLIs")
        return self
