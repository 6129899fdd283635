"""Raw feature values to drift inputs: the same labels on both sides, drops counted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from detectors.values import boolean_label, category_label, feature_values, numeric_values


@pytest.mark.parametrize(
    ("value", "label"),
    [
        pytest.param(True, "true", id="a JSON true"),
        pytest.param(np.bool_(False), "false", id="a numpy bool from Parquet"),
        pytest.param(1, "true", id="the integer one"),
        pytest.param(0, "false", id="the integer zero"),
        pytest.param(" Yes ", "true", id="yes in any case and padding"),
        pytest.param("FALSE", "false", id="false in capitals from a CSV"),
        pytest.param(2, None, id="another integer is not a boolean"),
        pytest.param("maybe", None, id="another word is not a boolean"),
        pytest.param(0.5, None, id="a float is not a boolean"),
    ],
)
def test_boolean_labels(value: object, label: str | None) -> None:
    assert boolean_label(value) == label


@pytest.mark.parametrize(
    ("value", "label"),
    [
        pytest.param("car", "car", id="a string is its own label"),
        pytest.param("007", "007", id="leading zeros are kept"),
        pytest.param(3, "3", id="an integer code becomes its digits"),
        pytest.param(True, "true", id="a boolean is spelled as in boolean features"),
        pytest.param({"a": 1}, None, id="an object is not a category"),
        pytest.param([1, 2], None, id="a list is not a category"),
    ],
)
def test_category_labels(value: object, label: str | None) -> None:
    assert category_label(value) == label


def test_numeric_values_keep_finite_numbers_and_count_nulls_and_invalid_values() -> None:
    values = numeric_values([1, 2.5, None, math.nan, math.inf, "3", True, np.float32(4.0)])
    assert values.array.tolist() == [1.0, 2.5, 4.0]
    assert values.array.dtype == np.float64
    assert (values.nulls, values.invalid, values.size) == (2, 3, 3)


def test_label_values_drop_nulls_and_count_values_of_the_wrong_type() -> None:
    values = feature_values([True, "false", None, 1, "maybe"], "boolean")
    assert values.array.tolist() == ["true", "false", "true"]
    assert (values.nulls, values.invalid) == (1, 1)


def test_an_empty_window_gives_empty_arrays_of_the_right_kind() -> None:
    assert feature_values([], "numeric").array.dtype == np.float64
    assert feature_values([], "categorical").array.dtype.kind == "U"


def test_text_features_have_no_value_conversion() -> None:
    with pytest.raises(ValueError, match="text"):
        feature_values(["hello"], "text")
