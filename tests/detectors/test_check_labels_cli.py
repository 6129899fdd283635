"""``vigil check`` with labels: performance and fairness of current vs reference, via main."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from vigil.cli import main

LABEL_FLAGS = ("--target", "y", "--prediction", "pred", "--score", "score",
               "--ignore", "score,pred,y", "--format", "json")  # fmt: skip


def _labelled(seed: int, n: int = 3000, noise: float = 0.0, biased: bool = False) -> pa.Table:
    """A credit file: ``x`` drives the label; ``score`` is informative unless ``noise``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    group = rng.choice(["a", "b"], n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * x))).astype(int)
    score = 1 / (1 + np.exp(-2 * x))
    score = (1 - noise) * score + noise * rng.random(n)
    pred = (score >= 0.5).astype(int)
    if biased:
        pred = np.where(group == "b", pred * (rng.random(n) < 0.3), pred)
    return pa.table({"request_id": [f"{seed}-{i}" for i in range(n)], "x": x, "sex": group,
                     "y": y, "score": score, "pred": pred})  # fmt: skip


def _run(tmp_path: Path, current: pa.Table, *flags: str) -> tuple[int, dict[str, Any]]:
    ref, cur, out = tmp_path / "ref.csv", tmp_path / "cur.csv", tmp_path / "report.json"
    pacsv.write_csv(_labelled(1), ref)
    pacsv.write_csv(current, cur)
    argv = ["check", "--reference", str(ref), "--current", str(cur), "--out", str(out), *flags]
    code = main(argv)
    return code, json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}


def test_equal_performance_and_fair_predictions_pass_with_both_sections(tmp_path: Path) -> None:
    code, report = _run(tmp_path, _labelled(2), *LABEL_FLAGS, "--protected", "sex")
    assert code == 0, report["reason"]
    perf = report["performance"]
    assert (perf["metric"], perf["passed"]) == ("roc_auc", True)
    assert abs(perf["change"]) < 0.05
    [fair] = report["fairness"]
    assert fair["attribute"] == "sex" and fair["ratio"] > 0.8
    assert set(fair["groups"]) == {"a", "b"}


def test_a_roc_auc_drop_beyond_max_drop_fails_with_exit_1(tmp_path: Path) -> None:
    code, report = _run(tmp_path, _labelled(2, noise=0.9), *LABEL_FLAGS)
    assert code == 1
    assert report["performance"]["passed"] is False
    assert "roc_auc worsened" in report["reason"]


def test_a_looser_max_drop_lets_the_same_drop_pass(tmp_path: Path) -> None:
    code, report = _run(tmp_path, _labelled(2, noise=0.9), *LABEL_FLAGS, "--max-drop", "0.9")
    assert code == 0
    assert report["performance"]["change"] > 0.05


def test_a_protected_group_selected_far_less_often_fails_fairness(tmp_path: Path) -> None:
    code, report = _run(tmp_path, _labelled(2, biased=True), *LABEL_FLAGS, "--protected", "sex")
    assert code == 1
    [fair] = report["fairness"]
    assert fair["passed"] is False and fair["ratio"] < 0.8
    assert "demographic parity ratio" in report["reason"]


def test_without_scores_the_primary_metric_is_accuracy(tmp_path: Path) -> None:
    flags = ("--target", "y", "--prediction", "pred", "--ignore", "score,pred,y")
    code, report = _run(tmp_path, _labelled(2), *flags, "--format", "json")
    assert code == 0
    assert report["performance"]["metric"] == "accuracy"


def test_a_regression_target_fails_on_a_relative_rmse_increase(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)

    def table(error: float) -> pa.Table:
        truth = rng.normal(100, 10, 2000)
        return pa.table({"x": rng.normal(0, 1, 2000), "amount": truth,
                         "guess": truth + rng.normal(0, error, 2000)})  # fmt: skip

    ref, cur, out = tmp_path / "ref.csv", tmp_path / "cur.csv", tmp_path / "r.json"
    pacsv.write_csv(table(1.0), ref)
    pacsv.write_csv(table(1.5), cur)
    code = main(["check", "--reference", str(ref), "--current", str(cur), "--out", str(out),
                 "--target", "amount", "--prediction", "guess", "--ignore", "amount,guess",
                 "--format", "json"])  # fmt: skip
    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 1
    assert report["performance"]["metric"] == "rmse"
    assert report["performance"]["change"] == pytest.approx(0.5, abs=0.1)


def test_a_current_file_without_labels_gets_no_label_sections(tmp_path: Path) -> None:
    current = _labelled(2).drop_columns(["y"])
    code, report = _run(tmp_path, current, *LABEL_FLAGS)
    assert code == 0
    assert "performance" not in report and "fairness" not in report


def test_a_target_without_prediction_or_score_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run(tmp_path, _labelled(2), "--target", "y")
    assert code == 2
    assert "--target needs --prediction or --score" in capsys.readouterr().err


def test_the_markdown_report_gains_performance_and_fairness_tables(
    tmp_path: Path,
) -> None:
    ref, cur, out = tmp_path / "ref.csv", tmp_path / "cur.csv", tmp_path / "r.md"
    pacsv.write_csv(_labelled(1), ref)
    pacsv.write_csv(_labelled(2, biased=True), cur)
    flags = [*LABEL_FLAGS[:-2], "--protected", "sex", "--format", "md"]
    code = main(["check", "--reference", str(ref), "--current", str(cur), "--out", str(out),
                 *flags])  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert code == 1
    assert "### Performance" in text and "| roc_auc |" in text
    assert "### Fairness" in text and "| `sex` |" in text
