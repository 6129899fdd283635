"""The ``storage`` section of ``vigil.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class StorageConfig(BaseModel):
    """Where Vigil keeps its state.

    ``url`` is any SQLAlchemy URL. The default is an SQLite file in the working directory;
    production deployments use ``postgresql+psycopg://user@host/db``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(default="sqlite:///vigil.db", description="SQLAlchemy database URL")
    echo: bool = Field(default=False, description="log every SQL statement (debugging only)")

    @field_validator("url")
    @classmethod
    def _known_dialect(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("storage.url must be an sqlite:// or postgresql:// URL")
        return url
