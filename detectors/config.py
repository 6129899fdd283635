"""The ``detectors`` section of ``vigil.yaml``.

Example (every field optional)::

    detectors:
      drift:
        interval: 5m            # how often the job runs
        window: 1h              # how much recent traffic each run compares
        numeric_threshold: 0.1  # normed Wasserstein distance (large references)
        categorical_threshold: 0.1  # Jensen-Shannon distance (large references)
        min_sample_size: 1000   # fewer current values: distances are not computable
        alpha: 0.05             # false discovery rate across a model's features
        persistence: {k: 2, m: 3}   # breach when k of the last m windows drifted
        methods:                # per-feature method and/or threshold
          income: {method: psi, threshold: 0.2}
          age: {threshold: 0.15}
      quality:
        interval: 5m
        window: 1h
      performance:             # see detectors.performance_config for these three
        metrics: {roc_auc: {min: 0.75}}
      estimated_performance:
        label_column: default
      fairness:
        min_group_size: 50
      labels: {grace_period: 7d}  # labels waiting for their prediction (performance_config)
      prediction_drift:        # the model's score and predicted class against the reference's
        score_column: score
        prediction_column: prediction
        methods: {__score__: {method: ks}}
      multivariate: {enabled: true, method: domain_classifier}  # see detectors.multivariate.config
      embedding_drift: {method: model}                          # see detectors.multivariate.config
      pipelines:               # see detectors.quality_pipeline_config
        pipelines: [{name: credit-features-daily, models: [credit-risk], every: 1d}]
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detectors.methods import METHODS
from detectors.multivariate.config import EmbeddingDriftConfig, MultivariateConfig
from detectors.performance_config import (
    EstimatedPerformanceConfig,
    FairnessConfig,
    LabelsConfig,
    PerformanceConfig,
)
from detectors.quality_pipeline_config import PipelinesConfig
from store.durations import Duration


class FeatureMethod(BaseModel):
    """A feature's drift method and threshold, overriding the automatic choice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str | None = Field(
        default=None, description="a method name (see detectors.methods); default: automatic"
    )
    threshold: float | None = Field(
        default=None, gt=0, description="on the method's effect size; default: the method's"
    )

    @field_validator("method")
    @classmethod
    def _known(cls, method: str | None) -> str | None:
        if method is not None and method not in METHODS:
            raise ValueError(f"unknown drift method {method!r}; known: {', '.join(METHODS)}")
        return method


class Persistence(BaseModel):
    """A feature breaches only when its drift test fired in ``k`` of the last ``m`` windows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    k: int = Field(default=2, ge=1, description="windows that must have drifted")
    m: int = Field(
        default=3, ge=1, le=100, description="windows looked at, the current one included"
    )

    @model_validator(mode="after")
    def _k_at_most_m(self) -> Persistence:
        if self.k > self.m:
            raise ValueError(f"persistence k ({self.k}) cannot exceed m ({self.m})")
        return self


class DriftConfig(BaseModel):
    """Per-feature data drift of the last window against the model's reference dataset.

    Each feature gets a method automatically, as Evidently chooses (see
    :mod:`detectors.methods.choice`), unless ``methods`` names one. A feature's window
    drifts when the method's effect size reaches its threshold **and**, for methods with a
    p-value, the Benjamini-Hochberg-adjusted p-value across the model's features is below
    ``alpha``. It breaches when that happened in ``persistence.k`` of the last
    ``persistence.m`` windows (see :mod:`detectors.decision`).

    Thresholds: ``methods.<feature>.threshold`` if set; else ``numeric_threshold`` for the
    normed Wasserstein distance and ``categorical_threshold`` for the Jensen-Shannon
    distance (natural log, in [0, 0.833]), the two defaults for large references; else the
    method's own default.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(minutes=5), description="how often the job runs")
    window: Duration = Field(default=timedelta(hours=1), description="how much recent traffic")
    numeric_threshold: float = Field(default=0.1, gt=0, description="normed Wasserstein distance")
    categorical_threshold: float = Field(default=0.1, gt=0, le=1, description="JS distance")
    min_sample_size: int = Field(
        default=1000,
        ge=1,
        description="fewer current values: distances are not computable (noisy on small "
        "samples); tests with a p-value account for the sample size and need only 2",
    )
    alpha: float = Field(
        default=0.05, gt=0, lt=1, description="false discovery rate (Benjamini-Hochberg)"
    )
    persistence: Persistence = Persistence()
    methods: dict[str, FeatureMethod] = Field(
        default_factory=dict, description="per-feature method and threshold overrides"
    )
    source: Literal["raw", "profiles"] = Field(
        default="raw",
        description="`raw`: test the window's stored rows; `profiles`: the collector's merged "
        "per-minute profiles (cost by minutes, not rows; error bounds in the README)",
    )

    def override(self, feature: str) -> FeatureMethod:
        """The configured method and threshold of a feature (both None when not set)."""
        return self.methods.get(feature, FeatureMethod())


