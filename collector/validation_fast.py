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
from store.specs import ModelSpec

_FLOATS = frozenset({float})
_NUMBERS = frozenset({float, int})
_INT_AS_FLOAT = 2**53  # a smaller int converts to float exactly
_PLAIN_PREDICTIONS = (str, int, bool)


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

    def _plan(self, name: str) -> _Plan | None:
        plan = self._plans.get(name)
        if plan is None:
            spec = self._models.get(name)
            if spec is None:
                return None
            plan = self._plans[name] = _Plan.of(spec)
        return plan

    def row(self, event: Any) -> dict[str, Any] | None:
        """The row :func:`_prediction_row` would return, or None when it is not plainly
        valid (a :class:`Reject` raised here means the same)."""
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
        # Rarer fields take the per-field checks; a Reject there sends the row to the slow path.
        for key in ("error", "variant", "experiment"):
            if get(key) is not None:
                row[key] = string_field(event, key, self._limits, required=False)
        if get("segment") is not None:
            row["segment"] = segment_field(event["segment"], self._limits)
        if get("trace_id") is not None:
            row["trace_id"] = trace_id_field(event["trace_id"])
        return row
