"""Creating and revoking run-time API keys: the one path behind ``vigil keys`` and the API.

The CLI and ``/v1/admin/keys`` both call :func:`create_key` and :func:`revoke_key`, so a
key one accepts the other accepts, and both audit alike. The secret is generated here,
returned once, and only its SHA-256 digest is stored.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Engine

from collector.auth import new_secret
from collector.config import Scope, hash_key
from store.api_keys import ApiKeyRecord, insert_api_key, revoke_api_key
from store.durations import Duration

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")


class KeyRequestError(ValueError):
    """A key request names an unknown model, or a name that ``vigil.yaml`` owns."""


class KeyRequest(BaseModel):
    """What a new key is for. ``expires_in`` is a duration such as ``30d``; none: never."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="who holds the key")
    scopes: tuple[Scope, ...] = Field(min_length=1)
    models: tuple[str, ...] | None = Field(default=None, description="limit to these models")
    expires_in: Duration | None = None
    reason: str = Field(default="", max_length=2000, description="why, for the audit log")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not _NAME.match(value) or value.isdigit():
            raise ValueError("use letters, digits and . _ : @ - (not only digits: ids are numbers)")
        return value

    @field_validator("expires_in")
    @classmethod
    def _positive(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("expires_in must be positive")
        return value


@dataclass(frozen=True)
class CreatedKey:
    """A stored key and its secret, which exists nowhere else: show it once."""

    record: ApiKeyRecord
    secret: str


def create_key(
    engine: Engine,
    request: KeyRequest,
    *,
    actor: str,
    now: datetime,
    known_models: Collection[str],
    config_names: Collection[str],
) -> CreatedKey:
    """Generate, store (as a digest) and audit a key; raise KeyRequestError or ApiKeyConflict."""
    if request.name in config_names:
        raise KeyRequestError(f"key name {request.name!r} is taken by collector.api_keys")
    unknown = sorted(set(request.models or ()) - set(known_models))
    if unknown:
        raise KeyRequestError(f"unknown model(s): {', '.join(unknown)}")
    secret = new_secret()
    record = insert_api_key(
        engine,
        name=request.name,
        key_sha256=hash_key(secret),
        scopes=request.scopes,
        models=request.models,
        expires_at=now + request.expires_in if request.expires_in is not None else None,
        created_by=actor,
        now=now,
        reason=request.reason,
    )
    return CreatedKey(record, secret)


def revoke_key(
    engine: Engine,
    name_or_id: str,
    *,
    actor: str,
    now: datetime,
    config_names: Collection[str],
    reason: str = "",
) -> ApiKeyRecord:
    """Revoke a stored key and audit it; raise KeyRequestError for a key of ``vigil.yaml``."""
    if name_or_id in config_names:
        raise KeyRequestError(
            f"key {name_or_id!r} is defined in collector.api_keys; remove it there and restart"
        )
    return revoke_api_key(engine, name_or_id, revoked_by=actor, now=now, reason=reason)
