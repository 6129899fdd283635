"""``vigil check`` prints fairness with its uncertainty, and leaves model outputs out of drift.

With ``--target``/``--prediction``/``--score``, those columns are judged by the performance
check; the drift test skips them by itself (no ``--ignore`` needed), while a ``--protected``
attribute stays a drift-tested input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from detectors.check_labels import fairness_check
from detectors.check_plan import OUTPUT_SKIP, plan_columns
from vigil.cli import main


def credit(seed: int, n: int = 3000, biased: bool = False, score_shift: float = 0.0) -> pa.Table:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    sex = rng.choice(["a", "b"], n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * x))).astype(int)
    score = np.clip(1 / (1 + np.exp(-2 * x)) + score_shift, 0, 1)
    pred = (score >= 0.5).astype(int)
    if biased:
        pred = np.where(sex == "b", pred * (rng.random(n) < 0.3), pred)
    return pa.table({"x": x, "sex": sex, "y": y, "score": score, "pred": pred})


def check(tmp_path: Path, current: pa.Table, *flags: str) -> tuple[int, str]:
    ref, cur, out = tmp_path / "ref.csv", tmp_path / "cur.csv", tmp_path / "report.out"
    pacsv.write_csv(credit(1), ref)
    pacsv.write_csv(current, cur)
    code = main(
        ["check", "--reference", str(ref), "--current", str(cur), "--out", str(out), *flags]
    )
    return code, out.read_text(encoding="utf-8")


LABELS = ("--target", "y", "--prediction", "pred", "--score", "score")


def columns(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["columns"]}


def test_target_prediction_and_score_are_skipped_without_ignore_and_protected_stays(
    tmp_path: Path,
) -> None:
    code, text = check(tmp_path, credit(2), *LABELS, "--protected", "sex", "--format", "json")
    report = json.loads(text)
    assert code == 0, report["reason"]
    found = columns(report)
    for name in ("y", "pred", "score"):
        assert (found[name]["verdict"], found[name]["reason"]) == ("skipped", OUTPUT_SKIP)
    assert found["sex"]["verdict"] == "pass" and found["sex"]["method"] is not None
    assert found["x"]["verdict"] == "pass"


def test_a_shifted_score_no_longer_fails_the_gate_as_drift(tmp_path: Path) -> None:
    """Scores moved up by 0.3 (a recalibration): without the exclusion the score column
    drifts and fails the check; with it, only performance judges the scores."""
    current = credit(2, score_shift=0.3)
    code, text = check(tmp_path, current, *LABELS, "--max-drop", "0.2", "--format", "json")
    report = json.loads(text)
    assert code == 0, report["reason"]
    assert columns(report)["score"]["verdict"] == "skipped"
    code, text = check(tmp_path, current, "--format", "json")  # unlabelled: a plain column
    report = json.loads(text)
    assert code == 1 and columns(report)["score"]["verdict"] == "fail"


def test_plan_columns_skips_outputs_also_with_a_model_spec_naming_them() -> None:
    from store.specs import ModelSpec

    table = credit(3, n=50)
    spec = ModelSpec.model_validate(
        {"name": "m", "features": [{"name": "x", "type": "numeric"},
                                   {"name": "score", "type": "numeric"}]}
    )  # fmt: skip
    planned = {c.name: c for c in plan_columns(table, table, spec, outputs={"score", "y"})}
    assert planned["score"].skip == OUTPUT_SKIP and planned["x"].skip is None


def test_json_report_carries_the_ratio_interval_and_each_groups_selection_rate_interval(
    tmp_path: Path,
) -> None:
    code, text = check(tmp_path, credit(2), *LABELS, "--protected", "sex", "--format", "json")
    assert code == 0
    [fair] = json.loads(text)["fairness"]
    interval = fair["interval"]
    assert interval["method"] == "stratified_bootstrap" and interval["level"] == 0.95
    assert interval["low"] < fair["ratio"] < interval["high"]
    for group in fair["groups"].values():
        low, high = group["selection_rate_interval"]
        assert low < group["selection_rate"] < high


def test_markdown_shows_the_interval_and_a_failing_reason_quotes_it(tmp_path: Path) -> None:
    code, text = check(tmp_path, credit(2, biased=True), *LABELS, "--protected", "sex")
    assert code == 1
    assert "| attribute | demographic parity ratio | 95% CI | min |" in text
    fairness = text.split("### Fairness", 1)[1]
    row = next(line for line in fairness.splitlines() if line.startswith("| `sex`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    low, high = (float(v) for v in cells[2].split("-"))
    assert low < float(cells[1]) < high < 0.8
    assert "(95% CI" in text and "a: " in cells[4] and "[" in cells[4]


def test_small_groups_are_shown_with_their_interval_but_left_out_of_the_ratio() -> None:
    groups = ["a"] * 400 + ["b"] * 400 + ["c"] * 10
    positive = np.array([1, 0] * 200 + [1, 0, 0, 0] * 100 + [0] * 10, dtype=np.int64)
    found = fairness_check("g", groups, positive, 0.8, min_group_size=30)
    assert found.ratio == pytest.approx(0.5)  # c (rate 0) would make it 0
    assert found.groups["c"]["selection_rate_interval"][1] > 0.2  # wide: only 10 rows
    assert found.interval is not None and found.interval["high"] < 0.8
    assert found.passed is False and "95% CI" in (found.reason or "")