class QualityConfig(BaseModel):
    """Data quality of the last window: what the collector accepted but a model should not see.

    Each check breaches when its value exceeds its threshold (see :mod:`detectors.quality`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(minutes=5), description="how often the job runs")
    window: Duration = Field(default=timedelta(hours=1), description="how much recent traffic")
    missing_rate_increase: float = Field(
        default=0.05, ge=0, le=1, description="missing share above the reference's"
    )
    out_of_range_share: float = Field(
        default=0.01, ge=0, le=1, description="share of values outside the reference min..max"
    )
    unseen_category_share: float = Field(
        default=0.01, ge=0, le=1, description="share of values in categories the reference lacks"
    )
    duplicate_share: float = Field(
        default=0.0, ge=0, le=1, description="share of rows repeating an earlier request id"
    )
    baseline_windows: int = Field(
        default=24, ge=1, le=1000, description="trailing windows the volume is compared with"
    )
    baseline_spacing: Duration | None = Field(
        default=None,
        description="time between baseline windows; default: the window length (contiguous). "
        "1d with 7 baseline windows compares with the same hour over the last week",
    )
    volume_drop_ratio: float = Field(
        default=0.5, gt=0, lt=1, description="breach below this share of the baseline median"
    )
    volume_spike_ratio: float = Field(
        default=2.0, gt=1, description="breach above this multiple of the baseline median"
    )
    max_silence: Duration = Field(
        default=timedelta(minutes=15), description="breach when no event arrived for this long"
    )


#: The subjects of prediction drift: the score column and the predicted class.
SCORE_SUBJECT = "__score__"
PREDICTION_SUBJECT = "__prediction__"


class PredictionDriftConfig(DriftConfig):
    """Prediction drift: the window's scores and predictions against the reference's.

    The same tests, thresholds, false discovery rate and persistence as feature drift
    (:class:`DriftConfig`), on two subjects: ``__score__`` (the ``score`` of each prediction
    against the reference's ``score_column``; numeric methods) and ``__prediction__`` (the
    logged prediction against ``prediction_column``; categorical methods for classifiers,
    numeric ones for regression models). ``methods`` overrides them by those names. Its
    signals have detector ``prediction_drift``, so an alert rule targets it with
    ``detector: prediction_drift``.
    """

    score_column: str = Field(default="score", min_length=1, description="reference column")
    prediction_column: str = Field(
        default="prediction", min_length=1, description="reference column"
    )

    @field_validator("methods")
    @classmethod
    def _subjects(cls, methods: dict[str, FeatureMethod]) -> dict[str, FeatureMethod]:
        for name in methods:
            if name not in (SCORE_SUBJECT, PREDICTION_SUBJECT):
                raise ValueError(
                    f"unknown subject {name!r}; prediction drift has {SCORE_SUBJECT} and "
                    f"{PREDICTION_SUBJECT}"
                )
        return methods


class DetectorsConfig(BaseModel):
    """All detectors; each has its own subsection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drift: DriftConfig = DriftConfig()
    quality: QualityConfig = QualityConfig()
    performance: PerformanceConfig = PerformanceConfig()
    estimated_performance: EstimatedPerformanceConfig = EstimatedPerformanceConfig()
    fairness: FairnessConfig = FairnessConfig()
    labels: LabelsConfig = LabelsConfig()
    prediction_drift: PredictionDriftConfig = PredictionDriftConfig()
    multivariate: MultivariateConfig = MultivariateConfig()
    embedding_drift: EmbeddingDriftConfig = EmbeddingDriftConfig()
    pipelines: PipelinesConfig = PipelinesConfig()
