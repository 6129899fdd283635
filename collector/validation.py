"""Per-row validation of prediction events and labels against each model's spec.

Pure functions: a list of decoded JSON values in, store-ready rows and row errors out. One
bad row is reported with its index, field and reason; the valid rows of the batch are kept.

Prediction events first go through a fast path (:mod:`collector.validation_fast`) that checks
the common shape in a few C-level operations: plain strings, an RFC 3339 UTC time, numeric
features as floats. It only ever says "valid, and here is the row" or "not sure"; on "not
sure" the per-field path below decides, so every error is reported by that one path, and the
fast path returns exactly the row it would (``tests/collector/test_ingest_validation.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from store.specs import FeatureSpec, ModelSpec

_SCALAR = (str, int, float, bool)
_MAX_TRACE_ID = 64  # the width of predictions.trace_id; a W3C trace id is 32 hex digits
#: Widths of the store's string columns: a longer value is refused here, not by the database.
COLUMN_WIDTHS = {
    "model": 200,
    "version": 100,
    "request_id": 200,
    "event_id": 200,
    "variant": 200,
    "experiment": 200,
    "pipeline": 200,
    "run_id": 200,
}


@dataclass(frozen=True)
class RowError:
    """Why one event of a batch was rejected."""

    index: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class Limits:
    """Bounds on what one event may carry."""

    max_string_length: int = 1024
    max_features: int = 1000
    max_segment_attributes: int = 32


class Reject(Exception):
    """One field of one event is wrong; caught per row and turned into a :class:`RowError`."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: Any) -> bool:
    """A number that fits a float and is not NaN or infinite (JSON allows 1e999 and 10**400)."""
    if not _is_number(value):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def string_field(
    row: Mapping[str, Any], key: str, limits: Limits, required: bool = True
) -> str | None:
    """A non-empty string that fits its column (see ``COLUMN_WIDTHS``) and the limits.

    NUL characters are refused: PostgreSQL text cannot hold them, and a row the store
    refuses would otherwise be accepted into the spool and block the writer.
    """
    value = row.get(key)
    if value is None:
        if required:
            raise Reject(key, "is required")
        return None
    if not isinstance(value, str) or not value:
        raise Reject(key, "must be a non-empty string")
    longest = min(limits.max_string_length, COLUMN_WIDTHS.get(key, limits.max_string_length))
    if len(value) > longest:
        raise Reject(key, f"longer than {longest} characters")
    if "\x00" in value:
        raise Reject(key, "must not contain NUL characters")
    return value


def parse_timestamp(value: Any, field: str = "timestamp") -> datetime:
    """RFC 3339 text or Unix seconds; text without an offset is taken as UTC."""
    if _is_number(value):
        if not _finite(value):
            raise Reject(field, "must be a finite number of seconds")
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise Reject(field, "is out of range") from None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise Reject(field, "must be an RFC 3339 time or Unix seconds") from None
        try:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except OverflowError:
            raise Reject(field, "is out of range") from None
    raise Reject(field, "must be an RFC 3339 time or Unix seconds")


def optional_number(row: Mapping[str, Any], key: str, minimum: float | None = None) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    if not _finite(value):
        raise Reject(key, "must be a finite number")
    if minimum is not None and value < minimum:
        raise Reject(key, f"must be at least {minimum:g}")
    return float(value)


def _feature_value(spec: FeatureSpec, value: Any, limits: Limits) -> Any:
    field = f"features.{spec.name}"
    if value is None:
        if spec.required:
            raise Reject(field, "is required")
        return None
    if spec.type == "numeric":
        if type(value) is float and math.isfinite(value):  # the common case, kept cheap
            return value
        if not _finite(value):
            raise Reject(field, "must be a finite number")
        return float(value)
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise Reject(field, "must be true or false")
        return value
    if spec.type in ("categorical", "text"):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise Reject(field, "must be a string")
        text = str(value)
        if len(text) > limits.max_string_length:
            raise Reject(field, f"longer than {limits.max_string_length} characters")
        return text
    # embedding
    if not isinstance(value, list) or not value or not all(_finite(v) for v in value):
        raise Reject(field, "must be a non-empty list of numbers")
    return [float(v) for v in value]


def _features(spec: ModelSpec, raw: Any, limits: Limits) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise Reject("features", "must be an object of feature name to value")
    if len(raw) > limits.max_features:
        raise Reject("features", f"more than {limits.max_features} features")
    unknown = raw.keys() - {f.name for f in spec.features}
    for name in raw:
        if name in unknown:
            raise Reject(f"features.{name}", f"not a feature of model {spec.name!r}")
    return {
        f.name: _feature_value(f, raw.get(f.name), limits)
        for f in spec.features
        if f.name in raw or f.required
    }


