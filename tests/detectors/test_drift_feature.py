"""``feature_drift``: one signal per feature, breaches where the data moved, reasons otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from drift_parity import EvidentlyStattests

from detectors.config import DriftConfig, FeatureMethod, Persistence
from detectors.drift import feature_drift
from detectors.methods.wasserstein import wasserstein_distance_norm
from detectors.reference import Reference
from store.records import Signal
from store.specs import ModelSpec

#: One window decides (persistence has its own tests below).
ONE_WINDOW = Persistence(k=1, m=1)
CONFIG = DriftConfig(min_sample_size=100, persistence=ONE_WINDOW)
RNG_SEED = 7

SPEC = ModelSpec.model_validate(
    {
        "name": "credit",
        "features": [
            {"name": "income", "type": "numeric"},
            {"name": "purpose", "type": "categorical"},
            {"name": "is_new", "type": "boolean"},
            {"name": "note", "type": "text"},
            {"name": "vector", "type": "embedding"},
        ],
        "reference": {"path": "ref.csv"},
    }
)


def _reference(
    income: np.ndarray | None = None, purpose: list[str] | None = None, **labels: list[str]
) -> Reference:
    rng = np.random.default_rng(RNG_SEED)
    numeric = {"income": rng.normal(1000.0, 100.0, 5000) if income is None else income}
    purposes = purpose or list(rng.choice(["car", "house", "education"], 3000, p=[0.5, 0.3, 0.2]))
    label_arrays = {"purpose": purposes, "is_new": ["true", "false"] * 1500, **labels}
    return Reference(
        source="memory",
        rows=5000,
        numeric=MappingProxyType(numeric),
        labels=MappingProxyType({k: np.array(v, dtype=np.str_) for k, v in label_arrays.items()}),
    )


def _rows(n: int, income_shift: float = 0.0, purpose: str | None = None) -> list[dict[str, Any]]:
    rng = np.random.default_rng(RNG_SEED + 1)
    incomes = rng.normal(1000.0 + income_shift, 100.0, n)
    purposes = rng.choice(["car", "house", "education"], n, p=[0.5, 0.3, 0.2])
    return [
        {
            "income": float(incomes[i]),
            "purpose": purpose or str(purposes[i]),
            "is_new": bool(i % 2),
            "note": "hello",
            "vector": [0.1, 0.2],
        }
        for i in range(n)
    ]


def _run(
    rows: list[dict[str, Any]], reference: Reference | None = None, **config: Any
) -> list[Signal]:
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    return feature_drift(
        SPEC,
        reference or _reference(),
        rows,
        start,
        start + timedelta(hours=1),
        DriftConfig(**{"min_sample_size": 100, "persistence": ONE_WINDOW, **config}),
    )


def _by_subject(signals: list[Signal]) -> dict[str, Signal]:
    return {signal.subject: signal for signal in signals}


def test_every_feature_gets_one_signal_in_declared_order(t0: datetime) -> None:
    signals = feature_drift(SPEC, _reference(), _rows(300), t0 - timedelta(hours=1), t0, CONFIG)
    assert [s.subject for s in signals] == ["income", "purpose", "is_new", "note", "vector"]
    assert {(s.detector, s.model, s.window_start, s.window_end) for s in signals} == {
        ("drift", "credit", t0 - timedelta(hours=1), t0)
    }


def test_traffic_like_the_reference_is_ok() -> None:
    found = _by_subject(_run(_rows(300)))
    for name in ("income", "purpose", "is_new"):
        assert found[name].status == "ok", found[name]
        assert found[name].value is not None and found[name].value < found[name].threshold  # type: ignore[operator]
        assert found[name].sample_size == 300


def test_a_shifted_numeric_feature_breaches_with_its_means_in_details() -> None:
    rows = _rows(300, income_shift=50.0)
    income = _by_subject(_run(rows))["income"]
    current = np.array([row["income"] for row in rows])
    assert income.status == "breach"
    assert income.metric == "wasserstein"
    assert income.threshold == CONFIG.numeric_threshold
    assert income.details["automatic"] is True
    assert income.value == pytest.approx(
        wasserstein_distance_norm(_reference().numeric["income"], current)
    )
    assert income.details["method"] == "wasserstein"
    assert income.details["reference_size"] == 5000
    assert income.details["current_mean"] == pytest.approx(current.mean())
    assert income.details["reference_mean"] == pytest.approx(1000.0, abs=10.0)


def test_a_shifted_categorical_feature_breaches_with_its_top_categories_in_details() -> None:
    purpose = _by_subject(_run(_rows(300, purpose="education")))["purpose"]
    assert purpose.status == "breach"
    assert purpose.metric == "jensen_shannon"
    assert purpose.threshold == CONFIG.categorical_threshold
    assert purpose.details["current_top"] == {"education": 1.0}
    assert list(purpose.details["reference_top"]) == ["car", "house", "education"]
    assert sum(purpose.details["reference_top"].values()) == pytest.approx(1.0)


def test_nulls_and_wrong_types_are_counted_and_not_sampled() -> None:
    rows = _rows(300)
    for row in rows[:10]:
        row["income"] = None
    for row in rows[10:15]:
        row["income"] = "n/a"
    for row in rows[15:20]:
        del row["income"]
    income = _by_subject(_run(rows))["income"]
    assert income.sample_size == 280
    assert (income.details["current_nulls"], income.details["current_invalid"]) == (15, 5)


def test_a_varying_window_against_a_constant_reference_is_computed() -> None:
    income = _by_subject(_run(_rows(300), _reference(income=np.full(5000, 1000.0))))["income"]
    assert income.status == "breach"
    assert income.value is not None and income.value > 1000


def test_one_shared_category_on_both_sides_is_no_drift() -> None:
    purpose = _by_subject(_run(_rows(300, purpose="car"), _reference(purpose=["car"] * 100)))
    assert (purpose["purpose"].status, purpose["purpose"].value) == ("ok", 0.0)


def _constant_income(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "income": 5.0} for row in rows]


def _null(name: str) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    return lambda rows: [{**row, name: None} for row in rows]


NOT_COMPUTABLE = [
    pytest.param(
        lambda rows: [], None, "income", "no predictions in the window", id="an empty window"
    ),
    pytest.param(
        _null("purpose"), None, "purpose", "no usable values in the window", id="an all-null window"
    ),
    pytest.param(
        lambda rows: [{**row, "income": "high"} for row in rows],
        None,
        "income",
        "or of the wrong type (300)",
        id="a window of wrong-typed values",
    ),
    pytest.param(
        lambda rows: rows[:99],
        None,
        "income",
        "only 99 values in the current data; min_sample_size is 100 for wasserstein",
        id="fewer values than min_sample_size",
    ),
    pytest.param(
        _constant_income,
        _reference(income=np.full(500, 3.0)),
        "income",
        "reference and current are both constant",
        id="a constant reference and a constant window",
    ),
    pytest.param(
        lambda rows: rows,
        _reference(income=np.full(500, np.nan)),
        "income",
        "the reference dataset has no usable values for this feature",
        id="a reference with only nulls",
    ),
    pytest.param(
        lambda rows: rows,
        _reference(purpose=["car"], is_new=[]),
        "is_new",
        "the reference dataset has no usable values",
        id="a reference without values for a boolean",
    ),
    pytest.param(
        lambda rows: rows, None, "note", "drift of text features is not supported yet", id="text"
    ),
    pytest.param(
        lambda rows: rows,
        None,
        "vector",
        "drift of embedding features is not supported yet",
        id="an embedding",
    ),
    pytest.param(
        lambda rows: rows,
        Reference(source="memory", rows=1, numeric={}, labels={}),
        "purpose",
        "the feature is not in the loaded reference dataset",
        id="a feature the reference was not loaded with",
    ),
]


@pytest.mark.parametrize(("edit", "reference", "subject", "reason"), NOT_COMPUTABLE)
def test_what_cannot_be_computed_says_why_and_is_never_nan(
    edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    reference: Reference | None,
    subject: str,
    reason: str,
) -> None:
    wasserstein = {"income": FeatureMethod(method="wasserstein")}
    signals = _run(edit(_rows(300)), reference, methods=wasserstein)
    assert len(signals) == len(SPEC.features)
    signal = _by_subject(signals)[subject]
    assert signal.status == "not_computable"
    assert signal.value is None
    assert reason in signal.details["reason"]
    for each in signals:
        json.dumps(each.details, allow_nan=False)


def test_unsupported_features_count_their_present_values_and_have_no_method() -> None:
    rows = _rows(300)
    rows[0]["note"] = None
    note = _by_subject(_run(rows))["note"]
    assert (note.metric, note.sample_size, note.threshold) == ("none", 299, None)


# --- parity with Evidently's pipeline, which drops NaN and +/-inf before its stattests ------


def test_drift_with_nulls_and_infinities_matches_evidently_on_cleaned_columns(
    evidently_stattests: EvidentlyStattests,
) -> None:
    """Small references: Evidently picks KS and chi-square; so does Vigil, with its p-values."""
    rng = np.random.default_rng(11)
    reference_income = rng.normal(1000.0, 100.0, 1000)
    reference_income[::17] = np.nan
    reference_income[5] = np.inf
    purposes = list(rng.choice(["car", "house", "education"], 900, p=[0.5, 0.3, 0.2]))
    rows = _rows(400, income_shift=15.0)
    for i in range(0, 400, 13):
        rows[i]["income"] = None
        rows[i + 1]["purpose"] = None
    rows[7]["income"] = float("-inf")
    reference = _reference(income=reference_income, purpose=purposes)
    found = _by_subject(_run(rows, reference))

    def clean(values: list[Any]) -> pd.Series:
        # evidently/legacy/calculations/data_drift.py, get_one_column_drift
        return pd.Series(values).replace([-np.inf, np.inf], np.nan).dropna()

    for subject, ours, theirs_reference, kind in (
        ("income", found["income"], list(reference_income), evidently_stattests.numerical),
        ("purpose", found["purpose"], purposes, evidently_stattests.categorical),
    ):
        ref, cur = clean(theirs_reference), clean([row[subject] for row in rows])
        test = evidently_stattests.get_stattest(ref, cur, kind, None)
        theirs = test(ref, cur, kind, None)
        assert (
            ours.metric
            == {"K-S p_value": "ks", "chi-square p_value": "chisquare"}[test.display_name]
        )
        assert ours.details["p_value"] == pytest.approx(theirs.drift_score, rel=1e-9)
        assert ours.sample_size == len(cur)


def test_p_values_are_adjusted_across_the_models_features_before_they_count() -> None:
    small = _reference(
        income=np.random.default_rng(1).normal(1000.0, 100.0, 800),
        purpose=["car", "house", "education"] * 300,
        is_new=["true", "false"] * 300,
    )
    signals = _by_subject(_run(_rows(300, income_shift=12.0), small, alpha=0.05))
    income = signals["income"]
    assert income.metric == "ks" and income.details["automatic"] is True
    p, adjusted = income.details["p_value"], income.details["p_adjusted"]
    tested = [s for s in signals.values() if "p_adjusted" in s.details]
    assert adjusted >= p and len(tested) == 3  # ks, chisquare and z
    assert income.details["window_drifted"] == (
        adjusted < 0.05 and income.value >= income.threshold  # type: ignore[operator]
    )


@pytest.mark.parametrize(
    ("earlier", "status", "drifted_windows"),
    [
        pytest.param([], "ok", 1, id="a first drifting window is not yet a breach"),
        pytest.param([False, False], "ok", 1, id="one drifting window in three is not a breach"),
        pytest.param(
            [True, False], "breach", 2, id="two drifting windows in the last three breach"
        ),
        pytest.param([True, False, False], "ok", 1, id="windows older than m do not count"),
    ],
)
def test_a_drifting_feature_breaches_only_when_it_persists(
    earlier: list[bool], status: str, drifted_windows: int
) -> None:
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    signals = feature_drift(
        SPEC, _reference(), _rows(300, income_shift=50.0), start, start + timedelta(hours=1),
        DriftConfig(min_sample_size=100, persistence=Persistence(k=2, m=3)),
        earlier={"income": earlier},
    )  # fmt: skip
    income = _by_subject(signals)["income"]
    assert income.details["window_drifted"] is True
    assert income.status == status
    assert income.details["persistence"] == {
        "k": 2, "m": 3, "drifted_windows": drifted_windows, "windows": min(len(earlier), 2) + 1,
    }  # fmt: skip


def test_a_configured_method_and_threshold_replace_the_automatic_ones() -> None:
    methods = {
        "income": FeatureMethod(method="psi", threshold=0.5),
        "purpose": FeatureMethod(threshold=0.9),
    }
    found = _by_subject(_run(_rows(300, income_shift=50.0, purpose="education"), methods=methods))
    assert (found["income"].metric, found["income"].threshold) == ("psi", 0.5)
    assert found["income"].details["automatic"] is False
    assert (found["purpose"].metric, found["purpose"].threshold) == ("jensen_shannon", 0.9)
    assert found["purpose"].status == "ok"  # the distance is below 0.9
