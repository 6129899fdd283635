"""API keys created at run time: stored as SHA-256 digests, revoked but never deleted.

Keys from ``vigil.yaml`` need a restart to change; keys in this table do not: the collector
re-reads the live ones every few seconds (:class:`collector.auth.StoredKeys`). Rotation is
create the new key, deploy it, revoke the old one; both work in between. The secret itself
never reaches this module, only its digest. Every create and revoke appends an audit entry
in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, Row, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from store.audit import AuditEntry, insert_audit
from store.errors import StoreError, StoreUnavailable
from store.schema import api_keys


class ApiKeyConflict(StoreError):
    """A key with this name (or, improbably, this digest) exists already."""


class ApiKeyNotFound(StoreError):
    """No key has this name or id."""


@dataclass(frozen=True)
class ApiKeyRecord:
    """One stored key, without its secret."""

    id: int
    name: str
    key_sha256: str
    scopes: tuple[str, ...]
    models: tuple[str, ...] | None
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked`` at ``now``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def as_json(self, now: datetime) -> dict[str, object]:
        """The key as the admin API shows it: everything but the digest."""
        return {
            "id": self.id,
            "name": self.name,
            "scopes": list(self.scopes),
            "models": list(self.models) if self.models is not None else None,
            "state": self.state(now),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


def _record(row: Row) -> ApiKeyRecord:  # type: ignore[type-arg]
    m = row._mapping
    return ApiKeyRecord(
        id=int(m["id"]),
        name=m["name"],
        key_sha256=m["key_sha256"],
        scopes=tuple(m["scopes"]),
        models=tuple(m["models"]) if m["models"] is not None else None,
        created_at=m["created_at"],
        created_by=m["created_by"],
        expires_at=m["expires_at"],
        revoked_at=m["revoked_at"],
        revoked_by=m["revoked_by"],
    )


def insert_api_key(
    engine: Engine,
    *,
    name: str,
    key_sha256: str,
    scopes: Sequence[str],
    models: Sequence[str] | None,
    expires_at: datetime | None,
    created_by: str,
    now: datetime,
    reason: str = "",
) -> ApiKeyRecord:
    """Store a new key's digest and audit it; raise ApiKeyConflict if the name is taken."""
    values = {
        "name": name,
        "key_sha256": key_sha256,
        "scopes": list(scopes),
        "models": list(models) if models is not None else None,
        "created_at": now,
        "created_by": created_by[:200],
        "expires_at": expires_at,
    }
    try:
        with engine.begin() as conn:
            key_id = conn.execute(
                api_keys.insert().values(**values).returning(api_keys.c.id)
            ).scalar_one()
            insert_audit(
                conn,
                AuditEntry(
                    at=now,
                    actor=created_by,
                    action="api_key.create",
                    target=f"api_key:{name}",
                    reason=reason,
                    data={
                        "id": int(key_id),
                        "scopes": list(scopes),
                        "models": values["models"],
                        "expires_at": expires_at.isoformat() if expires_at else None,
                    },
                ),
            )
    except IntegrityError:
        raise ApiKeyConflict(f"an API key named {name!r} exists already") from None
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot store the API key: {type(exc).__name__}") from None
    return ApiKeyRecord(
        id=int(key_id),
        name=name,
        key_sha256=key_sha256,
        scopes=tuple(scopes),
        models=tuple(models) if models is not None else None,
        created_at=now,
        created_by=created_by[:200],
        expires_at=expires_at,
        revoked_at=None,
        revoked_by=None,
    )


def _lookup(name_or_id: str) -> ColumnElement[bool]:
    if name_or_id.isdigit():
        return or_(api_keys.c.name == name_or_id, api_keys.c.id == int(name_or_id))
    return api_keys.c.name == name_or_id


def revoke_api_key(
    engine: Engine, name_or_id: str, *, revoked_by: str, now: datetime, reason: str = ""
) -> ApiKeyRecord:
    """Revoke a key (by name, or by id) and audit it; revoking a revoked key changes nothing."""
    try:
        with engine.begin() as conn:
            row = conn.execute(
                select(api_keys).where(_lookup(name_or_id)).with_for_update()
            ).first()
            if row is None:
                raise ApiKeyNotFound(f"no API key named or numbered {name_or_id!r}")
            record = _record(row)
            if record.revoked_at is not None:
                return record
            conn.execute(
                update(api_keys)
                .where(api_keys.c.id == record.id)
                .values(revoked_at=now, revoked_by=revoked_by[:200])
            )
            insert_audit(
                conn,
                AuditEntry(
                    at=now,
                    actor=revoked_by,
                    action="api_key.revoke",
                    target=f"api_key:{record.name}",
                    reason=reason,
                    data={"id": record.id},
                ),
            )
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot revoke the API key: {type(exc).__name__}") from None
    return ApiKeyRecord(**{**record.__dict__, "revoked_at": now, "revoked_by": revoked_by[:200]})


def list_api_keys(engine: Engine) -> list[ApiKeyRecord]:
    """Every stored key, revoked ones included, oldest first."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot read the API keys: {type(exc).__name__}") from None
    return [_record(r) for r in rows]


def unrevoked_api_keys(engine: Engine) -> list[ApiKeyRecord]:
    """The keys not revoked (expired ones included: the caller compares with its ``now``)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(api_keys).where(api_keys.c.revoked_at.is_(None))).all()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot read the API keys: {type(exc).__name__}") from None
    return [_record(r) for r in rows]
