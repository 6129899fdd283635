"""Awkward data never crashes a method or yields NaN: a finite result or a reason."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from detectors.column_drift import column_drift
from detectors.config import DriftConfig, FeatureMethod
from detectors.methods import METHODS

NUMERIC = {
    "a single value on each side": (np.array([1.0]), np.array([2.0])),
    "the same constant on both sides": (np.full(50, 3.0), np.full(40, 3.0)),
    "two different constants": (np.full(50, 3.0), np.full(40, 4.0)),
    "a constant reference": (np.full(50, 3.0), np.linspace(0, 6, 40)),
    "a constant current": (np.linspace(0, 6, 50), np.full(40, 3.0)),
    "two values on each side": (np.array([0.0, 1.0]), np.array([5.0, 5.0])),
}
LABELS = {
    "a single value on each side": (np.array(["a"]), np.array(["b"])),
    "the same category on both sides": (np.array(["a"] * 30), np.array(["a"] * 20)),
    "two different categories": (np.array(["a"] * 30), np.array(["b"] * 20)),
    "a constant current": (np.array(["a", "b", "c"] * 10), np.array(["c"] * 20)),
    "a category only in the current": (np.array(["a", "b"] * 10), np.array(["a", "z"] * 10)),
}

PARAMS = [
    pytest.param(name, kind, reference, current, id=f"{name} with {case}")
    for name, method in sorted(METHODS.items())
    for kind, cases in (("numeric", NUMERIC), ("categorical", LABELS))
    if method.applies_to(kind)  # type: ignore[arg-type]
    for case, (reference, current) in cases.items()
]


@pytest.mark.parametrize(("name", "kind", "reference", "current"), PARAMS)
def test_a_method_on_degenerate_data_returns_finite_numbers_or_a_reason(
    name: str, kind: str, reference: np.ndarray, current: np.ndarray
) -> None:
    config = DriftConfig(min_sample_size=1, methods={"x": FeatureMethod(method=name)})
    found = column_drift("x", kind, reference, current, config)  # type: ignore[arg-type]
    assert found.method == name
    if found.result is None:
        assert found.reason
        return
    assert math.isfinite(found.result.effect_size) and found.result.effect_size >= 0
    if METHODS[name].has_p_value:
        assert found.result.p_value is not None and 0 <= found.result.p_value <= 1
    json.dumps({"effect": found.result.effect_size, "p": found.result.p_value}, allow_nan=False)


@pytest.mark.parametrize(
    ("kind", "reference", "current", "reason"),
    [
        pytest.param(
            "numeric",
            np.array([]),
            np.array([1.0]),
            "reference dataset has no usable",
            id="an empty reference",
        ),
        pytest.param(
            "numeric",
            np.array([1.0]),
            np.array([]),
            "no usable values in the current",
            id="an empty current",
        ),
        pytest.param(
            "text",
            np.array(["a"]),
            np.array(["b"]),
            "text features is not supported",
            id="a text column",
        ),
    ],
)
def test_missing_data_is_not_computable_with_a_reason(
    kind: str, reference: np.ndarray, current: np.ndarray, reason: str
) -> None:
    found = column_drift("x", kind, reference, current, DriftConfig())  # type: ignore[arg-type]
    assert found.result is None and reason in (found.reason or "")


def test_a_method_configured_for_the_wrong_kind_is_not_computable() -> None:
    config = DriftConfig(methods={"x": FeatureMethod(method="ks")})
    found = column_drift("x", "categorical", np.array(["a"] * 9), np.array(["b"] * 9), config)
    assert found.reason == "method ks does not apply to categorical features"


def test_distances_need_min_sample_size_but_tests_do_not() -> None:
    reference, current = np.linspace(0, 1, 5000), np.linspace(0, 1, 50)
    config = DriftConfig(min_sample_size=100)
    assert "min_sample_size is 100" in (
        column_drift("x", "numeric", reference, current, config).reason or ""
    )
    ks = DriftConfig(min_sample_size=100, methods={"x": FeatureMethod(method="ks")})
    assert column_drift("x", "numeric", reference, current, ks).result is not None
