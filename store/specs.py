"""What Vigil knows about a model: the ``models`` section of ``vigil.yaml``.

The model spec lives in the bottom layer because every feature reads it: the collector
validates events against its features, detectors compare them with its reference, alerting
labels alerts with its team. Features never import each other, so the shared record is here.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FeatureType = Literal["numeric", "categorical", "boolean", "text", "embedding"]
PiiHandling = Literal["hash", "drop"]
TaskType = Literal["binary_classification", "multiclass_classification", "regression", "ranking"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}$")


class FeatureSpec(BaseModel):
    """One input feature of a model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="feature name as it appears in `features` of an event")
    type: FeatureType = Field(description="how values are validated and which drift test applies")
    required: bool = Field(default=False, description="reject events where the feature is absent")
    pii: PiiHandling | None = Field(
        default=None,
        description=(
            "personal data: `hash` keeps an HMAC-SHA256 of the value (keyed by "
            "`collector.pii_key`), `drop` removes it; either way before the spool"
        ),
    )


class ReferenceSpec(BaseModel):
    """The dataset recent traffic is compared with (usually the training or validation set).

    Either a file (``path``) or a SQL query on any SQLAlchemy URL (``query`` and ``url``; see
    :mod:`detectors.reference_sql` for the URLs of PostgreSQL, DuckDB, Snowflake and
    Redshift). With a query, ``path`` is empty.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = Field(
        default="", description="CSV or Parquet file; relative paths are relative to vigil.yaml"
    )
    query: str | None = Field(default=None, description="SELECT returning a column per feature")
    url: str | None = Field(default=None, description="SQLAlchemy URL the query runs on")

    @field_validator("path")
    @classmethod
    def _known_format(cls, path: str) -> str:
        if path and not path.lower().endswith((".csv", ".parquet", ".pq")):
            raise ValueError("reference.path must be a .csv or .parquet file")
        return path

    @model_validator(mode="after")
    def _one_source(self) -> ReferenceSpec:
        if self.path and (self.query is not None or self.url is not None):
            raise ValueError("give either reference.path or reference.query with .url, not both")
        if not self.path and (self.query is None or self.url is None):
            raise ValueError("reference needs a path, or a query and a url")
        if self.query is not None and not self.query.strip():
            raise ValueError("reference.query is empty")
        return self

    @property
    def is_sql(self) -> bool:
        """Whether the reference is read with a SQL query rather than from a file."""
        return self.query is not None


class ModelSpec(BaseModel):
    """A monitored model."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="unique model name, used in events and alert labels")
    task: TaskType = Field(default="binary_classification")
    team: str | None = Field(default=None, description="owning team, added to alert labels")
    features: tuple[FeatureSpec, ...] = Field(min_length=1)
    reference: ReferenceSpec | None = None
    protected: tuple[str, ...] = Field(
        default=(),
        description="protected attributes the fairness detector compares groups of: names "
        "of features or of segment keys (e.g. sex, age_band)",
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(
                "model name must start with a letter or digit and contain only "
                "letters, digits, '_', '.', '-' (at most 200 characters)"
            )
        return name

    @model_validator(mode="after")
    def _unique_features(self) -> ModelSpec:
        seen: set[str] = set()
        for feature in self.features:
            if feature.name in seen:
                raise ValueError(f"feature {feature.name!r} is declared twice")
            seen.add(feature.name)
        return self

    def feature(self, name: str) -> FeatureSpec | None:
        for feature in self.features:
            if feature.name == name:
                return feature
        return None
