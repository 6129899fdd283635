"""The Model page's performance, bias, variants and distribution views (AppTest on the seeded
store), and the pure functions that shape them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dashboard_seed import DRIFTING_FEATURE, MODEL, PROTECTED, VARIANTS
from streamlit.testing.v1 import AppTest

from dashboards.launch import APP_PATH, DATABASE_URL_ENV
from dashboards.model_view import (
    category_shares,
    group_rates,
    numeric_values,
    performance_points,
    variant_rows,
    wilson,
)
from store.records import Signal

PAGE = "ui/model.py"


def _view(monkeypatch: pytest.MonkeyPatch, url: str, **query: str) -> AppTest:
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.query_params.update({"model": MODEL, **query})
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _charts(app: AppTest) -> int:
    return len(app.get("vega_lite_chart"))


def test_performance_shows_realized_and_estimated_with_coverage(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _view(monkeypatch, seeded_url, view="performance")
    assert app.selectbox[1].value == "performance"
    assert app.selectbox[2].options == ["roc_auc"]
    assert _charts(app) == 2  # the metric with its bands, and the label coverage
    spec = app.get("vega_lite_chart")[0].proto.spec
    assert "estimated" in spec and "realized" in spec


def test_bias_lists_the_breaching_metric_and_the_groups_with_intervals(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _view(monkeypatch, seeded_url, view="bias")
    row = app.dataframe[0].value.iloc[0]
    assert (row["metric"], row["attribute"], row["status"]) == (
        "demographic_parity_ratio",
        PROTECTED,
        "breach",
    )
    assert _charts(app) == 1
    assert "female" in str(app.get("vega_lite_chart")[0].proto)  # the groups are the data


def test_variants_are_side_by_side(monkeypatch: pytest.MonkeyPatch, seeded_url: str) -> None:
    app = _view(monkeypatch, seeded_url, view="variants")
    table = app.dataframe[0].value
    assert sorted(table.columns) == sorted(VARIANTS)
    assert table.loc["roc_auc", "control"] == 0.7
    assert table.loc["roc_auc", "challenger"] == 0.78
    assert _charts(app) == 1


def test_the_distribution_of_a_numeric_feature_shows_reference_and_current(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _view(monkeypatch, seeded_url, view="distribution", feature=DRIFTING_FEATURE)
    assert app.selectbox[2].value == DRIFTING_FEATURE
    assert {m.label: m.value for m in app.metric} == {
        "Reference mean": "1,500",
        "Current mean": "1,616",
    }
    assert _charts(app) == 1


def test_the_default_view_is_unchanged_and_other_models_have_empty_views(
    monkeypatch: pytest.MonkeyPatch, seeded_url: str
) -> None:
    app = _view(monkeypatch, seeded_url)
    assert app.selectbox[1].value == "drift"
    for view, text in (
        ("performance", "No performance results yet"),
        ("bias", "No fairness results yet"),
        ("variants", "No variants"),
    ):
        app = _view(monkeypatch, seeded_url, view=view, model="fraud-legacy")
        assert any(c.value.startswith(text) for c in app.caption), view


T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _s(detector: str, subject: str, value: float | None, **details: object) -> Signal:
    return Signal(detector, "m", subject, subject.split("/")[0], T - timedelta(hours=1), T,
                  value, None, "ok", 100, dict(details))  # fmt: skip


def test_wilson_matches_the_textbook_interval() -> None:
    low, high = wilson(0.5, 100)
    assert (round(low, 4), round(high, 4)) == (0.4038, 0.5962)
    assert wilson(0.0, 0) == (0.0, 1.0)
    assert wilson(0.0, 10)[0] == 0.0


def test_shaping_keeps_whole_model_points_groups_once_and_arms_apart() -> None:
    points = performance_points([
        _s("performance", "roc_auc", 0.8, coverage=0.5, interval={"low": 0.7, "high": 0.9}),
        _s("performance", "roc_auc/region=eu", 0.6),
        _s("estimated_performance", "roc_auc", 0.82, band={"low": 0.8, "high": 0.84}),
        _s("performance", "f1", None),
    ])  # fmt: skip
    assert [(p.kind, p.value, p.low, p.coverage) for p in points] == [
        ("estimated", 0.82, 0.8, None), ("realized", 0.8, 0.7, 0.5),
    ]  # fmt: skip
    groups = {"a": {"size": 100, "selection_rate": 0.5}, "b": {"size": 0, "selection_rate": None}}
    rates = group_rates([
        _s("fairness", "demographic_parity_ratio/sex", 0.5, attribute="sex", groups=groups),
        _s("fairness", "equal_opportunity_ratio/sex", 0.9, attribute="sex", groups=groups),
    ])  # fmt: skip
    assert [(r.group, r.size, round(r.low, 4)) for r in rates] == [("a", 100, 0.4038)]
    stored = {"a": {"selection_rate": [0.41, 0.59]}}
    [rate] = group_rates([_s("fairness", "x/sex", 0.5, attribute="sex", groups=groups,
                             group_intervals=stored)])  # fmt: skip
    assert (rate.low, rate.high) == (0.41, 0.59)
    arms = variant_rows([_s("performance", "roc_auc/variant=b", 0.7),
                         _s("performance", "roc_auc/variant=a", 0.8)])  # fmt: skip
    assert [(r.variant, r.value) for r in arms] == [("a", 0.8), ("b", 0.7)]
    shares = category_shares({"reference_top": {"car": 0.6}, "current_top": {"car": 0.2}})
    assert [(c.source, c.share) for c in shares] == [("reference", 0.6), ("current", 0.2)]
    rows: list[dict[str, object]] = [{"x": 1}, {"x": True}, {"x": float("nan")}, {"x": "2"}, {}]
    assert numeric_values(rows, "x") == [1.0]
