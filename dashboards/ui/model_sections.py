"""The Model page's other views: performance, bias, variants, and a feature's distribution.

Each function lays out what :mod:`dashboards.model_loaders` reads and
:mod:`dashboards.model_view` shapes; nothing here queries or computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboards.model_loaders import load_latest, load_performance, load_window_rows
from dashboards.model_view import (
    FAIRNESS,
    PERFORMANCE,
    category_shares,
    fairness_rows,
    group_rates,
    numeric_summary,
    numeric_values,
    performance_points,
    variant_rows,
)
from dashboards.views import DRIFT_DETECTOR, format_time

#: Colours of realized and estimated performance.
_KINDS = alt.Scale(domain=["realized", "estimated"], range=["#1f4e79", "#e07b00"])


def _frame(rows: Sequence[Any]) -> pd.DataFrame:
    return pd.DataFrame([asdict(r) for r in rows])


def performance(engine: Engine, model: str, span: timedelta) -> None:
    """Realized vs estimated performance with intervals, and label coverage, over time."""
    points = performance_points(load_performance(engine, model, span))
    if not points:
        st.caption("No performance results yet: labels or scores have not arrived.")
        return
    frame = _frame(points)
    metrics = sorted(frame["metric"].unique())
    metric = st.selectbox(
        "Metric", metrics, index=metrics.index("roc_auc") if "roc_auc" in metrics else 0
    )
    shown = frame[frame["metric"] == metric]
    base = alt.Chart(shown).encode(x=alt.X("window_end:T", title="Window end (UTC)"))
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title=metric, scale=alt.Scale(zero=False)),
        y2="high:Q",
        color=alt.Color("kind:N", scale=_KINDS, title=None),
    )
    line = base.mark_line(point=True).encode(
        y="value:Q",
        color=alt.Color("kind:N", scale=_KINDS, title=None),
        tooltip=["kind", "window_end:T", alt.Tooltip("value:Q", format=".3f")],
    )
    st.altair_chart(band + line, width="stretch")
    st.caption(
        "Realized: labelled predictions, with a 95% interval. Estimated (CBPE): "
        "from scores alone, with its band; it leads realized until labels arrive."
    )
    realized = shown[shown["kind"] == "realized"]
    if not realized.empty:
        coverage = (
            alt.Chart(realized)
            .mark_bar(opacity=0.7)
            .encode(
                x=alt.X("window_end:T", title="Window end (UTC)"),
                y=alt.Y("coverage:Q", title="Label coverage", axis=alt.Axis(format="%")),
            )
            .properties(height=140)
        )
        st.altair_chart(coverage, width="stretch")


def bias(engine: Engine, model: str) -> None:
    """The latest fairness metrics, and selection rate by group with 95% intervals."""
    latest = load_latest(engine, model, FAIRNESS)
    rows = fairness_rows(latest)
    if not rows:
        st.caption("No fairness results yet: no protected attribute or not enough labels.")
        return
    st.dataframe(_frame(rows), hide_index=True)
    rates = group_rates(latest)
    if not rates:
        return
    frame = _frame(rates)
    base = alt.Chart(frame).encode(y=alt.Y("group:N", title=None))
    bars = base.mark_bar(color="#1f4e79", opacity=0.7).encode(
        x=alt.X("selection_rate:Q", title="Selection rate (95% interval)"),
        tooltip=["attribute", "group", "size", alt.Tooltip("selection_rate:Q", format=".3f")],
    )
    errors = base.mark_errorbar(color="black").encode(
        x=alt.X("low:Q", title="Selection rate (95% interval)"), x2="high:Q"
    )
    chart = (bars + errors).facet(row=alt.Row("attribute:N", title=None))
    st.altair_chart(chart)


def variants(engine: Engine, model: str) -> None:
    """The latest realized metrics of each experiment arm, side by side."""
    rows = variant_rows(load_latest(engine, model, PERFORMANCE))
    if not rows:
        st.caption("No variants: predictions carry no experiment arm.")
        return
    frame = _frame(rows)
    st.dataframe(frame.pivot(index="metric", columns="variant", values="value"))
    base = alt.Chart(frame).encode(y=alt.Y("variant:N", title=None))
    chart = (
        base.mark_point(filled=True, size=80).encode(
            x=alt.X("value:Q", scale=alt.Scale(zero=False), title="Value (95% interval)"),
            color="variant:N",
        )
        + base.mark_errorbar().encode(x=alt.X("low:Q", title="Value (95% interval)"), x2="high:Q")
    ).facet(row=alt.Row("metric:N", title=None))
    st.altair_chart(chart)


def distribution(engine: Engine, model: str) -> None:
    """A chosen feature's reference and current distribution, as its latest drift saw them."""
    latest = {s.subject: s for s in load_latest(engine, model, DRIFT_DETECTOR)}
    if not latest:
        st.caption("No drift results yet.")
        return
    features = sorted(latest)
    asked = st.query_params.get("feature")
    feature = st.selectbox(
        "Feature", features, index=features.index(asked) if asked in features else 0
    )
    if feature is None:
        return
    signal = latest[feature]
    st.caption(
        f"Window {format_time(signal.window_start)} to {format_time(signal.window_end)}"
        f" · {signal.metric} {signal.value if signal.value is not None else 'n/a'}"
        f" · {signal.status}"
    )
    shares = category_shares(signal.details)
    if shares:
        chart = (
            alt.Chart(_frame(shares))
            .mark_bar()
            .encode(
                x=alt.X("share:Q", axis=alt.Axis(format="%")),
                y=alt.Y("category:N", title=None),
                color="source:N",
                yOffset="source:N",
            )
        )
        st.altair_chart(chart, width="stretch")
        return
    summary = numeric_summary(signal.details)
    values = numeric_values(load_window_rows(engine, model, signal), feature)
    left, right = st.columns(2)
    left.metric(
        "Reference mean",
        _shown(summary["reference_mean"]),
        help=f"standard deviation {_shown(summary['reference_std'])}",
    )
    right.metric("Current mean", _shown(summary["current_mean"]))
    if not values:
        st.caption("No numeric values of this feature in the window.")
        return
    hist = (
        alt.Chart(pd.DataFrame({feature: values}))
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X(f"{feature}:Q", bin=alt.Bin(maxbins=40), title=f"{feature} (current window)"),
            y=alt.Y("count()", title="Predictions"),
        )
    )
    layers: alt.LayerChart | alt.Chart = hist
    mean, std = summary["reference_mean"], summary["reference_std"]
    if mean is not None:
        marks = pd.DataFrame({"x": [mean], "lo": [mean - (std or 0)], "hi": [mean + (std or 0)]})
        layers = (
            hist
            + alt.Chart(marks).mark_rule(color="#b00020").encode(x="x:Q")
            + alt.Chart(marks).mark_rect(opacity=0.12, color="#b00020").encode(x="lo:Q", x2="hi:Q")
        )
    st.altair_chart(layers, width="stretch")
    st.caption(
        "Bars: the current window's values. Red: the reference mean ± one standard "
        "deviation, as recorded by the drift detector."
    )


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.4g}"
