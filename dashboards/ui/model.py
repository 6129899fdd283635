"""Model page: one model's counts, latest drift per feature, open alerts and drift over time;
and, chosen in ``Show`` (or ``?view=`` in the URL), its performance (realized vs estimated,
label coverage), bias by group, variants side by side, or a feature's distribution."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboards.heatmap import HeatCell
from dashboards.loaders import load_drift_heatmap
from dashboards.overview import ModelOverview, load_overview
from dashboards.ui import model_sections
from dashboards.ui.common import NO_MODELS, store_engine, store_error
from dashboards.views import AlertRow, DriftRow, row_style
from store.errors import StoreError
from store.health import list_models

_DRIFT_COLUMNS = {
    "feature": st.column_config.TextColumn("Feature"),
    "method": st.column_config.TextColumn("Method"),
    "value": st.column_config.NumberColumn("Value"),
    "threshold": st.column_config.NumberColumn("Threshold"),
    "status": st.column_config.TextColumn("Status"),
    "window_end": st.column_config.TextColumn("Window end"),
    "reason": st.column_config.TextColumn("Reason"),
}

#: How drift values are printed (Streamlit shows the Styler's display values).
_NUMBER_FORMATS = {"value": "{:.4f}", "threshold": "{:.4f}"}

_ALERT_COLUMNS = {
    "alertname": st.column_config.TextColumn("Alert"),
    "severity": st.column_config.TextColumn("Severity"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
    "since": st.column_config.TextColumn("Since"),
    "runbook": st.column_config.LinkColumn("Runbook", display_text="Open runbook"),
    "runbook_page": st.column_config.LinkColumn("In dashboard", display_text="Runbooks page"),
}

#: Heatmap colours at 0, 1 (the threshold) and 2 times the threshold: calm until a breach.
_HEAT_COLORS = ["#eef3f8", "#fdd49e", "#b30000"]

#: The heatmap's time ranges, before the model's latest drift window.
RANGES = {"24 hours": timedelta(days=1), "7 days": timedelta(days=7), "30 days": timedelta(days=30)}

#: The page's views, by the name ``?view=`` takes.
VIEWS = {
    "drift": "Drift and alerts",
    "performance": "Performance",
    "bias": "Bias by group",
    "variants": "Variants",
    "distribution": "Feature distribution",
}


def _drift_table(rows: list[DriftRow]) -> None:
    if not rows:
        st.caption("No drift results yet: the drift detector has not run for this model.")
        return
    columns = [f.name for f in fields(DriftRow)]
    frame = pd.DataFrame([asdict(row) for row in rows], columns=columns)
    highlighted = frame.style.apply(lambda row: row_style(str(row["status"]), len(row)), axis=1)
    styled = highlighted.format(_NUMBER_FORMATS)
    shown = columns if any(row.reason for row in rows) else columns[:-1]
    st.dataframe(styled, hide_index=True, column_order=shown, column_config=_DRIFT_COLUMNS)


def _alerts_table(rows: list[AlertRow]) -> None:
    if not rows:
        st.success("No open alerts.")
        return
    columns = [f.name for f in fields(AlertRow)]
    frame = pd.DataFrame([asdict(row) for row in rows], columns=columns)
    st.dataframe(frame, hide_index=True, column_config=_ALERT_COLUMNS)


def _heatmap(cells: list[HeatCell]) -> None:
    if not cells:
        st.caption("No drift history yet.")
        return
    frame = pd.DataFrame([asdict(c) for c in cells])
    chart = (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("bucket:T", title="Window end (UTC)"),
            y=alt.Y("feature:N", title=None),
            color=alt.Color(
                "ratio:Q",
                title="Drift ÷ threshold",
                scale=alt.Scale(domain=[0, 1, 2], range=_HEAT_COLORS, clamp=True),
            ),
            tooltip=["feature", "bucket:T", alt.Tooltip("ratio:Q", format=".2f"), "breaches"],
        )
        .properties(height=max(120, 24 * frame["feature"].nunique()))
    )
    st.altair_chart(chart, width="stretch")
    st.caption("Worst drift in each cell relative to its threshold: 1 or more is a breach.")


def _overview(engine: Engine, view: ModelOverview) -> None:
    predictions, drifting, alerts = st.columns(3)
    predictions.metric("Predictions stored", f"{view.predictions:,}")
    drifting.metric("Features drifting", f"{view.drifting} of {len(view.drift)}")
    alerts.metric("Open alerts", len(view.alerts))
    st.subheader("Drift: latest window per feature")
    _drift_table(view.drift)
    st.subheader("Open alerts")
    _alerts_table(view.alerts)
    st.subheader("Drift per feature over time")
    span = st.radio("Range", list(RANGES), index=1, horizontal=True) or "7 days"
    _heatmap(load_drift_heatmap(engine, view.model, RANGES[span]))


def _view(engine: Engine, model: str, view: str) -> None:
    if view == "performance":
        span = st.radio("Range", list(RANGES), index=1, horizontal=True) or "7 days"
        model_sections.performance(engine, model, RANGES[span])
    elif view == "bias":
        model_sections.bias(engine, model)
    elif view == "variants":
        model_sections.variants(engine, model)
    elif view == "distribution":
        model_sections.distribution(engine, model)
    else:
        _overview(engine, load_overview(engine, model))


def render() -> None:
    """Lay out one model, chosen in a select box (or by ``?model=`` in the URL)."""
    engine = store_engine()
    if engine is None:
        return
    try:
        models = list_models(engine)
        if not models:
            st.info(NO_MODELS)
            return
        asked = st.query_params.get("model")
        model = st.selectbox("Model", models, index=models.index(asked) if asked in models else 0)
        if model is None:
            return
        st.query_params["model"] = model  # the URL now shares this model's page
        st.header(model)
        names = list(VIEWS)
        asked_view = st.query_params.get("view")
        view = st.selectbox(
            "Show",
            names,
            index=names.index(asked_view) if asked_view in names else 0,
            format_func=lambda name: VIEWS[name],
        )
        if view and view != "drift":
            st.query_params["view"] = view
        elif "view" in st.query_params:
            del st.query_params["view"]
        _view(engine, model, view or "drift")
    except StoreError as exc:
        store_error(exc)


render()
