"""The ``detectors.multivariate`` and ``detectors.embedding_drift`` sections of ``vigil.yaml``.

Example::

    detectors:
      multivariate:
        enabled: true
        method: domain_classifier   # domain_classifier | pca_reconstruction | mmd
        threshold: 0.55             # default: the method's (0.55 AUC, 1.1 ratio, 0.05 p)
        interval: 1h                # how often the job runs (its schedule)
        window: 1h
        sample_size: 5000           # rows drawn from each side
        models:                     # per-model overrides; unknown models fail at load
          credit-risk: {method: pca_reconstruction, threshold: 1.2}
          legacy-scorer: {enabled: false}
      embedding_drift:
        method: model               # model (domain classifier, Evidently's) | distance
        distance: euclidean         # distance between mean embeddings: euclidean | cosine
        features:
          ticket_text_embedding: {method: distance, distance: cosine, threshold: 0.1}
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detectors.multivariate import MULTIVARIATE_METHODS
from detectors.multivariate.mmd import INSTALL_HINT, alibi_installed
from store.durations import Duration

Classifier = Literal["gradient_boosting", "logistic"]
EmbeddingMethod = Literal["model", "distance"]
Distance = Literal["euclidean", "cosine"]


def _check_method(method: str | None, threshold: float | None) -> None:
    if method is not None and method not in MULTIVARIATE_METHODS:
        raise ValueError(
            f"unknown multivariate method {method!r}; known: {', '.join(MULTIVARIATE_METHODS)}"
        )
    meta = MULTIVARIATE_METHODS[method or "domain_classifier"]
    if meta.extra == "alibi" and not alibi_installed():
        raise ValueError(f"method {meta.name} needs the optional `alibi` extra: {INSTALL_HINT}")
    low, high = meta.bounds
    if threshold is not None and not low < threshold < high:
        raise ValueError(
            f"threshold {threshold} of method {meta.name} must lie strictly between {low} "
            f"and {high}"
        )


class MultivariateOverride(BaseModel):
    """One model's multivariate settings; unset fields take the section's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool | None = None
    method: str | None = None
    threshold: float | None = None
    sample_size: int | None = Field(default=None, ge=100, le=1_000_000)
    classifier: Classifier | None = None

    @model_validator(mode="after")
    def _valid(self) -> MultivariateOverride:
        _check_method(self.method, self.threshold)
        return self


class MultivariateSettings(BaseModel):
    """The settings one model runs with (the section's, overridden by its entry)."""

    model_config = ConfigDict(frozen=True)

    enabled: bool
    method: str
    threshold: float
    sample_size: int
    classifier: Classifier


class MultivariateConfig(BaseModel):
    """Multivariate drift of each model's window against its reference rows.

    Off by default: it trains a classifier (or fits a PCA) per model and run. ``threshold``
    applies to the method's value (see :mod:`detectors.multivariate`); without it the
    method's default is used (0.55 AUC: see :mod:`detectors.multivariate.domain_classifier`
    for why). ``interval`` is the job's schedule.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    method: str = "domain_classifier"
    threshold: float | None = None
    interval: Duration = Field(default=timedelta(hours=1), description="how often the job runs")
    window: Duration = Field(default=timedelta(hours=1), description="how much recent traffic")
    sample_size: int = Field(
        default=5000, ge=100, le=1_000_000, description="rows drawn from each side"
    )
    min_rows: int = Field(
        default=200, ge=50, description="fewer rows in the window: not computable"
    )
    classifier: Classifier = "gradient_boosting"
    top_features: int = Field(default=5, ge=1, le=100)
    models: dict[str, MultivariateOverride] = Field(
        default_factory=dict, description="per-model overrides, by model name"
    )

    @model_validator(mode="after")
    def _valid(self) -> MultivariateConfig:
        _check_method(self.method, self.threshold)
        return self

    def for_model(self, model: str) -> MultivariateSettings:
        """The settings of one model."""
        own = self.models.get(model, MultivariateOverride())
        method = own.method or self.method
        default = MULTIVARIATE_METHODS[method].default_threshold
        threshold = own.threshold
        if threshold is None and own.method in (None, self.method):
            threshold = self.threshold
        return MultivariateSettings(
            enabled=self.enabled if own.enabled is None else own.enabled,
            method=method,
            threshold=default if threshold is None else threshold,
            sample_size=own.sample_size or self.sample_size,
            classifier=own.classifier or self.classifier,
        )


class EmbeddingFeature(BaseModel):
    """One embedding feature's method, distance and threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: EmbeddingMethod | None = None
    distance: Distance | None = None
    threshold: float | None = Field(default=None, gt=0)


class EmbeddingDriftConfig(BaseModel):
    """Drift of ``embedding`` features, as Evidently computes it.

    ``model`` (default): a logistic classifier (SGD) trained on half of the reference and
    current vectors tells them apart on the other half; drifted when its ROC AUC exceeds
    ``threshold`` (default 0.55). ``distance``: the distance between the mean reference and
    the mean current vector (``euclidean`` or ``cosine``); drifted above ``threshold``
    (default 0.2). Both as Evidently's ``model()`` and ``distance()`` methods.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    interval: Duration = Field(default=timedelta(minutes=15), description="how often it runs")
    window: Duration = Field(default=timedelta(hours=1), description="how much recent traffic")
    method: EmbeddingMethod = "model"
    distance: Distance = "euclidean"
    threshold: float | None = Field(default=None, gt=0, description="default: the method's")
    sample_size: int = Field(default=5000, ge=100, le=1_000_000, description="vectors per side")
    min_rows: int = Field(default=100, ge=10, description="fewer vectors: not computable")
    pca_components: int | None = Field(
        default=None, ge=1, description="reduce vectors to this many components first"
    )
    features: dict[str, EmbeddingFeature] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _auc_thresholds(self) -> EmbeddingDriftConfig:
        for name in (None, *self.features):
            method, _, threshold = self.for_feature(name)
            if method == "model" and not 0.5 <= threshold < 1:
                where = "threshold" if name is None else f"features.{name}.threshold"
                raise ValueError(f"{where}: the model method's ROC AUC threshold is in [0.5, 1)")
        return self

    def for_feature(self, name: str | None) -> tuple[EmbeddingMethod, Distance, float]:
        """A feature's method, distance and threshold (``None``: the section's own)."""
        own = self.features.get(name, EmbeddingFeature()) if name else EmbeddingFeature()
        method = own.method or self.method
        distance = own.distance or self.distance
        threshold = own.threshold
        if threshold is None and own.method in (None, self.method):
            threshold = self.threshold
        if threshold is None:
            threshold = 0.55 if method == "model" else 0.2
        return method, distance, threshold
