"""A batch of validated prediction rows in, per-(model, version, feature, minute) profiles out.

Rows are grouped by model (each has its own features), then by (version, minute) into
integer group codes; every feature of the model is then profiled for all groups at once
(:mod:`collector.profiles.numeric`, :mod:`collector.profiles.categorical`). Pulling one
feature's values out of the row dicts is the only per-value Python step. Embedding features
are not profiled. Each model's rows are also offered to the reservoir of their window.

Rows are dicts (validated rows) or the store's prepared rows
(:func:`store.predictions.prepare_predictions`, what the spool's writer stores); the
features of prepared rows are read back from their JSON text, all of a model's at once.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from collector.profiles.categorical import grouped_categorical
from collector.profiles.numeric import grouped_numeric
from collector.profiles.reservoir import offer
from store.predictions import FEATURES, MODEL, PREDICTION, REQUEST_ID, SCORE, TS, VERSION
from store.profile_records import FeatureProfile, Reservoir, SketchSettings
from store.profiles import ProfileKey, ReservoirKey
from store.specs import FeatureSpec, ModelSpec

#: Reference bin edges by (model, feature), as :func:`store.profiles.read_reference_bins`.
Edges = Mapping[tuple[str, str], NDArray[np.float64]]
_RESERVOIR_FIELDS = ("request_id", "version", "features", "prediction", "score")


@dataclass
class BatchProfiles:
    """The profiles and reservoirs of one batch, ready for :mod:`store.profiles`."""

    profiles: dict[ProfileKey, FeatureProfile] = field(default_factory=dict)
    reservoirs: dict[ReservoirKey, Reservoir] = field(default_factory=dict)


def _label(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _groups(
    versions: Sequence[str], minutes: NDArray[np.int64]
) -> tuple[NDArray[np.intp], list[tuple[str, int]]]:
    """Group codes of (version, minute) pairs and the pair of each code."""
    if versions.count(versions[0]) == len(versions):  # one version: the usual batch
        names, codes = [versions[0]], np.zeros(len(versions), dtype=np.int64)
    else:
        distinct, inverse = np.unique(np.asarray(versions, dtype=np.str_), return_inverse=True)
        names, codes = distinct.tolist(), inverse.astype(np.int64)
    low = int(minutes.min())
    span = int(minutes.max()) - low + 1
    keys, groups = np.unique(codes * span + (minutes - low), return_inverse=True)
    pairs = [(names[int(k) // span], int(k) % span + low) for k in keys.tolist()]
    return groups.astype(np.intp), pairs


def _numeric_columns(
    names: Sequence[str], features: Sequence[Mapping[str, Any]]
) -> NDArray[np.float64] | None:
    """All numeric features as one (features, rows) array when every row carries every one
    of them as a number (the common case: one tuple per row, read by ``fromiter``, instead
    of a lookup per value); None otherwise (a null, or an absent feature)."""
    if len(names) < 2:
        return None
    getter = operator.itemgetter(*names)
    try:
        flat = np.fromiter(
            itertools.chain.from_iterable(map(getter, features)),
            dtype=np.float64,
            count=len(features) * len(names),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return np.ascontiguousarray(flat.reshape(len(features), len(names)).T)


def _feature_profiles(
    feature: FeatureSpec,
    features: Sequence[Mapping[str, Any]],
    column: NDArray[np.float64] | None,
    groups: NDArray[np.intp],
    n_groups: int,
    settings: SketchSettings,
    edges: NDArray[np.float64] | None,
) -> list[FeatureProfile] | None:
    name = feature.name
    if feature.type == "numeric":
        if column is None:
            column = np.array([f.get(name) for f in features], dtype=np.float64)
        return grouped_numeric(column, groups, n_groups, settings, edges)
    if feature.type in ("categorical", "boolean", "text"):
        labels = [_label(f.get(name)) for f in features]
        return grouped_categorical(labels, groups, n_groups, settings)
    return None


def reservoir_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a reservoir keeps of a prediction row (JSON-ready)."""
    kept = {name: row.get(name) for name in _RESERVOIR_FIELDS}
    kept["ts"] = row["ts"].isoformat()
    return kept


def prepared_reservoir_row(row: Sequence[Any]) -> dict[str, Any]:
    """:func:`reservoir_row` of a prepared row: the same dict the row's dict gives."""
    prediction = row[PREDICTION]
    return {
        "request_id": row[REQUEST_ID],
        "version": row[VERSION],
        "features": orjson.loads(row[FEATURES]),
        "prediction": None if prediction is None else orjson.loads(prediction),
        "score": row[SCORE],
        "ts": datetime.fromisoformat(row[TS]).replace(tzinfo=UTC).isoformat(),
    }


@dataclass(frozen=True)
class _ModelRows:
    """One model's rows of a batch, as the profiling steps read them."""

    rows: Sequence[Any]
    versions: list[str]
    seconds: NDArray[np.int64]
    features: list[Mapping[str, Any]]
    keep: Callable[[Any], Mapping[str, Any]]


