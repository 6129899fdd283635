"""The data quality detector: each check breaches on its own problem and explains itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from detectors.config import QualityConfig
from detectors.quality import Activity, window_quality
from detectors.reference import Reference
from store.records import Signal
from store.specs import ModelSpec

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
END = START + timedelta(hours=1)
CONFIG = QualityConfig()
SPEC = ModelSpec.model_validate(
    {
        "name": "credit",
        "features": [
            {"name": "income", "type": "numeric"},
            {"name": "purpose", "type": "categorical"},
            {"name": "note", "type": "text"},
            {"name": "ssn", "type": "categorical", "pii": "drop"},
            {"name": "email", "type": "categorical", "pii": "hash"},
        ],
        "reference": {"path": "ref.csv"},
    }
)
STEADY = Activity(count=500, baseline=[480, 510, 505, 0], last_event_at=END - timedelta(minutes=1))


def _reference() -> Reference:
    income = np.linspace(1000.0, 5000.0, 1000)
    income[500:550] = np.nan  # 5% missing in the reference
    return Reference(
        source="memory",
        rows=1000,
        numeric=MappingProxyType({"income": income}),
        labels=MappingProxyType({"purpose": np.array(["car", "house"] * 450, dtype=np.str_)}),
    )


def _rows(n: int = 500, **overrides: Any) -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    rows = [
        {
            "income": float(x),
            "purpose": str(p),
            "note": "ok",
            "email": "4f2a...",
        }
        for x, p in zip(rng.uniform(1000, 5000, n), rng.choice(["car", "house"], n), strict=True)
    ]
    for key, values in overrides.items():
        for row, value in zip(rows, values, strict=False):
            row[key] = value
    return rows


def _run(
    rows: list[dict[str, Any]], activity: Activity = STEADY, **kwargs: Any
) -> dict[str, Signal]:
    signals = window_quality(SPEC, _reference(), rows, activity, START, END, END, CONFIG, **kwargs)
    for signal in signals:
        json.dumps(signal.details, allow_nan=False)
        assert signal.detector == "quality" and signal.model == "credit"
        assert signal.status != "not_computable" or signal.details["reason"]
    by_subject = {signal.subject: signal for signal in signals}
    assert len(by_subject) == len(signals)
    return by_subject


def test_traffic_like_the_reference_passes_every_check() -> None:
    found = _run(_rows())
    assert {s: found[s].status for s in found} == {
        "missing_rate:income": "ok",
        "out_of_range:income": "ok",
        "missing_rate:purpose": "ok",
        "unseen_categories:purpose": "ok",
        "missing_rate:note": "ok",
        "missing_rate:ssn": "not_computable",
        "missing_rate:email": "ok",
        "unseen_categories:email": "not_computable",
        "volume": "ok",
        "freshness": "ok",
    }
    assert found["missing_rate:income"].threshold == pytest.approx(0.05 + 0.05)
    assert found["volume"].value == pytest.approx(500 / 492.5)


def test_missing_values_above_the_reference_rate_breach() -> None:
    found = _run(_rows(income=[None] * 40 + ["n/a"] * 20))
    income = found["missing_rate:income"]
    assert (income.status, income.value) == ("breach", pytest.approx(60 / 500))
    assert income.details == {
        "missing": 60, "reference_missing_rate": pytest.approx(0.05), "feature": "income",
    }  # fmt: skip


def test_numbers_outside_the_reference_range_breach_with_counts_on_each_side() -> None:
    found = _run(_rows(income=[10.0] * 4 + [1e7] * 6))
    income = found["out_of_range:income"]
    assert (income.status, income.value, income.threshold) == ("breach", 10 / 500, 0.01)
    assert (income.details["below"], income.details["above"]) == (4, 6)
    assert (income.details["reference_min"], income.details["reference_max"]) == (1000.0, 5000.0)


def test_categories_the_reference_never_had_breach_with_examples() -> None:
    found = _run(_rows(purpose=["crypto"] * 20 + ["boat"] * 5))
    purpose = found["unseen_categories:purpose"]
    assert (purpose.status, purpose.value) == ("breach", 25 / 500)
    assert purpose.details["examples"] == ["crypto", "boat"]
    assert purpose.details["unseen_distinct"] == 2


@pytest.mark.parametrize(
    ("ids", "status", "value"),
    [
        pytest.param(["a", "b", "c", "d"], "ok", 0.0, id="unique request ids pass"),
        pytest.param(["a", "b", "a", "a"], "breach", 0.5, id="a repeated request id breaches"),
    ],
)
def test_duplicate_request_ids_are_checked_when_the_caller_has_them(
    ids: list[str], status: str, value: float
) -> None:
    duplicates = _run(_rows(4), request_ids=ids)["duplicates"]
    assert (duplicates.status, duplicates.value) == (status, value)
    assert "duplicates" not in _run(_rows(4))


@pytest.mark.parametrize(
    ("count", "baseline", "status", "threshold"),
    [
        pytest.param(100, [500, 520, 480], "breach", 0.5, id="a drop below half the baseline"),
        pytest.param(1500, [500, 520, 480], "breach", 2.0, id="a spike above twice the baseline"),
        pytest.param(450, [500, 520, 480], "ok", 0.5, id="a small dip"),
        pytest.param(0, [0, 0, 3], "not_computable", None, id="a baseline without traffic"),
    ],
)
def test_volume_is_judged_against_the_median_of_the_baseline_windows(
    count: int, baseline: list[int], status: str, threshold: float | None
) -> None:
    activity = Activity(count, baseline, END)
    volume = _run(_rows(count), activity)["volume"]
    assert (volume.status, volume.threshold) == (status, threshold)


@pytest.mark.parametrize(
    ("last_event_at", "status"),
    [
        pytest.param(END - timedelta(minutes=14), "ok", id="an event 14 minutes ago"),
        pytest.param(END - timedelta(minutes=16), "breach", id="silence for 16 minutes"),
        pytest.param(None, "not_computable", id="a model that never received an event"),
    ],
)
def test_freshness_breaches_after_max_silence(last_event_at: datetime | None, status: str) -> None:
    freshness = _run(_rows(), Activity(500, [500], last_event_at))["freshness"]
    assert freshness.status == status


@pytest.mark.parametrize(
    ("rows", "subject", "reason"),
    [
        pytest.param(
            [], "missing_rate:income", "no rows in the current data", id="an empty window"
        ),
        pytest.param(
            _rows(3, income=[None] * 3),
            "out_of_range:income",
            "no finite values",
            id="an all-null column",
        ),
        pytest.param(
            [], "unseen_categories:purpose", "no values in the current data", id="no categories"
        ),
        pytest.param(_rows(1), "missing_rate:ssn", "pii: drop", id="a feature the collector drops"),
    ],
)
def test_what_cannot_be_checked_says_why(
    rows: list[dict[str, Any]], subject: str, reason: str
) -> None:
    signal = _run(rows)[subject]
    assert (signal.status, signal.value) == ("not_computable", None)
    assert reason in signal.details["reason"]


def test_a_model_without_a_reference_still_gets_missing_rate_volume_and_freshness() -> None:
    spec = SPEC.model_copy(update={"reference": None})
    signals = window_quality(spec, None, _rows(), STEADY, START, END, END, CONFIG)
    by_subject = {s.subject: s for s in signals}
    assert by_subject["missing_rate:income"].status == "ok"
    assert "no reference dataset" in by_subject["out_of_range:income"].details["reason"]
    assert by_subject["volume"].status == by_subject["freshness"].status == "ok"
