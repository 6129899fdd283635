"""The performance sections of ``detectors`` in ``vigil.yaml``: ``performance`` (realized,
with labels), ``estimated_performance`` (CBPE, without labels) and ``fairness`` (groups of
protected attributes). :class:`detectors.config.DetectorsConfig` composes them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detectors.fairness import FAIRNESS_METRICS
from detectors.metrics import METRICS, resolve
from store.durations import Duration


class MetricBound(BaseModel):
    """When a realized metric breaches: below ``min`` or above ``max`` (either optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: float | None = Field(default=None, description="breach when the value is below")
    max: float | None = Field(default=None, description="breach when the value is above")

    @model_validator(mode="after")
    def _ordered(self) -> MetricBound:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) cannot exceed max ({self.max})")
        return self


class PerformanceConfig(BaseModel):
    """Realized performance: metrics of each window's predictions that have a label.

    Windows are by prediction time and labels arrive late, so every run re-evaluates the
    last ``reevaluate`` windows and replaces their signals when they changed. Example::

        performance:
          interval: 1h
          window: 1d
          reevaluate: 14          # labels arriving up to two weeks late still count
          min_labels: 200
          metrics:                # default: a set per task (detectors.metrics.DEFAULT_METRICS)
            roc_auc: {min: 0.75}
            brier: {max: 0.2}
            accuracy: {}          # computed, never breaches
          segments: [region]      # segment keys broken down; default: every key seen

    A ``task: ranking`` model (prediction: the ranked list of actions, label: the action
    taken) takes ``ndcg@<k>``, ``mrr`` and ``hit_rate@<k>``, the cut-off in the name::

          metrics: {ndcg@5: {min: 0.4}, mrr: {}, hit_rate@3: {min: 0.6}}
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(hours=1), description="how often the job runs")
    window: Duration = Field(default=timedelta(hours=1), description="predictions per window")
    reevaluate: int = Field(
        default=24,
        ge=1,
        le=1000,
        description="recent windows re-evaluated each run, the "
        "latest included: how late a label can arrive and still count",
    )
    min_labels: int = Field(
        default=100, ge=1, description="fewer labelled predictions: not computable"
    )
    metrics: dict[str, MetricBound] = Field(
        default_factory=dict, description="metrics computed, with optional bounds"
    )
    segments: tuple[str, ...] | None = Field(
        default=None, description="segment keys broken down; None: every key in the window"
    )
    variants: bool = Field(default=True, description="also break down by experiment variant")
    max_groups: int = Field(
        default=20, ge=0, description="most groups per segment key (the largest are kept)"
    )
    confidence: float = Field(default=0.95, gt=0, lt=1, description="confidence level")
    bootstrap_resamples: int = Field(
        default=200, ge=0, le=10_000, description="resamples for bootstrap intervals; 0: none"
    )
    seed: int = Field(default=0, description="seeds the bootstrap, per window")
    positive_label: str | int | bool = Field(
        default=1, description="binary classification: the label value of the positive class"
    )
    decision_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="predicted positive when no prediction is logged and the score reaches this",
    )

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, metrics: dict[str, MetricBound]) -> dict[str, MetricBound]:
        for name in metrics:
            if resolve(name) is None:
                known = ", ".join([*METRICS, "ndcg@<k>", "mrr", "hit_rate@<k>"])
                raise ValueError(f"unknown metric {name!r}; known: {known}")
        return metrics


class EstimatedPerformanceConfig(BaseModel):
    """Performance estimated without labels: CBPE for binary classification models, direct
    loss estimation (DLE) for regression models.

    The model's reference file must hold its score and the label (binary), or its features,
    prediction and label (regression). Example::

        estimated_performance:
          interval: 1h
          window: 1h
          score_column: score
          label_column: default
          metrics: {roc_auc: {min: 0.75}, f1: {}}
          regression_metrics: {mae: {}, rmse: {max: 12.5}}   # regression models (DLE)
          prediction_column: prediction                     # regression reference column
          reference_band: worse   # f1 breaches below the reference band (no bounds given)

    A metric without ``min``/``max`` breaches against the band of its realized value on the
    reference's chunks (:mod:`detectors.estimated_performance`), as NannyML does.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(hours=1), description="how often the job runs")
    window: Duration = Field(default=timedelta(hours=1), description="predictions per window")
    score_column: str = Field(default="score", description="reference column of the scores")
    label_column: str = Field(default="label", description="reference column of the labels")
    positive_label: str | int | bool = Field(default=1, description="the positive class")
    decision_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="predicted positive at or above this score, in "
        "the reference and where a window's prediction is not logged",
    )
    metrics: dict[str, MetricBound] = Field(
        default_factory=lambda: {
            name: MetricBound() for name in ("accuracy", "precision", "recall", "f1", "roc_auc")
        },
        description="estimated metrics (accuracy, precision, recall, f1, roc_auc) and bounds",
    )
    min_predictions: int = Field(default=100, ge=1, description="fewer: not computable")
    chunk: int = Field(
        default=500, ge=10, description="reference chunk size for the sampling error"
    )
    band_sigmas: float = Field(
        default=3.0, gt=0, description="half-width of the sampling band, in sampling errors"
    )
    regression_metrics: dict[str, MetricBound] = Field(
        default_factory=lambda: {name: MetricBound() for name in ("mae", "rmse")},
        description="regression models (direct loss estimation): mae, rmse, and bounds",
    )
    prediction_column: str = Field(
        default="prediction", description="regression: reference column of the predictions"
    )
    reference_band: Literal["worse", "both", "off"] = Field(
        default="worse",
        description="metrics without bounds breach on their worse side (worse: below for "
        "accuracy-like metrics, above for errors), on either side (both) of the reference "
        "chunks' band, or never (off)",
    )

    @field_validator("regression_metrics")
    @classmethod
    def _loss_estimable(cls, metrics: dict[str, MetricBound]) -> dict[str, MetricBound]:
        for name in metrics:
            if name not in ("mae", "rmse"):
                raise ValueError(f"metric {name!r} cannot be estimated by DLE; known: mae, rmse")
        return metrics

    @field_validator("metrics")
    @classmethod
    def _estimable(cls, metrics: dict[str, MetricBound]) -> dict[str, MetricBound]:
        known = ("accuracy", "precision", "recall", "f1", "roc_auc")
        for name in metrics:
            if name not in known:
                raise ValueError(f"metric {name!r} cannot be estimated; known: {', '.join(known)}")
        return metrics


