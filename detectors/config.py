"""The ``detectors`` section of ``vigil.yaml``."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from store.durations import Duration


class DriftConfig(BaseModel):
    """Per-feature data drift of the last window against the model's reference dataset.

    Numeric features use the Wasserstein distance normalised by the reference's standard
    deviation (as Evidently does); categorical and boolean features use the Jensen-Shannon
    distance with natural logarithms, as Evidently does, so it lies in [0, sqrt(ln 2)]
    (about [0, 0.833]). A feature drifts when its distance reaches the threshold.
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
        description="fewer rows: not computable (distances are noisy on small samples)",
    )


class DetectorsConfig(BaseModel):
    """All detectors; each has its own subsection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drift: DriftConfig = DriftConfig()
