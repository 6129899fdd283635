"""The Streamlit page, run in-process by Streamlit's AppTest against SQLite stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_seed import (
    ALERT_SUMMARY,
    DRIFTING_FEATURE,
    MODEL,
    RUNBOOK_URL,
    UNREGISTERED_MODEL,
)
from streamlit.testing.v1 import AppTest

from dashboards.launch import APP_PATH, DATABASE_URL_ENV, TITLE_ENV
from dashboards.views import BREACH_BACKGROUND


def _run(monkeypatch: pytest.MonkeyPatch, url: str | None, title: str | None = None) -> AppTest:
    if url is None:
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, url)
    if title is None:
        monkeypatch.delenv(TITLE_ENV, raising=False)
    else:
        monkeypatch.setenv(TITLE_ENV, title)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_the_page_shows_counts_drift_and_open_alerts_of_the_first_model(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url)
    assert app.selectbox[0].options == [MODEL, UNREGISTERED_MODEL]
    assert app.selectbox[0].value == MODEL
    assert {m.label: m.value for m in app.metric} == {
        "Predictions stored": "1,234",
        "Features drifting": "1 of 3",
        "Open alerts": "1",
    }
    drift, alerts = app.dataframe
    first = drift.value.iloc[0]
    assert (first["feature"], first["status"], first["value"]) == (DRIFTING_FEATURE, "breach", 0.31)
    reasons = dict(zip(drift.value["feature"], drift.value["reason"], strict=True))
    assert reasons["zip_code"] == "too few rows"
    alert = alerts.value.iloc[0]
    assert (alert["summary"], alert["runbook"], alert["severity"]) == (
        ALERT_SUMMARY,
        RUNBOOK_URL,
        "page",
    )
    assert '"type": "link"' in alerts.proto.columns


def test_only_the_breaching_row_of_the_drift_table_is_highlighted(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    drift = _run(monkeypatch, seeded_url).dataframe[0]
    styles = drift.proto.arrow_data.styler.styles
    assert BREACH_BACKGROUND.split(": ", 1)[1] in styles
    assert "_row0_col0" in styles
    assert "_row1_" not in styles
    assert "_row2_" not in styles


def test_choosing_another_model_shows_its_health(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url)
    app.selectbox[0].select(UNREGISTERED_MODEL).run()
    assert not app.exception
    assert [h.value for h in app.header] == [UNREGISTERED_MODEL]
    assert list(app.dataframe[0].value["feature"]) == ["amount"]
    assert len(app.dataframe) == 1
    assert [s.value for s in app.success] == ["No open alerts."]


def test_an_empty_store_says_there_are_no_models_yet(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    app = _run(monkeypatch, empty_url)
    assert app.info[0].value.startswith("No models yet.")
    assert not app.selectbox
    assert not app.error


def test_a_store_vigil_never_initialised_also_says_no_models_yet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = _run(monkeypatch, f"sqlite:///{tmp_path / 'blank.db'}")
    assert app.info[0].value.startswith("No models yet.")


def test_without_a_database_url_the_page_says_how_to_start_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _run(monkeypatch, None)
    assert DATABASE_URL_ENV in app.error[0].value
    assert "vigil dashboard" in app.error[0].value


def test_an_unreachable_store_is_an_error_message_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _run(monkeypatch, "postgresql://vigil:s3cret@127.0.0.1:1/nowhere")
    assert "cannot be read" in app.error[0].value
    assert "s3cret" not in app.error[0].value


def test_the_title_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    assert _run(monkeypatch, empty_url).title[0].value == "Vigil — model health"
    assert _run(monkeypatch, empty_url, "Clinical models").title[0].value == "Clinical models"