def _from_dicts(rows: Sequence[Mapping[str, Any]]) -> _ModelRows:
    return _ModelRows(
        rows,
        [r["version"] for r in rows],
        np.floor([r["ts"].timestamp() for r in rows]).astype(np.int64),
        [r["features"] for r in rows],
        reservoir_row,
    )


def _epoch_seconds(times: Sequence[str]) -> NDArray[np.int64]:
    """Whole seconds since the epoch of prepared rows' UTC time texts.

    A batch spans a few seconds, so each distinct ``YYYY-MM-DD HH:MM:SS`` is parsed once
    (numpy's own parsing of every text cost more than the rest of the profile).
    """
    parsed: dict[str, int] = {}
    out = []
    for text in times:
        second = text[:19]
        value = parsed.get(second)
        if value is None:
            value = parsed[second] = int(
                datetime.fromisoformat(second).replace(tzinfo=UTC).timestamp()
            )
        out.append(value)
    return np.array(out, dtype=np.int64)


def _from_prepared(rows: Sequence[Sequence[Any]]) -> _ModelRows:
    features = orjson.loads(b"[" + ",".join([r[FEATURES] for r in rows]).encode() + b"]")
    return _ModelRows(
        rows,
        [r[VERSION] for r in rows],
        _epoch_seconds([r[TS] for r in rows]),
        features,
        prepared_reservoir_row,
    )


def _by_model(rows: Sequence[Any]) -> dict[str, _ModelRows]:
    """The batch's rows grouped by model, dicts and prepared rows alike."""
    prepared = not isinstance(rows[0], Mapping)
    model_of: Callable[[Any], str] = operator.itemgetter(MODEL if prepared else "model")
    names = [model_of(row) for row in rows]
    groups: dict[str, list[Any]] = {}
    if names.count(names[0]) == len(names):  # a batch of one model: no regrouping
        groups[names[0]] = list(rows)
    else:
        for row, name in zip(rows, names, strict=True):
            groups.setdefault(name, []).append(row)
    build = _from_prepared if prepared else _from_dicts
    return {name: build(members) for name, members in groups.items()}


def offer_to_reservoirs(
    reservoirs: dict[ReservoirKey, Reservoir],
    model: str,
    rows: Sequence[Any],
    seconds: NDArray[np.int64],
    window: timedelta,
    capacity: int,
    rng: np.random.Generator,
    keep: Callable[[Any], Mapping[str, Any]] = reservoir_row,
) -> None:
    """Offer each row to the reservoir of its (model, window), created empty if needed;
    ``keep`` turns a row that enters a sample into what the sample keeps."""
    width = int(window.total_seconds())
    windows = seconds // width
    for start in np.unique(windows).tolist():
        members = np.flatnonzero(windows == start).tolist()
        key = (model, datetime.fromtimestamp(start * width, tz=UTC))
        current = reservoirs.get(key, Reservoir(capacity, 0, ()))
        reservoirs[key] = offer(current, [rows[i] for i in members], rng, keep)


def profile_batch(
    rows: Sequence[Any],
    models: Mapping[str, ModelSpec],
    edges: Edges,
    settings: SketchSettings,
    rng: np.random.Generator,
    reservoir_size: int = 0,
    reservoir_window: timedelta = timedelta(hours=1),
    reservoirs: dict[ReservoirKey, Reservoir] | None = None,
) -> BatchProfiles:
    """Profiles of validated prediction rows (dicts or prepared rows), and their rows
    offered to ``reservoirs`` (the batch's own, in ``BatchProfiles.reservoirs``, unless the
    caller keeps them across batches). Rows of models not in ``models`` are skipped (the
    validator refused them).
    """
    if not rows:
        return BatchProfiles()
    out = BatchProfiles()
    if reservoirs is None:
        reservoirs = out.reservoirs
    for model, members in _by_model(rows).items():
        spec = models.get(model)
        if spec is None:
            continue
        seconds = members.seconds
        minutes = seconds // 60
        groups, pairs = _groups(members.versions, minutes)
        features = members.features
        numeric = [f.name for f in spec.features if f.type == "numeric"]
        matrix = _numeric_columns(numeric, features)
        for feature in spec.features:
            column = None
            if matrix is not None and feature.type == "numeric":
                column = matrix[numeric.index(feature.name)]
            built = _feature_profiles(
                feature,
                features,
                column,
                groups,
                len(pairs),
                settings,
                edges.get((model, feature.name)),
            )
            for (version, minute), profile in zip(pairs, built or (), strict=False):
                start = datetime.fromtimestamp(minute * 60, tz=UTC)
                out.profiles[ProfileKey(model, version, feature.name, start)] = profile
        if reservoirs is not None and reservoir_size > 0:
            offer_to_reservoirs(
                reservoirs,
                model,
                members.rows,
                seconds,
                reservoir_window,
                reservoir_size,
                rng,
                members.keep,
            )
    return out
