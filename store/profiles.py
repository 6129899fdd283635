"""Storing profiles so that every writer of the same key merges, and reading a window back.

A profile key is (model, version, feature, minute); a reservoir key is (model, window
start). Several collectors (one per model pod) may write the same key at the same time, so
a write is an **upsert-merge**, in one transaction per call, on SQLite and PostgreSQL:

1. ``INSERT ... ON CONFLICT DO NOTHING RETURNING key`` for every key, in key order: the
   keys that went in are done. On PostgreSQL a concurrent insert of the same key makes
   this wait for the other transaction, and then report a conflict;
2. the other keys are read back ``FOR UPDATE`` (PostgreSQL row locks; SQLite already holds
   the database's write lock since step 1), merged in Python with
   :func:`store.profile_records.merge_profiles` (sketches cannot merge in SQL), and
   updated.

Keys are always taken in sorted order, so two writers lock rows in the same order and
cannot deadlock. Merging is associative and commutative, so the stored result does not
depend on which writer came first.

Profiles are at-least-once: if a collector stops after storing a batch's predictions and
its profile but before committing its spool position, the replayed batch's predictions are
skipped as duplicates while its values are profiled again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, Table, bindparam, select, tuple_, update
from sqlalchemy.exc import SQLAlchemyError

from store.bin_edges import edges_id
from store.dml import insert_returning_keys
from store.errors import StoreUnavailable
from store.profile_records import (
    DEFAULT_SETTINGS,
    FeatureProfile,
    Histogram,
    Reservoir,
    SketchSettings,
    merge_all,
    merge_profiles,
    merge_reservoirs,
)
from store.schema import feature_profiles, profile_reservoirs, reference_bins


@dataclass(frozen=True, slots=True, order=True)
class ProfileKey:
    """Which profile: one model version's feature over one minute (its start, UTC)."""

    model: str
    version: str
    feature: str
    minute: datetime


ReservoirKey = tuple[str, datetime]  #: (model, window start)

_PROFILE_KEY = ("model", "version", "feature", "minute")
_RESERVOIR_KEY = ("model", "window_start")
#: Rows per statement: under SQLite's bound-parameter limit for these tables.
_CHUNK = 400


def _profile_row(key: ProfileKey, profile: FeatureProfile, now: datetime) -> dict[str, Any]:
    histogram = profile.histogram
    return {
        "model": key.model,
        "version": key.version,
        "feature": key.feature,
        "minute": key.minute,
        "kind": profile.kind,
        "count": profile.count,
        "nulls": profile.nulls,
        "minimum": profile.minimum,
        "maximum": profile.maximum,
        "mean": profile.mean,
        "m2": profile.m2,
        "kll": profile.kll,
        "categories": None if profile.categories is None else dict(profile.categories),
        "frequent": profile.frequent,
        "histogram": None
        if histogram is None
        else {"edges_id": histogram.edges_id, "counts": list(histogram.counts)},
        "updated_at": now,
    }


def profile_from_row(row: Mapping[str, Any]) -> FeatureProfile:
    """The :class:`FeatureProfile` a ``feature_profiles`` row holds."""
    histogram = row["histogram"]
    return FeatureProfile(
        kind=row["kind"],
        count=int(row["count"]),
        nulls=int(row["nulls"]),
        minimum=row["minimum"],
        maximum=row["maximum"],
        mean=float(row["mean"]),
        m2=float(row["m2"]),
        kll=None if row["kll"] is None else bytes(row["kll"]),
        categories=row["categories"],
        frequent=None if row["frequent"] is None else bytes(row["frequent"]),
        histogram=None
        if histogram is None
        else Histogram(histogram["edges_id"], tuple(int(c) for c in histogram["counts"])),
    )


def _locked_rows(
    conn: Connection, table: Table, keys: list[tuple[Any, ...]], key: Sequence[str]
) -> list[dict[str, Any]]:
    columns = tuple_(*(table.c[name] for name in key))
    ordered = [table.c[name] for name in key]
    stmt = select(table).where(columns.in_(keys)).order_by(*ordered).with_for_update()
    return [dict(row._mapping) for row in conn.execute(stmt)]


def _upsert(
    conn: Connection,
    table: Table,
    rows: dict[tuple[Any, ...], dict[str, Any]],
    key: Sequence[str],
    merged: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
) -> None:
    """Insert new keys, and replace stored ones by ``merged(stored_row, new_row)``."""
    keys = sorted(rows)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        inserted = insert_returning_keys(conn, table, [rows[k] for k in chunk], key)
        existing = [k for k in chunk if k not in inserted]
        if not existing:
            continue
        updates = []
        for stored in _locked_rows(conn, table, existing, key):
            new = rows[tuple(stored[name] for name in key)]
            replaced = merged(stored, new)
            updates.append({f"v_{name}": value for name, value in replaced.items()})
            updates[-1]["_id"] = stored["id"]
        if not updates:  # pragma: no cover - a conflicting row cannot vanish meanwhile
            continue
        # Bound names must differ from the column names of an UPDATE's SET clause.
        names = [name for name in replaced if name != "id"]
        values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in names}
        stmt = update(table).where(table.c.id == bindparam("_id")).values(values)
        conn.execute(stmt, updates)


def upsert_profiles(
    engine: Engine,
    profiles: Mapping[ProfileKey, FeatureProfile],
    now: datetime,
    settings: SketchSettings = DEFAULT_SETTINGS,
) -> int:
    """Store ``profiles``, merging each into the stored profile of its key; returns how many
    keys were written. Raises :class:`StoreUnavailable` when the database is down."""
    if not profiles:
        return 0
    try:
        with engine.begin() as conn:
            return upsert_profiles_in(conn, profiles, now, settings)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store profiles: {type(exc).__name__}") from None


