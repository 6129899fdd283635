"""``vigil report drift``: Evidently's HTML report of a stored window, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from report_window import MODEL, store_window, write_reference
from sqlalchemy import Engine

from detectors.evidently_report import (
    EmptyWindow,
    ReportInputError,
    drift_report_html,
    reported_columns,
)
from store.specs import FeatureType
from vigil.cli import main

pytest.importorskip("evidently", reason="evidently is in the reports and dev extras")


def _config(tmp_path: Path, url: str, reference: Path) -> Path:
    path = tmp_path / "vigil.yaml"
    path.write_text(
        "version: vigil/v1\n"
        f'storage: {{url: "{url}"}}\n'
        "models:\n"
        f"  - name: {MODEL}\n"
        f"    reference: {{path: {reference}}}\n"
        "    features:\n"
        "      - {name: income, type: numeric}\n"
        "      - {name: purpose, type: categorical}\n"
        "      - {name: officer_comment, type: text}\n",
        encoding="utf-8",
    )
    return path


def test_the_report_of_a_stored_window_is_one_self_contained_html_page_with_a_title(
    engine: Engine, tmp_path: Path, t0: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    store_window(engine, t0)
    url = engine.url.render_as_string(hide_password=False)
    config = _config(tmp_path, url, write_reference(tmp_path / "ref.csv"))
    out = tmp_path / "window.html"
    code = main(
        ["report", "drift", "--config", str(config), "--model", MODEL,
         "--start", t0.isoformat(), "--end", (t0 + timedelta(hours=1)).isoformat(),
         "--out", str(out)]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    title = re.search(r"<title>([^<]*)</title>", page)
    assert title is not None
    assert title.group(1) == (
        "Data drift of credit-risk: 2026-03-02 09:00 to 2026-03-02 10:00 UTC "
        "(300 predictions against 400 reference rows)"
    )
    # Evidently's drift table names both compared columns; the text feature is left out.
    assert '"income"' in page and '"purpose"' in page
    assert "officer_comment" not in page and "extra_column" not in page
    assert "Dataset Drift is detected" in page
    assert f"written to {out}" in capsys.readouterr().out


def test_an_empty_window_exits_1_and_an_unknown_model_exits_2(
    sqlite_engine: Engine, tmp_path: Path, t0: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    store_window(sqlite_engine, t0)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config = _config(tmp_path, url, write_reference(tmp_path / "ref.csv"))
    later = t0 + timedelta(days=1)
    window = ["--start", later.isoformat(), "--end", (later + timedelta(hours=1)).isoformat()]
    args = ["report", "drift", "--config", str(config)]
    assert main([*args, "--model", MODEL, *window, "--out", str(tmp_path / "x.html")]) == 1
    assert "the current window has no rows" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()
    assert main([*args, "--model", "fraud", *window]) == 2
    assert "model 'fraud' is not in" in capsys.readouterr().err
    backwards = ["--start", later.isoformat(), "--end", t0.isoformat()]
    assert main([*args, "--model", MODEL, *backwards]) == 2
    assert "--end must be after --start" in capsys.readouterr().err


def test_the_default_file_name_says_model_and_window(
    sqlite_engine: Engine, tmp_path: Path, t0: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_window(sqlite_engine, t0, n=50)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config = _config(tmp_path, url, write_reference(tmp_path / "ref.csv"))
    monkeypatch.chdir(tmp_path)
    end = t0 + timedelta(minutes=30)
    args = ["report", "drift", "-c", str(config), "--model", MODEL]
    assert main([*args, "--start", "2026-03-02T09:00:00Z", "--end", end.isoformat()]) == 0
    assert (tmp_path / "drift-credit-risk-20260302T0900Z-20260302T0930Z.html").is_file()


def test_rows_without_comparable_columns_or_rows_are_refused_before_evidently_runs() -> None:
    rows = [{"x": 1.0}]
    with pytest.raises(ReportInputError, match="no numeric, categorical or boolean column"):
        drift_report_html(rows, rows, columns={"t": "text"}, title="t")
    with pytest.raises(ReportInputError, match="the reference has no rows"):
        drift_report_html([], rows, columns={"x": "numeric"}, title="t")
    with pytest.raises(EmptyWindow):
        drift_report_html(rows, [], columns={"x": "numeric"}, title="t")
    assert reported_columns({"a": "numeric", "e": "embedding", "b": "boolean"}) == {
        "a": "numeric",
        "b": "boolean",
    }


def test_the_title_is_escaped_and_numbers_sent_as_text_are_compared_as_numbers() -> None:
    rng = np.random.default_rng(3)
    reference = [{"x": float(v), "c": "a"} for v in rng.normal(0, 1, 200)]
    current = [{"x": str(v + 3), "c": "b"} for v in rng.normal(0, 1, 200)]
    page = drift_report_html(
        reference, current, columns={"x": "numeric", "c": "categorical"}, title="<x> & y"
    )
    assert "<title>&lt;x&gt; &amp; y</title>" in page
    assert "Dataset Drift is detected" in page


def test_a_column_without_values_on_one_side_is_left_out_and_named() -> None:
    rng = np.random.default_rng(4)
    reference = [{"x": float(v), "c": "a", "gone": None} for v in rng.normal(0, 1, 100)]
    current = [{"x": float(v), "c": None, "gone": None} for v in rng.normal(0, 1, 50)]
    columns: dict[str, FeatureType] = {"x": "numeric", "c": "categorical", "gone": "numeric"}
    page = drift_report_html(reference, current, columns=columns, title="t")
    assert "Not compared, no values on one side: c, gone." in page
    with pytest.raises(ReportInputError, match="every column is empty"):
        drift_report_html(reference, current, columns={"gone": "numeric"}, title="t")
