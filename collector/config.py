"""The ``collector`` section of ``vigil.yaml``: where it listens, who may send, what it accepts."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from collector.profiles.config import ProfilesConfig

Scope = Literal["ingest", "read", "operate", "admin"]
Durability = Literal["spool", "direct"]
WriterPlacement = Literal["thread", "process"]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def hash_key(key: str) -> str:
    """The stored form of an API key: its SHA-256 hex digest."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyConfig(BaseModel):
    """An API key: ``key`` (usually ``${ENV_VAR}``) or its ``key_sha256``; only the hash is kept."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="who holds the key; shown in logs and the audit trail")
    key: SecretStr | None = Field(default=None, description="the key itself, hashed at load")
    key_sha256: str | None = Field(default=None, description="SHA-256 hex digest of the key")
    scopes: tuple[Scope, ...] = Field(default=("ingest",), min_length=1)
    models: tuple[str, ...] | None = Field(
        default=None, description="limit the key to these models (default: all)"
    )

    @model_validator(mode="after")
    def _one_form(self) -> ApiKeyConfig:
        if (self.key is None) == (self.key_sha256 is None):
            raise ValueError("give exactly one of key or key_sha256")
        if self.key is not None and len(self.key.get_secret_value()) < 16:
            raise ValueError("key must be at least 16 characters")
        if self.key_sha256 is not None and not _SHA256.match(self.key_sha256):
            raise ValueError("key_sha256 must be 64 lowercase hex characters")
        return self

    @property
    def digest(self) -> str:
        if self.key_sha256 is not None:
            return self.key_sha256
        assert self.key is not None
        return hash_key(self.key.get_secret_value())


class TracesConfig(BaseModel):
    """How ``POST /v1/traces`` reads the model a span served (``collector.traces``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_attribute: str = Field(
        default="ml.model.name",
        min_length=1,
        description="span (or resource) attribute naming the model a span served",
    )
    version_attribute: str = Field(
        default="ml.model.version",
        min_length=1,
        description="span (or resource) attribute naming the model version",
    )


class CollectorConfig(BaseModel):
    """Ingestion API settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="127.0.0.1", description="address `vigil serve` binds")
    port: int = Field(default=8080, ge=0, le=65535)
    api_keys: tuple[ApiKeyConfig, ...] = Field(
        default=(),
        description="keys accepted in `Authorization: Bearer`; none means no access",
    )
    api_key_cache_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description=(
            "keys created or revoked at run time (`vigil keys`, `/v1/admin/keys`) are re-read "
            "from the store this often: a revoke takes effect everywhere within it"
        ),
    )
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0, description="413 above this")
    max_batch_rows: int = Field(default=10_000, gt=0, description="413 above this many events")
    max_string_length: int = Field(default=1024, gt=0, description="longest accepted string value")
    durability: Durability = Field(
        default="spool",
        description=(
            "when a batch counts as accepted: `spool` answers once it is fsynced to the spool "
            "and a background writer moves it to the store; `direct` commits it to the store "
            "before answering (no spool, and a database outage is a 503)"
        ),
    )
    spool_dir: str = Field(
        default="vigil-spool",
        description="folder of the spool segments; relative paths are relative to vigil.yaml",
    )
    spool_segment_bytes: int = Field(
        default=16 * 1024 * 1024, gt=0, description="a spool segment is rotated past this size"
    )
    max_spool_bytes: int = Field(
        default=1024 * 1024 * 1024,
        gt=0,
        description="undrained spool above this answers 429 with Retry-After (backpressure)",
    )
    retry_after_seconds: int = Field(
        default=5, gt=0, description="the Retry-After of a 429 or 503 answer"
    )
    writer: WriterPlacement = Field(
        default="process",
        description=(
            "where `vigil serve` runs the spool's writer and the profiler: `process` (a child "
            "process, so store writes and profiling do not share the request path's "
            "interpreter lock) or `thread` (in the collector process)"
        ),
    )
    writer_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "how much lower the writer process's CPU priority is than the collector's (a "
            "nice increment, 0-19): during a burst the request path keeps the cores and the "
            "spool absorbs what the writer has not stored yet, as databases lower the "
            "priority of their compaction threads; 0 shares the CPU equally"
        ),
    )
    writer_batch_rows: int = Field(
        default=5000, gt=0, description="the writer stores at most this many rows per batch"
    )
    writer_delay_seconds: float = Field(
        default=0.2,
        ge=0,
        description="the writer waits this long for a batch to fill before storing it",
    )
    writer_retry_max_seconds: float = Field(
        default=30.0,
        gt=0,
        description="longest pause between the writer's retries while the store is down",
    )
    pii_key: SecretStr | None = Field(
        default=None,
        description=(
            "HMAC-SHA256 key for features marked `pii: hash` (usually `${VIGIL_PII_KEY}`); "
            "required when a model has such a feature"
        ),
    )

    traces: TracesConfig = Field(
        default=TracesConfig(), description="OTLP/HTTP trace ingestion (`POST /v1/traces`)"
    )
    profiles: ProfilesConfig = Field(
        default=ProfilesConfig(),
        description="per-minute feature profiles and row reservoirs of stored predictions",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> CollectorConfig:
        names = [k.name for k in self.api_keys]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate api key name(s): {', '.join(duplicates)}")
        return self
