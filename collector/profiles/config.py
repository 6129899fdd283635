"""The ``collector.profiles`` section of ``vigil.yaml``: sketch sizes and the reservoir."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.durations import Duration
from store.profile_records import SketchSettings


class ProfilesConfig(BaseModel):
    """What the writer keeps of each stored batch besides the rows themselves."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = Field(default=True, description="profile every stored batch of predictions")
    kll_k: int = Field(
        default=200,
        ge=8,
        le=65535,
        description="KLL sketch size: 200 gives a 1.33% rank error (99% confidence)",
    )
    category_cap: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="distinct values counted exactly per feature and minute; past it, a "
        "frequent-items sketch",
    )
    frequent_lg_max_k: int = Field(
        default=11,
        ge=3,
        le=20,
        description="log2 of the frequent-items sketch's map size (tracks 0.75 * 2**n items)",
    )
    reservoir_size: int = Field(
        default=1000, ge=0, le=100_000, description="raw rows sampled per model and window; 0: none"
    )
    reservoir_window: Duration = Field(
        default=timedelta(hours=1), description="the window each reservoir samples"
    )
    seed: int = Field(default=0, description="seed of the reservoir sampling")

    @field_validator("reservoir_window")
    @classmethod
    def _whole_minutes(cls, window: timedelta) -> timedelta:
        seconds = window.total_seconds()
        if seconds < 60 or seconds % 60:
            raise ValueError("must be a whole number of minutes")
        return window

    @property
    def sketches(self) -> SketchSettings:
        return SketchSettings(self.kll_k, self.category_cap, self.frequent_lg_max_k)