def upsert_profiles_in(
    conn: Connection,
    profiles: Mapping[ProfileKey, FeatureProfile],
    now: datetime,
    settings: SketchSettings = DEFAULT_SETTINGS,
) -> int:
    """:func:`upsert_profiles` in ``conn``'s transaction (the one storing their rows)."""
    rows = {
        (k.model, k.version, k.feature, k.minute): _profile_row(k, p, now)
        for k, p in profiles.items()
    }

    def merged(stored: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        profile = merge_profiles(profile_from_row(stored), profile_from_row(new), settings)
        key = ProfileKey(*(stored[name] for name in _PROFILE_KEY))
        return _profile_row(key, profile, now)

    _upsert(conn, feature_profiles, rows, _PROFILE_KEY, merged)
    return len(rows)


def upsert_reservoirs(
    engine: Engine,
    reservoirs: Mapping[ReservoirKey, Reservoir],
    now: datetime,
    rng: np.random.Generator,
) -> int:
    """Store row reservoirs, merging each with the stored one of its (model, window)."""
    if not reservoirs:
        return 0
    rows = {
        key: {
            "model": key[0],
            "window_start": key[1],
            "capacity": r.capacity,
            "seen": r.seen,
            "rows": [dict(row) for row in r.rows],
            "updated_at": now,
        }
        for key, r in reservoirs.items()
    }

    def merged(stored: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        old = Reservoir(stored["capacity"], stored["seen"], tuple(stored["rows"]))
        fresh = Reservoir(new["capacity"], new["seen"], tuple(new["rows"]))
        both = merge_reservoirs(old, fresh, rng)
        return {**new, "capacity": both.capacity, "seen": both.seen, "rows": list(both.rows)}

    try:
        with engine.begin() as conn:
            _upsert(conn, profile_reservoirs, rows, _RESERVOIR_KEY, merged)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store reservoirs: {type(exc).__name__}") from None
    return len(rows)


# Reading.


def minute_profiles(
    engine: Engine, model: str, start: datetime, end: datetime, version: str | None = None
) -> dict[ProfileKey, FeatureProfile]:
    """Every stored per-minute profile of ``model`` with ``start <= minute < end``."""
    stmt = select(feature_profiles).where(
        feature_profiles.c.model == model,
        feature_profiles.c.minute >= start,
        feature_profiles.c.minute < end,
    )
    if version is not None:
        stmt = stmt.where(feature_profiles.c.version == version)
    with engine.connect() as conn:
        return {
            ProfileKey(row.model, row.version, row.feature, row.minute): profile_from_row(
                cast("Mapping[str, Any]", row._mapping)  # in place, not copied: hot
            )
            for row in conn.execute(stmt.order_by(feature_profiles.c.minute))
        }


def merge_window(
    profiles: Mapping[ProfileKey, FeatureProfile], settings: SketchSettings = DEFAULT_SETTINGS
) -> dict[str, FeatureProfile]:
    """Per feature, the merge of the given minutes (and versions): a window's profile."""
    by_feature: dict[str, list[FeatureProfile]] = {}
    for key in sorted(profiles):
        by_feature.setdefault(key.feature, []).append(profiles[key])
    window: dict[str, FeatureProfile] = {}
    for feature, parts in by_feature.items():
        merged = merge_all(parts, settings)
        if merged is not None:
            window[feature] = merged
    return window


def window_profiles(
    engine: Engine,
    model: str,
    start: datetime,
    end: datetime,
    version: str | None = None,
    settings: SketchSettings = DEFAULT_SETTINGS,
) -> dict[str, FeatureProfile]:
    """Each feature's profile over ``[start, end)``: all minutes, versions (unless one is
    named) and collectors merged."""
    return merge_window(minute_profiles(engine, model, start, end, version), settings)


def window_reservoir(
    engine: Engine, model: str, start: datetime, end: datetime, rng: np.random.Generator
) -> Reservoir | None:
    """The reservoirs of ``model``'s windows starting in ``[start, end)``, merged."""
    stmt = (
        select(profile_reservoirs)
        .where(
            profile_reservoirs.c.model == model,
            profile_reservoirs.c.window_start >= start,
            profile_reservoirs.c.window_start < end,
        )
        .order_by(profile_reservoirs.c.window_start)
    )
    merged: Reservoir | None = None
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            part = Reservoir(row.capacity, row.seen, tuple(row.rows))
            merged = part if merged is None else merge_reservoirs(merged, part, rng)
    return merged


# Reference bin edges.


def write_reference_bins(
    engine: Engine,
    model: str,
    edges: Mapping[str, NDArray[np.float64]],
    source: str,
    now: datetime,
) -> None:
    """Replace the stored bin edges of ``model``'s numeric features (fitted on ``source``)."""
    rows = {
        (model, feature): {
            "model": model,
            "feature": feature,
            "edges": [float(e) for e in values],
            "edges_id": edges_id(values),
            "source": source,
            "fitted_at": now,
        }
        for feature, values in edges.items()
    }
    if not rows:
        return
    try:
        with engine.begin() as conn:
            _upsert(conn, reference_bins, rows, ("model", "feature"), lambda _old, new: new)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store reference bins: {type(exc).__name__}") from None


def read_reference_bins(
    engine: Engine, models: Iterable[str] | None = None
) -> dict[tuple[str, str], NDArray[np.float64]]:
    """The stored bin edges by (model, feature)."""
    stmt = select(reference_bins.c.model, reference_bins.c.feature, reference_bins.c.edges)
    if models is not None:
        stmt = stmt.where(reference_bins.c.model.in_(list(models)))
    with engine.connect() as conn:
        return {
            (row.model, row.feature): np.asarray(row.edges, dtype=np.float64)
            for row in conn.execute(stmt)
        }