def segment_field(raw: Any, limits: Limits) -> dict[str, str] | None:
    """The slice an event belongs to: an object of string attributes (``{"region": "eu"}``)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise Reject("segment", "must be an object of string attributes")
    if len(raw) > limits.max_segment_attributes:
        raise Reject("segment", f"more than {limits.max_segment_attributes} attributes")
    for key, value in raw.items():
        if not isinstance(value, str) or len(key) > limits.max_string_length:
            raise Reject(f"segment.{key[:50]}", "must be a string")
        if len(value) > limits.max_string_length:
            raise Reject(
                f"segment.{key[:50]}", f"longer than {limits.max_string_length} characters"
            )
    return dict(raw)


def trace_id_field(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_TRACE_ID or "\x00" in value:
        raise Reject("trace_id", f"must be a string of 1 to {_MAX_TRACE_ID} characters")
    return value


def _request_id(event: Mapping[str, Any], limits: Limits) -> str:
    """``request_id``, or ``event_id`` when a producer only has that (it is the same key)."""
    if event.get("request_id") is None and event.get("event_id") is not None:
        found = string_field(event, "event_id", limits)
    else:
        found = string_field(event, "request_id", limits)
    assert found is not None
    return found


def _prediction(value: Any) -> Any:
    if value is None or (
        isinstance(value, _SCALAR) and not (isinstance(value, float) and not math.isfinite(value))
    ):
        return value
    if isinstance(value, list) and all(isinstance(v, _SCALAR) for v in value):
        return value  # a ranked list of actions
    raise Reject("prediction", "must be a number, string, boolean or a list of them")


def _model(row: Mapping[str, Any], models: Mapping[str, ModelSpec], limits: Limits) -> ModelSpec:
    name = string_field(row, "model", limits)
    assert name is not None
    spec = models.get(name)
    if spec is None:
        raise Reject("model", f"unknown model {name!r}")
    return spec


def split_valid(
    events: Sequence[Any], validate_one: Callable[[Any], dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Apply ``validate_one`` to each event: its rows, and a RowError for each it rejects."""
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for index, event in enumerate(events):
        try:
            rows.append(validate_one(event))
        except Reject as bad:
            errors.append(RowError(index, bad.field, bad.reason))
    return rows, errors


def _object(event: Any) -> Mapping[str, Any]:
    if not isinstance(event, dict):
        raise Reject("(event)", "must be a JSON object")
    return event


def _prediction_row(
    event: Any, models: Mapping[str, ModelSpec], received_at: datetime, limits: Limits
) -> dict[str, Any]:
    event = _object(event)
    spec = _model(event, models, limits)
    return {
        "model": spec.name,
        "version": string_field(event, "version", limits),
        "request_id": _request_id(event, limits),
        "ts": parse_timestamp(event.get("timestamp")),
        "features": _features(spec, event.get("features"), limits),
        "prediction": _prediction(event.get("prediction")),
        "score": optional_number(event, "score"),
        "latency_ms": optional_number(event, "latency_ms", minimum=0),
        "error": string_field(event, "error", limits, required=False),
        "received_at": received_at,
        "variant": string_field(event, "variant", limits, required=False),
        "experiment": string_field(event, "experiment", limits, required=False),
        "segment": segment_field(event.get("segment"), limits),
        "trace_id": trace_id_field(event.get("trace_id")),
    }


def _label_row(
    event: Any, models: Mapping[str, ModelSpec], received_at: datetime, limits: Limits
) -> dict[str, Any]:
    event = _object(event)
    spec = _model(event, models, limits)
    if "label" not in event or event["label"] is None:
        raise Reject("label", "is required")
    label = event["label"]
    if not isinstance(label, _SCALAR) or (isinstance(label, float) and not math.isfinite(label)):
        raise Reject("label", "must be a number, string or boolean")
    ts = event.get("timestamp")
    return {
        "model": spec.name,
        "request_id": string_field(event, "request_id", limits),
        "label": label,
        "ts": received_at if ts is None else parse_timestamp(ts),
        "received_at": received_at,
    }


def prediction_validator(
    models: Mapping[str, ModelSpec], received_at: datetime, limits: Limits
) -> Callable[[Any], dict[str, Any]]:
    """The check of one prediction event of a batch received at ``received_at``: its store
    row, or :class:`Reject` (the fast path first, the per-field path when it is not sure)."""
    from collector.validation_fast import FastPath  # it builds on this module's checks

    fast = FastPath(models, received_at, limits)

    def validate_one(event: Any) -> dict[str, Any]:
        try:
            row = fast.row(event)
        except Reject:
            row = None
        return row if row is not None else _prediction_row(event, models, received_at, limits)

    return validate_one


def validate_predictions(
    events: Sequence[Any],
    models: Mapping[str, ModelSpec],
    received_at: datetime,
    limits: Limits,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Split a batch of prediction events into store rows and row errors."""
    return split_valid(events, prediction_validator(models, received_at, limits))


def validate_labels(
    events: Sequence[Any],
    models: Mapping[str, ModelSpec],
    received_at: datetime,
    limits: Limits,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Split a batch of labels (model, request_id, label[, timestamp]) into rows and errors."""
    return split_valid(events, lambda event: _label_row(event, models, received_at, limits))
