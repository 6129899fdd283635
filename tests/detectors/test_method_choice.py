"""The automatic method per column is the one Evidently 0.7's ``get_stattest`` picks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from drift_parity import EvidentlyStattests

from detectors.methods import METHODS
from detectors.methods.choice import choose_method

CASES = [
    pytest.param("numeric", 1000, 2, "z", id="a small numeric reference with two values"),
    pytest.param("numeric", 800, 4, "chisquare", id="a small numeric reference with four values"),
    pytest.param("numeric", 1000, 5, "chisquare", id="five values are still few"),
    pytest.param("numeric", 1000, 6, "ks", id="a small numeric reference with six values"),
    pytest.param("numeric", 300, 300, "ks", id="a small continuous reference"),
    pytest.param(
        "numeric", 1001, 5, "jensen_shannon", id="a large numeric reference with few values"
    ),
    pytest.param("numeric", 5000, 5000, "wasserstein", id="a large continuous reference"),
    pytest.param("categorical", 1000, 2, "z", id="a small binary categorical reference"),
    pytest.param("boolean", 200, 1, "z", id="a small boolean reference with one value"),
    pytest.param("categorical", 500, 3, "chisquare", id="a small categorical reference"),
    pytest.param("categorical", 1001, 2, "jensen_shannon", id="a large binary reference"),
    pytest.param("categorical", 4000, 30, "jensen_shannon", id="a large categorical reference"),
]


def _column(kind: str, size: int, distinct: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.arange(size) % distinct  # every distinct value present
    if kind == "numeric":
        return (values * 1.5 + (rng.normal(0, 0.1, size) if distinct == size else 0)).astype(float)
    return np.array([f"v{v}" for v in rng.permutation(values)], dtype=np.str_)


@pytest.mark.parametrize(("kind", "size", "distinct", "expected"), CASES)
def test_the_automatic_method_is_evidentlys_default_stattest(
    evidently_stattests: EvidentlyStattests, kind: str, size: int, distinct: int, expected: str
) -> None:
    reference = _column(kind, size, distinct, 1)
    current = _column(kind, 200, min(distinct, 200), 2)
    ours = choose_method(kind, reference, current)  # type: ignore[arg-type]
    column_type = (
        evidently_stattests.numerical if kind == "numeric" else evidently_stattests.categorical
    )
    theirs = evidently_stattests.get_stattest(
        pd.Series(reference), pd.Series(current), column_type, None
    )
    assert ours == expected
    assert METHODS[expected].evidently == theirs.name


def test_distinct_values_are_counted_over_both_sides() -> None:
    reference = np.array([1.0, 2.0] * 100)
    assert choose_method("numeric", reference, np.array([1.0, 2.0])) == "z"
    assert choose_method("numeric", reference, np.array([3.0, 4.0, 5.0, 6.0])) == "ks"


@pytest.mark.parametrize("kind", ["text", "embedding"])
def test_text_and_embeddings_have_no_automatic_method(kind: str) -> None:
    assert choose_method(kind, np.array(["a"]), np.array(["b"])) is None  # type: ignore[arg-type]
