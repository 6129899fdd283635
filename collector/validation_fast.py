"""The fast path of prediction validation: plainly valid events, checked in a few steps.

Most events a model service sends have one shape: plain strings, an RFC 3339 UTC time, the
model's numeric features as floats. :class:`FastPath` checks that shape with C-level
operations (a key-set inclusion, the set of value types, one ``sum`` for finiteness)
instead of a call per field. It answers only "valid, and here is the row" or "not sure";
on "not sure" (or a :class:`~collector.validation.Reject` from the rarer fields) the
per-field path of :mod:`collector.validation` decides, so every error still comes from
that one path, and the row returned here is exactly the row it would return
(``tests/collector/test_ingest_validation.py`` checks both with hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from collector.validation import (
    COLUMN_WIDTHS,
    Limits,
    segment_field,
    string_field,
    trace_id_field,
)
from store.dml import sqlite_time, store_json
from store.specs import ModelSpec

_FLOATS = frozenset({float})
_NUMBERS = frozenset({float, int})
_INT_AS_FLOAT = 2**53  # a smaller int converts to float exactly
_PLAIN_PREDICTIONS = (str, int, bool)


#: The keys of an event of the common shape; any other key may be one of the rarer fields.
_COMMON_KEYS = frozenset(
    ("model", "version", "request_id", "timestamp", "features", "prediction", "score", "latency_ms")
)
_NONE: dict[str, Any] = {}
#: ``store_json(None)``: a JSON column given None holds JSON null, not SQL NULL.
_NULL = "null"


#: The checked common fields of a plainly valid event: model, version, request_id, the
#: timestamp's text and its datetime, features, prediction, score, latency_ms (a plain
#: tuple: building a NamedTuple per event cost 4% of the collector's time).
_Plain = tuple[str, str, str, str, datetime, dict[str, Any], Any, "float | None", "float | None"]


def _time_text(stamp: str, ts: datetime) -> str:
    """:func:`store.dml.sqlite_time` of ``ts``, parsed from ``stamp``: sliced out of the
    text when it is in one of the common UTC forms (``...T08:00:00.123Z``,
    ``...T08:00:00.123456Z`` or ``...+00:00``), which gives the same characters."""
    size = len(stamp)
    if (
        stamp[4:5] == "-"  # YYYY-MM-DD: not a week date (2026-W10-1) of the same length
        and stamp[7:8] == "-"
        and stamp[10:11] == "T"
        and stamp[13:14] == ":"
        and stamp[16:17] == ":"
        and stamp[19:20] == "."
        and stamp[11:13] != "24"
    ):
        if size == 24 and stamp[23] == "Z":
            return f"{stamp[:10]} {stamp[11:23]}000"
        if (size == 27 and stamp[26] == "Z") or (size == 32 and stamp[26:] == "+00:00"):
            return f"{stamp[:10]} {stamp[11:26]}"
    return sqlite_time(ts)


@dataclass(frozen=True)
class _Plan:
    """What the fast path needs to know of one model."""

    spec: ModelSpec
    numeric: frozenset[str]
    required: frozenset[str]

    @classmethod
    def of(cls, spec: ModelSpec) -> _Plan:
        return cls(
            spec,
            frozenset(f.name for f in spec.features if f.type == "numeric"),
            frozenset(f.name for f in spec.features if f.required),
        )


def _fast_number(value: Any) -> float | bool | None:
    """The stored value of an optional number, or False when the slow path must decide."""
    if value is None:
        return None
    if type(value) is float:
        return value if math.isfinite(value) else False
    if type(value) is int and -_INT_AS_FLOAT < value < _INT_AS_FLOAT:
        return float(value)
    return False


def _fast_features(raw: Any, plan: _Plan, limits: Limits) -> dict[str, Any] | None:
    """All-numeric features given as finite numbers, or None to leave it to the slow path."""
    if (
        type(raw) is not dict
        or len(raw) > limits.max_features
        or not raw.keys() <= plan.numeric
        or not plan.required <= raw.keys()
    ):
        return None
    kinds = set(map(type, raw.values()))
    if kinds <= _FLOATS:
        values = raw
    elif kinds <= _NUMBERS:
        try:
            values = {k: float(v) for k, v in raw.items()}
        except OverflowError:
            return None
    else:
        return None
    # A NaN or infinity anywhere makes the sum non-finite (so does an overflowing sum of
    # finite values, which the slow path then accepts).
    return values if math.isfinite(sum(values.values())) else None


class FastPath:
    """The fast path for one batch: the column widths worked out once, a plan per model."""

    def __init__(
        self, models: Mapping[str, ModelSpec], received_at: datetime, limits: Limits
    ) -> None:
        self._models = models
        self._plans: dict[str, _Plan] = {}
        self._received_at = received_at
        self._limits = limits
        longest = limits.max_string_length
        self._model_width = min(longest, COLUMN_WIDTHS["model"])
        self._version_width = min(longest, COLUMN_WIDTHS["version"])
        self._request_id_width = min(longest, COLUMN_WIDTHS["request_id"])
        self._received_text = sqlite_time(received_at)

    def _plan(self, name: str) -> _Plan | None:
        plan = self._plans.get(name)
        if plan is None:
            spec = self._models.get(name)
            if spec is None:
                return None
            plan = self._plans[name] = _Plan.of(spec)
        return plan

    def _plain(self, event: Any) -> _Plain | None:
        """The checked common fields of a plainly valid event, or None ("not sure")."""
        if type(event) is not dict:
            return None
        get = event.get
        name, version, request_id = get("model"), get("version"), get("request_id")
        if not (
            type(name) is str
            and type(version) is str
            and type(request_id) is str
            and 0 < len(name) <= self._model_width
            and 0 < len(version) <= self._version_width
            and 0 < len(request_id) <= self._request_id_width
            and "\x00" not in name
            and "\x00" not in version
            and "\x00" not in request_id
        ):
            return None
        plan = self._plan(name)
        stamp = get("timestamp")
        if plan is None or type(stamp) is not str:
            return None
        try:
            ts = datetime.fromisoformat(stamp)
        except ValueError:
            return None
        if ts.tzinfo is not UTC:
            return None
        features = _fast_features(get("features"), plan, self._limits)
        prediction = get("prediction")
        score, latency = _fast_number(get("score")), _fast_number(get("latency_ms"))
        if (
            features is None
            or score is False
            or latency is False
            or (latency is not None and latency < 0)
            or not (
                prediction is None
                or type(prediction) in _PLAIN_PREDICTIONS
                or (type(prediction) is float and math.isfinite(prediction))
            )
        ):
            return None
        return name, version, request_id, stamp, ts, features, prediction, score, latency

    def _rarer(self, event: dict[str, Any]) -> dict[str, Any]:
        """The rarer fields an event carries, by their per-field checks (a Reject there
        sends the event to the slow path)."""
        get = event.get
        found: dict[str, Any] = {}
        for key in ("error", "variant", "experiment"):
            if get(key) is not None:
                found[key] = string_field(event, key, self._limits, required=False)
        if get("segment") is not None:
            found["segment"] = segment_field(event["segment"], self._limits)
        if get("trace_id") is not None:
            found["trace_id"] = trace_id_field(event["trace_id"])
        return found

    def row(self, event: Any) -> dict[str, Any] | None:
        """The row :func:`_prediction_row` would return, or None when it is not plainly
        valid (a :class:`Reject` raised here means the same)."""
        plain = self._plain(event)
        if plain is None:
            return None
        name, version, request_id, _, ts, features, prediction, score, latency = plain
        row: dict[str, Any] = {
            "model": name,
            "version": version,
            "request_id": request_id,
            "ts": ts,
            "features": features,
            "prediction": prediction,
            "score": score,
            "latency_ms": latency,
            "error": None,
            "received_at": self._received_at,
            "variant": None,
            "experiment": None,
            "segment": None,
            "trace_id": None,
        }
        if not event.keys() <= _COMMON_KEYS:
            row.update(self._rarer(event))
        return row

    def prepared(self, event: Any) -> tuple[Any, ...] | None:
        """``prepare_predictions([row(event)])[0]`` without the dict in between: the
        prepared row of a plainly valid event, or None (a Reject means the same). For
        models without PII features only: the caller redacts the others' dicts first."""
        plain = self._plain(event)
        if plain is None:
            return None
        name, version, request_id, stamp, ts, features, prediction, score, latency = plain
        get = _NONE.get if event.keys() <= _COMMON_KEYS else self._rarer(event).get
        segment = get("segment")
        return (
            name,
            version,
            request_id,
            _time_text(stamp, ts),
            store_json(features),
            _NULL if prediction is None else store_json(prediction),
            score,
            latency,
            get("error"),
            self._received_text,
            get("variant"),
            get("experiment"),
            _NULL if segment is None else store_json(segment),
            get("trace_id"),
        )