def _default_fairness_bounds() -> dict[str, MetricBound]:
    return {
        name: MetricBound(min=m.default_min, max=m.default_max)
        for name, m in FAIRNESS_METRICS.items()
    }


class FairnessConfig(BaseModel):
    """Bias across the groups of each model's protected attributes (``models[].protected``).

    Labels are needed (TPR, FPR, precision), so each run re-evaluates the last
    ``reevaluate`` windows, as the performance job does. Example::

        fairness:
          interval: 1h
          window: 1d
          min_group_size: 50
          intersections: true         # also sex&age_band
          metrics:
            demographic_parity_ratio: {min: 0.8}
            equalized_odds_difference: {max: 0.15}
          confidence: 0.95            # intervals: per group (Wilson), per metric (bootstrap)
          bootstrap_resamples: 200

    The metric breaches on its value; the interval, in the signal's details, says how sure
    that value is (a wide one on small groups calls for more data before acting).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(hours=1), description="how often the job runs")
    window: Duration = Field(default=timedelta(days=1), description="predictions per window")
    reevaluate: int = Field(default=7, ge=1, le=1000, description="recent windows re-evaluated")
    min_group_size: int = Field(
        default=30, ge=1, description="smaller groups are left out of the comparison"
    )
    intersections: bool = Field(
        default=False, description="also compare the groups of every pair of attributes"
    )
    metrics: dict[str, MetricBound] = Field(
        default_factory=_default_fairness_bounds,
        description="fairness metrics computed, with bounds (default: all, usual bounds)",
    )
    positive_label: str | int | bool = Field(default=1, description="the positive class")
    decision_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="predicted positive at or above this score when no prediction is logged",
    )
    confidence: float = Field(default=0.95, gt=0, lt=1, description="confidence level")
    bootstrap_resamples: int = Field(
        default=200, ge=0, le=10_000, description="stratified bootstrap resamples; 0: none"
    )
    seed: int = Field(default=0, description="seeds the bootstrap, per window")

    @field_validator("metrics")
    @classmethod
    def _known_fairness_metrics(cls, metrics: dict[str, MetricBound]) -> dict[str, MetricBound]:
        for name in metrics:
            if name not in FAIRNESS_METRICS:
                known = ", ".join(FAIRNESS_METRICS)
                raise ValueError(f"unknown fairness metric {name!r}; known: {known}")
        return metrics


class LabelsConfig(BaseModel):
    """Labels whose prediction has not arrived: counted, waited for, then orphaned.

    A label may arrive before its prediction; it is joined as soon as the prediction is
    stored. Each run counts the labels still without a prediction (signal ``labels/unmatched``
    and the ``vigil_labels_unmatched`` gauge) and moves those older than ``grace_period`` to
    the orphaned labels (signal ``labels/orphaned``, counter ``vigil_labels_orphaned_total``).
    Example::

        labels:
          interval: 1h
          grace_period: 7d      # how long a label waits for its prediction
          max_orphaned: 100     # breach when a run orphans more than this (default: never)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(hours=1), description="how often the job runs")
    grace_period: Duration = Field(
        default=timedelta(days=7), description="how long a label waits for its prediction"
    )
    max_orphaned: int | None = Field(
        default=None, ge=0, description="breach when one run orphans more labels than this"
    )

    @field_validator("grace_period")
    @classmethod
    def _positive(cls, grace: timedelta) -> timedelta:
        if grace <= timedelta(0):
            raise ValueError("must be longer than zero")
        return grace
