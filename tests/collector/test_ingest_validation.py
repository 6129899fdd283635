"""The fast path of prediction validation returns exactly what the per-field path would.

For every event, ``validate_predictions`` (fast path first) must agree with the per-field
path alone: the same rows, and the same errors with the same index, field and reason.
Hypothesis mixes plain events with every kind of damage the fast path has to notice.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.validation import (
    Limits,
    Reject,
    RowError,
    _prediction_row,
    split_valid,
    validate_predictions,
)
from store.specs import FeatureSpec, ModelSpec

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NUMERIC = ModelSpec(
    name="bench",
    features=(
        FeatureSpec(name="a", type="numeric", required=True),
        FeatureSpec(name="b", type="numeric"),
        FeatureSpec(name="c", type="numeric"),
    ),
)
MIXED = ModelSpec(
    name="mixed",
    features=(
        FeatureSpec(name="a", type="numeric"),
        FeatureSpec(name="kind", type="categorical"),
    ),
)
MODELS = {m.name: m for m in (NUMERIC, MIXED)}
LIMITS = Limits(max_string_length=40, max_features=3)


def slow_only(events: list[Any]) -> tuple[list[dict[str, Any]], list[RowError]]:
    return split_valid(events, lambda e: _prediction_row(e, MODELS, NOW, LIMITS))


def plain(i: int = 0, **overrides: Any) -> dict[str, Any]:
    event = {
        "model": "bench",
        "version": "v1",
        "request_id": f"r{i}",
        "timestamp": "2026-03-02T08:00:00.123Z",
        "features": {"a": 1.5, "b": -2.0, "c": 0.0},
        "score": 0.25,
        "latency_ms": 3.0,
    }
    event.update(overrides)
    return event


odd_numbers = st.one_of(
    st.floats(),  # NaN and infinities included
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([True, False, None, "1.5", 1e308, -1e308, 2**53, 2**53 + 1, -0.0]),
)
odd_strings = st.one_of(
    st.text(max_size=45),
    st.sampled_from(["", "x" * 41, "x" * 40, "a\x00b", "bench", "mixed", "nope"]),
    st.integers(),
    st.none(),
)
odd_times = st.one_of(
    st.sampled_from(
        [
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:00:00+00:00",
            "2026-03-02T09:00:00+01:00",
            "2026-03-02T08:00:00",
            "2026-03-02",
            "yesterday",
            "0001-01-01T00:00:00+14:00",
        ]
    ),
    st.floats(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.none(),
)
feature_maps = st.one_of(
    st.dictionaries(st.sampled_from(["a", "b", "c", "kind", "zzz"]), odd_numbers, max_size=4),
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]), st.floats(allow_nan=False, allow_infinity=False)
    ),
    st.lists(st.integers(), max_size=2),
    st.none(),
)
overrides = st.fixed_dictionaries(
    {},
    optional={
        "model": odd_strings,
        "version": odd_strings,
        "request_id": odd_strings,
        "event_id": odd_strings,
        "timestamp": odd_times,
        "features": feature_maps,
        "score": odd_numbers,
        "latency_ms": odd_numbers,
        "prediction": st.one_of(odd_numbers, odd_strings, st.lists(st.integers(), max_size=2)),
        "error": odd_strings,
        "variant": odd_strings,
        "experiment": odd_strings,
        "segment": st.one_of(
            st.none(), st.dictionaries(st.text(max_size=3), odd_strings, max_size=2)
        ),
        "trace_id": odd_strings,
    },
)


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and -0.0 told apart from 0.0 (the store keeps both)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(overrides, min_size=1, max_size=6))
def test_the_fast_path_agrees_with_the_per_field_path_on_any_event(changes: list[dict]) -> None:
    events = [plain(i, **change) for i, change in enumerate(changes)]
    expected_rows, expected_errors = slow_only(events)
    rows, errors = validate_predictions(events, MODELS, NOW, LIMITS)
    assert errors == expected_errors
    assert len(rows) == len(expected_rows)
    for got, want in zip(rows, expected_rows, strict=True):
        assert same(got, want), (got, want)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        pytest.param(
            {"features": {"a": float("nan")}}, "features.a", "must be a finite number", id="NaN"
        ),
        pytest.param(
            {"features": {"a": 1.0, "zzz": 2.0}},
            "features.zzz",
            "not a feature of model 'bench'",
            id="unknown feature",
        ),
        pytest.param({"features": {"b": 1.0}}, "features.a", "is required", id="required absent"),
        pytest.param(
            {"features": {"a": True}}, "features.a", "must be a finite number", id="a boolean"
        ),
        pytest.param(
            {"score": float("inf")}, "score", "must be a finite number", id="infinite score"
        ),
        pytest.param(
            {"latency_ms": -0.5}, "latency_ms", "must be at least 0", id="negative latency"
        ),
        pytest.param(
            {"request_id": "x" * 41}, "request_id", "longer than 40 characters", id="long id"
        ),
        pytest.param({"version": "v\x00"}, "version", "must not contain NUL characters", id="NUL"),
        pytest.param(
            {"timestamp": "noon"},
            "timestamp",
            "must be an RFC 3339 time or Unix seconds",
            id="bad time",
        ),
        pytest.param(
            {"segment": {"region": 1}}, "segment.region", "must be a string", id="bad segment"
        ),
    ],
)
def test_rows_the_fast_path_turns_down_get_the_per_field_error(
    change: dict, field: str, reason: str
) -> None:
    rows, errors = validate_predictions([plain(0), plain(1, **change)], MODELS, NOW, LIMITS)
    assert [r["request_id"] for r in rows] == ["r0"]
    assert [(e.index, e.field, e.reason) for e in errors] == [(1, field, reason)]


def test_a_plain_event_becomes_a_store_row_with_utc_times_and_float_numbers() -> None:
    rows, errors = validate_predictions(
        [plain(0, features={"a": 1, "b": 2.5}, latency_ms=7, trace_id="t" * 32)],
        MODELS,
        NOW,
        LIMITS,
    )
    assert errors == []
    row = rows[0]
    assert row["ts"] == datetime(2026, 3, 2, 8, 0, 0, 123000, tzinfo=UTC)
    assert row["features"] == {"a": 1.0, "b": 2.5}
    assert all(type(v) is float for v in row["features"].values())
    assert row["latency_ms"] == 7.0 and type(row["latency_ms"]) is float
    assert row["trace_id"] == "t" * 32 and row["received_at"] == NOW
    assert (
        row
        == slow_only([plain(0, features={"a": 1, "b": 2.5}, latency_ms=7, trace_id="t" * 32)])[0][0]
    )


def test_a_reject_raised_inside_the_fast_path_is_reported_once_by_the_per_field_path() -> None:
    with pytest.raises(Reject):
        _prediction_row(plain(0, trace_id=""), MODELS, NOW, LIMITS)
    rows, errors = validate_predictions([plain(0, trace_id="")], MODELS, NOW, LIMITS)
    assert rows == [] and [(e.field, e.index) for e in errors] == [("trace_id", 0)]
