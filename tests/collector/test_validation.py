"""Per-row validation: each bad row is named with its field and reason; good rows are kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collector.validation import Limits, validate_labels, validate_predictions
from store.specs import FeatureSpec, ModelSpec

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MODEL = ModelSpec(
    name="credit",
    features=(
        FeatureSpec(name="income", type="numeric", required=True),
        FeatureSpec(name="purpose", type="categorical"),
        FeatureSpec(name="is_member", type="boolean"),
        FeatureSpec(name="embedding", type="embedding"),
    ),
)
MODELS = {"credit": MODEL}


def event(**overrides):
    base = {
        "model": "credit",
        "version": "v1",
        "request_id": "r1",
        "timestamp": "2026-03-02T08:59:00Z",
        "features": {"income": 1200, "purpose": "car"},
        "prediction": 1,
        "score": 0.8,
        "latency_ms": 12,
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        pytest.param({"model": "nope"}, "model", "unknown model 'nope'", id="an unknown model"),
        pytest.param({"model": None}, "model", "is required", id="a missing model"),
        pytest.param({"request_id": ""}, "request_id", "must be a non-empty string", id="empty id"),
        pytest.param({"version": 3}, "version", "must be a non-empty string", id="numeric version"),
        pytest.param(
            {"timestamp": "yesterday"},
            "timestamp",
            "must be an RFC 3339 time or Unix seconds",
            id="a bad time",
        ),
        pytest.param(
            {"features": [1, 2]},
            "features",
            "must be an object of feature name to value",
            id="features as a list",
        ),
        pytest.param(
            {"features": {"purpose": "car"}},
            "features.income",
            "is required",
            id="a required feature absent",
        ),
        pytest.param(
            {"features": {"income": "high"}},
            "features.income",
            "must be a finite number",
            id="text in a numeric feature",
        ),
        pytest.param(
            {"features": {"income": True}},
            "features.income",
            "must be a finite number",
            id="a boolean in a numeric feature",
        ),
        pytest.param(
            {"features": {"income": 1, "zip": "x"}},
            "features.zip",
            "not a feature of model 'credit'",
            id="an undeclared feature",
        ),
        pytest.param(
            {"features": {"income": 1, "is_member": "yes"}},
            "features.is_member",
            "must be true or false",
            id="a string in a boolean",
        ),
        pytest.param(
            {"features": {"income": 1, "embedding": [1, "a"]}},
            "features.embedding",
            "must be a non-empty list of numbers",
            id="a bad embedding",
        ),
        pytest.param({"score": "high"}, "score", "must be a finite number", id="a text score"),
        pytest.param({"latency_ms": -1}, "latency_ms", "must be at least 0", id="negative latency"),
        pytest.param(
            {"prediction": {"a": 1}},
            "prediction",
            "must be a number, string, boolean or a list of them",
            id="an object prediction",
        ),
    ],
)
def test_a_bad_row_is_rejected_with_its_field_and_reason(overrides, field, reason) -> None:
    rows, errors = validate_predictions([event(**overrides)], MODELS, NOW, Limits())
    assert rows == []
    assert [(e.index, e.field, e.reason) for e in errors] == [(0, field, reason)]


def test_valid_rows_are_kept_beside_invalid_ones_and_normalised() -> None:
    batch = [event(request_id="a"), "not an object", event(request_id="b", timestamp=1772441940)]
    rows, errors = validate_predictions(batch, MODELS, NOW, Limits())
    assert [r["request_id"] for r in rows] == ["a", "b"]
    assert [(e.index, e.field) for e in errors] == [(1, "(event)")]
    assert rows[0]["ts"] == datetime(2026, 3, 2, 8, 59, tzinfo=UTC)
    assert rows[0]["features"] == {"income": 1200.0, "purpose": "car"}
    assert rows[1]["ts"].tzinfo is UTC
    assert rows[0]["received_at"] == NOW


def test_long_strings_are_refused_at_the_configured_limit() -> None:
    _, errors = validate_predictions([event(request_id="x" * 11)], MODELS, NOW, Limits(10))
    assert errors[0].field == "request_id" and "longer than 10" in errors[0].reason


def test_labels_need_a_scalar_label_and_default_their_time_to_arrival() -> None:
    rows, errors = validate_labels(
        [
            {"model": "credit", "request_id": "r1", "label": 1},
            {"model": "credit", "request_id": "r2"},
            {"model": "credit", "request_id": "r3", "label": [1]},
        ],
        MODELS,
        NOW,
        Limits(),
    )
    assert [r["request_id"] for r in rows] == ["r1"] and rows[0]["ts"] == NOW
    assert [(e.index, e.field) for e in errors] == [(1, "label"), (2, "label")]
