"""The Streamlit pages, run in-process by Streamlit's AppTest against SQLite stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_seed import (
    ALERT_SUMMARY,
    DRIFTING_FEATURE,
    MODEL,
    RUNBOOK_URL,
    SLO_NAME,
    UNREGISTERED_MODEL,
)
from streamlit.testing.v1 import AppTest

from dashboards.launch import APP_PATH, DATABASE_URL_ENV, RUNBOOKS_DIR_ENV, TITLE_ENV
from dashboards.views import BREACH_BACKGROUND

FLEET, MODEL_PAGE, SLOS, RUNBOOKS = "ui/fleet.py", "ui/model.py", "ui/slos.py", "ui/runbooks.py"


def _run(
    monkeypatch: pytest.MonkeyPatch,
    url: str | None,
    page: str = FLEET,
    *,
    title: str | None = None,
    query: dict[str, str] | None = None,
) -> AppTest:
    if url is None:
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, url)
    if title is None:
        monkeypatch.delenv(TITLE_ENV, raising=False)
    else:
        monkeypatch.setenv(TITLE_ENV, title)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.query_params.update(query or {})
    app.run()
    if page != FLEET:
        app.switch_page(page).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_the_fleet_shows_a_tile_per_model_most_urgent_first(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url)
    assert [s.value for s in app.subheader] == [MODEL, UNREGISTERED_MODEL]
    lights = [m.value for m in app.markdown if "-badge[" in m.value]
    assert lights == [
        ":red-badge[Drift: red] 1 of 2 features drifting",
        ":gray-badge[Quality: grey] no quality results",
        ":red-badge[Performance: red] roc_auc 0.7 (threshold 0.75)",
        ":orange-badge[Estimated: amber] estimated roc_auc 0.76 (threshold 0.75), "
        "within its uncertainty",
        ":red-badge[Bias: red] 1 of 1 group metrics out of bounds",
        ":orange-badge[SLOs: amber] lowest budget left 62%",
        ":red-badge[Incidents: red] 1 open incident, 1 unacknowledged",
        ":red-badge[Alerts: red] 1 open alert",
        ":green-badge[Drift: green] 0 of 1 features drifting",
        ":gray-badge[Quality: grey] no quality results",
        ":gray-badge[Performance: grey] no performance results",
        ":gray-badge[Estimated: grey] no estimated performance results",
        ":gray-badge[Bias: grey] no bias results",
        ":gray-badge[SLOs: grey] no SLOs",
        ":green-badge[Incidents: green] no open incidents",
        ":green-badge[Alerts: green] no open alerts",
    ]
    assert f"[Open model page](model?model={MODEL})" in [m.value for m in app.markdown]
    assert [c.value for c in app.caption][1:] == [
        "Latest signal: 2026-03-02 10:00 UTC",
        "Latest signal: 2026-03-02 10:00 UTC",
    ]


def test_the_model_page_shows_counts_drift_open_alerts_and_drift_over_time(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url, MODEL_PAGE)
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
    assert (alert["summary"], alert["runbook"], alert["severity"], alert["runbook_page"]) == (
        ALERT_SUMMARY,
        RUNBOOK_URL,
        "page",
        "runbooks?runbook=feature-drift",
    )
    assert '"type": "link"' in alerts.proto.columns
    assert app.radio[0].value == "7 days"
    assert len(app.get("vega_lite_chart")) == 1


def test_only_the_breaching_row_of_the_drift_table_is_highlighted(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    drift = _run(monkeypatch, seeded_url, MODEL_PAGE).dataframe[0]
    styles = drift.proto.arrow_data.styler.styles
    assert BREACH_BACKGROUND.split(": ", 1)[1] in styles
    assert "_row0_col0" in styles
    assert "_row1_" not in styles
    assert "_row2_" not in styles


def test_choosing_another_model_shows_its_health(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url, MODEL_PAGE)
    app.selectbox[0].select(UNREGISTERED_MODEL).run()
    assert not app.exception
    assert [h.value for h in app.header] == [UNREGISTERED_MODEL]
    assert list(app.dataframe[0].value["feature"]) == ["amount"]
    assert len(app.dataframe) == 1
    assert [s.value for s in app.success] == ["No open alerts."]


def test_a_model_named_in_the_url_is_the_one_shown(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url, MODEL_PAGE, query={"model": UNREGISTERED_MODEL})
    assert [h.value for h in app.header] == [UNREGISTERED_MODEL]


def test_the_slos_page_shows_budget_burn_rates_and_forecast(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _run(monkeypatch, seeded_url, SLOS)
    slos, burns = app.dataframe
    row = slos.value.iloc[0]
    assert (row["slo"], row["state"], row["budget_remaining"], row["exhausted_in"]) == (
        SLO_NAME,
        "ticket",
        0.62,
        "in 2d 3h",
    )
    assert list(burns.value.columns) == ["5m", "30m", "1h", "6h"]
    assert burns.value.loc[SLO_NAME, "5m"] == 7.5
    assert burns.value.isna().loc[SLO_NAME, "30m"]
    assert app.metric[0].value == "0 of 1"


def test_the_runbooks_page_renders_the_runbook_named_in_the_url(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    monkeypatch.delenv(RUNBOOKS_DIR_ENV, raising=False)
    app = _run(monkeypatch, empty_url, RUNBOOKS, query={"runbook": "slo-burn"})
    assert app.selectbox[0].value == "slo-burn"
    body = "\n".join(m.value for m in app.markdown)
    assert "## How to diagnose" in body
    assert "SLOErrorBudgetSlowBurn" in body
    assert not app.warning


def test_the_runbooks_page_lists_invalid_runbooks_as_warnings(
    monkeypatch: pytest.MonkeyPatch, empty_url: str, tmp_path: Path
) -> None:
    (tmp_path / "broken.md").write_text("# no front matter\n")
    monkeypatch.setenv(RUNBOOKS_DIR_ENV, str(tmp_path))
    app = _run(monkeypatch, empty_url, RUNBOOKS)
    assert "broken.md: (front matter): missing" in app.warning[0].value
    assert app.info[0].value.startswith("No runbooks in")


@pytest.mark.parametrize("page", [FLEET, MODEL_PAGE], ids=["on the fleet", "on a model"])
def test_an_empty_store_says_there_are_no_models_yet(
    monkeypatch: pytest.MonkeyPatch, empty_url: str, page: str
) -> None:
    app = _run(monkeypatch, empty_url, page)
    assert app.info[0].value.startswith("No models yet.")
    assert not app.selectbox
    assert not app.error


def test_an_empty_store_has_no_slos_yet(monkeypatch: pytest.MonkeyPatch, empty_url: str) -> None:
    app = _run(monkeypatch, empty_url, SLOS)
    assert app.info[0].value.startswith("No SLO has been evaluated yet.")


def test_a_store_vigil_never_initialised_also_says_no_models_yet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = _run(monkeypatch, f"sqlite:///{tmp_path / 'blank.db'}")
    assert app.info[0].value.startswith("No models yet.")


@pytest.mark.parametrize("page", [FLEET, MODEL_PAGE, SLOS], ids=["fleet", "model", "slos"])
def test_without_a_database_url_each_page_says_how_to_start_it(
    monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    app = _run(monkeypatch, None, page)
    assert DATABASE_URL_ENV in app.error[0].value
    assert "vigil dashboard" in app.error[0].value


@pytest.mark.parametrize("page", [FLEET, MODEL_PAGE, SLOS], ids=["fleet", "model", "slos"])
def test_an_unreachable_store_is_an_error_message_without_the_password(
    monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    app = _run(monkeypatch, "postgresql://vigil:s3cret@127.0.0.1:1/nowhere", page)
    assert "cannot be read" in app.error[0].value
    assert "s3cret" not in app.error[0].value


def test_the_title_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    assert _run(monkeypatch, empty_url).title[0].value == "Vigil — model health"
    assert _run(monkeypatch, empty_url, title="Clinical models").title[0].value == "Clinical models"
