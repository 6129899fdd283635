"""The ``dashboards`` section of ``vigil.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DashboardsConfig(BaseModel):
    """Where `vigil dashboard` serves the Streamlit app."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="127.0.0.1")
    port: int = Field(default=8501, ge=0, le=65535)
    title: str = Field(default="Vigil — model health")
