"""The release gate's logic: column kinds, verdicts, and reasons for what it cannot compare."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from detectors.check import run_check
from detectors.check_io import infer_kind
from detectors.check_plan import plan_columns
from detectors.check_report import to_json, to_markdown
from detectors.config import DriftConfig, FeatureMethod, QualityConfig
from store.specs import ModelSpec

DRIFT, QUALITY = DriftConfig(), QualityConfig()
N = 3000


def _table(seed: int, n: int = N, shift: float = 0.0, **columns: Any) -> pa.Table:
    rng = np.random.default_rng(seed)
    base = {
        "income": rng.normal(50_000 + shift * 10_000, 10_000, n),
        "purpose": rng.choice(["car", "home", "education"], n, p=[0.5, 0.3, 0.2]),
        "is_new": rng.random(n) < 0.3,
    }
    return pa.table({**base, **columns})


def _check(
    reference: pa.Table, current: pa.Table, spec: ModelSpec | None = None, **kwargs: Any
) -> dict[str, Any]:
    drift = kwargs.pop("drift", DRIFT)
    report = run_check(
        plan_columns(reference, current, spec, kwargs.pop("ignore", ())), drift, QUALITY, **kwargs
    )
    rendered = to_json(report, "ref", "cur")
    json.dumps(rendered, allow_nan=False)
    assert "| verdict |" in to_markdown(report, "ref", "cur")
    return rendered


def _verdicts(rendered: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["verdict"] for c in rendered["columns"]}


@pytest.mark.parametrize(
    ("name", "array", "kind", "reason"),
    [
        pytest.param(
            "income", pa.array([1.5, 2.5, None]), "numeric", None, id="floats are numeric"
        ),
        pytest.param(
            "age", pa.array([30, 30, 41]), "numeric", None, id="repeating integers are numeric"
        ),
        pytest.param("flag", pa.array([True, False]), "boolean", None, id="booleans are boolean"),
        pytest.param(
            "city", pa.array(["a", "b", "a"]), "categorical", None, id="text is categorical"
        ),
        pytest.param(
            "city",
            pa.array(["a", "b"]).dictionary_encode(),
            "categorical",
            None,
            id="dictionary text is categorical",
        ),
        pytest.param(
            "at",
            pa.array([1, 2], pa.timestamp("s")),
            None,
            "date or time",
            id="timestamps are skipped",
        ),
        pytest.param(
            "day",
            pa.array(["2026-03-01", "2026-03-02T10:00:00"]),
            None,
            "ISO timestamps",
            id="ISO dates as text are skipped",
        ),
        pytest.param(
            "user_id", pa.array([1, 1, 2]), None, "by its name", id="a name ending in _id is an id"
        ),
        pytest.param(
            "Unnamed: 0",
            pa.array([0.0, 1.0]),
            None,
            "by its name",
            id="a saved pandas index is an id",
        ),
        pytest.param(
            "row",
            pa.array(range(100, 130)),
            None,
            "consecutive integers",
            id="a row number is an id",
        ),
        pytest.param(
            "code",
            pa.array([f"x{i}" for i in range(25)]),
            None,
            "every value distinct",
            id="distinct text is an id",
        ),
        pytest.param(
            "code",
            pa.array([f"x{i}" for i in range(5)]),
            "categorical",
            None,
            id="a few distinct values are not an id",
        ),
        pytest.param(
            "tags", pa.array([[1], [2]]), None, "are not compared", id="lists are skipped"
        ),
        pytest.param(
            "blank",
            pa.nulls(3, pa.float64()),
            None,
            "every value is null",
            id="an all-null column has no kind",
        ),
    ],
)
def test_column_kinds_are_inferred_from_the_reference(
    name: str, array: pa.Array, kind: str | None, reason: str | None
) -> None:
    inferred = infer_kind(name, pa.chunked_array([array]))
    assert inferred.kind == kind
    assert (inferred.reason is None) if reason is None else (reason in (inferred.reason or ""))


def test_the_same_distribution_passes_and_lists_every_column_with_its_test() -> None:
    rendered = _check(_table(1), _table(2))
    assert rendered["verdict"] == "pass" and rendered["reason"] is None
    income = rendered["columns"][0]
    assert {k: income[k] for k in ("name", "kind", "method", "threshold", "verdict")} == {
        "name": "income", "kind": "numeric", "method": "wasserstein", "threshold": 0.1, "verdict": "pass",
    }  # fmt: skip
    assert income["statistic"] < 0.1 and income["p_value"] is None
    assert [q["check"] for q in income["quality"]] == ["missing_rate", "out_of_range"]
    assert rendered["summary"] == {
        "pass": 3,
        "fail": 0,
        "not_computable": 0,
        "skipped": 0,
        "compared": 3,
    }


def test_a_shifted_column_fails_the_check() -> None:
    rendered = _check(_table(1), _table(2, shift=0.5))
    assert _verdicts(rendered) == {"income": "fail", "purpose": "pass", "is_new": "pass"}
    assert rendered["verdict"] == "fail" and rendered["reason"] == "1 column(s) failed: income"


def test_small_files_get_tests_with_p_values_adjusted_across_columns() -> None:
    rendered = _check(_table(1, n=400), _table(2, n=300, shift=0.4))
    columns = {c["name"]: c for c in rendered["columns"]}
    assert [columns[n]["method"] for n in ("income", "purpose", "is_new")] == [
        "ks",
        "chisquare",
        "z",
    ]
    assert columns["income"]["verdict"] == "fail"
    assert columns["income"]["p_adjusted"] >= columns["income"]["p_value"]
    assert columns["income"]["effect_size"] == columns["income"]["statistic"]


@pytest.mark.parametrize(
    ("current", "column", "reason"),
    [
        pytest.param(
            _table(2).drop_columns(["purpose"]),
            "purpose",
            "missing from the current file",
            id="a column missing from the current file",
        ),
        pytest.param(
            _table(2).set_column(
                0, "income", pa.array([None] * 600 + [5e4] * (N - 600), pa.float64())
            ),
            "income",
            "missing_rate",
            id="a column with many more nulls",
        ),
        pytest.param(
            _table(2).set_column(
                0, "income", pa.array(np.r_[np.full(100, 1e9), np.full(N - 100, 5e4)])
            ),
            "income",
            "out_of_range",
            id="numbers far outside the reference's range",
        ),
        pytest.param(
            _table(2).set_column(1, "purpose", pa.array(["boat"] * 60 + ["car"] * (N - 60))),
            "purpose",
            "unseen_categories",
            id="a new category",
        ),
    ],
)
def test_quality_problems_and_missing_columns_fail_the_column(
    current: pa.Table, column: str, reason: str
) -> None:
    rendered = _check(_table(1), current)
    found = {c["name"]: c for c in rendered["columns"]}[column]
    assert found["verdict"] == "fail" and reason in found["reason"]
    assert rendered["verdict"] == "fail"


def test_a_repeated_request_id_fails_the_check() -> None:
    ids = np.array(["a", "b", "a"])
    rendered = _check(_table(1), _table(2), request_ids=ids)
    assert rendered["dataset"][0]["status"] == "breach"
    assert rendered["verdict"] == "fail" and "duplicates" in rendered["reason"]


def test_columns_only_in_the_current_file_and_ignored_ones_are_skipped() -> None:
    current = _table(2).append_column("score", pa.array(np.zeros(N)))
    rendered = _check(_table(1), current, ignore={"is_new"})
    assert _verdicts(rendered) == {
        "income": "pass",
        "purpose": "pass",
        "is_new": "skipped",
        "score": "skipped",
    }
    assert rendered["verdict"] == "pass"


@pytest.mark.parametrize(
    ("reference", "current", "column", "verdict", "reason"),
    [
        pytest.param(
            _table(1, n=1),
            _table(2, n=1),
            "income",
            "not_computable",
            "a single value on a side",
            id="a single row on each side",
        ),
        pytest.param(
            _table(1, income=np.full(N, 7.0)),
            _table(2, income=np.full(N, 7.0)),
            "income",
            "pass",
            None,
            id="the same constant on both sides is no drift",
        ),
        pytest.param(
            _table(1),
            _table(2, n=50),
            "income",
            "not_computable",
            "min_sample_size is 1000",
            id="a current file too small for a distance",
        ),
        pytest.param(
            _table(1),
            _table(2).set_column(0, "income", pa.nulls(N, pa.float64())),
            "income",
            "fail",
            "missing_rate",
            id="an all-null current column",
        ),
    ],
)
def test_degenerate_columns_get_a_verdict_and_a_reason_never_nan(
    reference: pa.Table, current: pa.Table, column: str, verdict: str, reason: str | None
) -> None:
    found = {c["name"]: c for c in _check(reference, current)["columns"]}[column]
    assert found["verdict"] == verdict
    assert reason is None or reason in (found["reason"] or "")


def test_a_constant_column_under_a_normed_distance_is_not_computable() -> None:
    drift = DriftConfig(methods={"income": FeatureMethod(method="wasserstein")})
    constant = _table(1, income=np.full(N, 7.0))
    found = _check(constant, _table(2, income=np.full(N, 7.0)), drift=drift)["columns"][0]
    assert (found["verdict"], found["statistic"]) == ("not_computable", None)
    assert "both constant" in found["reason"]


def test_a_check_that_compared_nothing_fails() -> None:
    rendered = _check(_table(1, n=10), _table(2, n=10), ignore={"income", "purpose", "is_new"})
    assert rendered["verdict"] == "fail" and rendered["reason"] == "no column could be compared"


def test_a_model_spec_chooses_the_columns_types_and_methods() -> None:
    spec = ModelSpec.model_validate(
        {
            "name": "credit",
            "features": [
                {"name": "income", "type": "numeric"},
                {"name": "purpose", "type": "text"},
                {"name": "region", "type": "categorical"},
            ],
        }
    )
    drift = DriftConfig(methods={"income": FeatureMethod(method="psi", threshold=0.2)})
    rendered = _check(_table(1), _table(2), spec, drift=drift)
    columns = {c["name"]: c for c in rendered["columns"]}
    assert list(columns) == ["income", "purpose", "region"]
    assert (columns["income"]["method"], columns["income"]["threshold"]) == ("psi", 0.2)
    assert columns["income"]["source"] == "config" and columns["income"]["automatic"] is False
    assert columns["purpose"]["verdict"] == "not_computable"
    assert "text features is not supported" in columns["purpose"]["reason"]
    assert columns["region"]["verdict"] == "fail"
    assert columns["region"]["reason"] == "missing from the current file"


def test_testing_columns_on_threads_gives_the_same_report() -> None:
    reference, current = _table(1), _table(2, shift=0.5)
    planned = plan_columns(reference, current)
    one = to_json(run_check(planned, DRIFT, QUALITY), "ref", "cur")
    four = to_json(run_check(planned, DRIFT, QUALITY, workers=4), "ref", "cur")
    assert one == four
