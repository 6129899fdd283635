"""Vigil's dashboard: the health of each model, for anyone who needs to know.

Run by `vigil dashboard` as ``streamlit run dashboards/app.py`` with the database URL in
``VIGIL_DATABASE_URL`` and an optional page title in ``VIGIL_DASHBOARD_TITLE``. Read-only:
every query goes through the store's functions, every row is shaped by
:mod:`dashboards.views`; this script only lays them out. It is the one module of Vigil that
imports Streamlit.
"""

from __future__ import annotations

import os
from dataclasses import asdict, fields

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboards.config import DashboardsConfig
from dashboards.launch import DATABASE_URL_ENV, TITLE_ENV
from dashboards.overview import ModelOverview, load_overview
from dashboards.views import AlertRow, DriftRow, row_style
from store.db import create_store_engine
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

#: How drift values are printed (Streamlit shows the Styler's display values; a missing
#: value still shows as a grey "None").
_NUMBER_FORMATS = {"value": "{:.4f}", "threshold": "{:.4f}"}

_ALERT_COLUMNS = {
    "alertname": st.column_config.TextColumn("Alert"),
    "severity": st.column_config.TextColumn("Severity"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
    "since": st.column_config.TextColumn("Since"),
    "runbook": st.column_config.LinkColumn("Runbook", display_text="Open runbook"),
}


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the whole server."""
    return create_store_engine(url)


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


def _overview(view: ModelOverview) -> None:
    predictions, drifting, alerts = st.columns(3)
    predictions.metric("Predictions stored", f"{view.predictions:,}")
    drifting.metric("Features drifting", f"{view.drifting} of {len(view.drift)}")
    alerts.metric("Open alerts", len(view.alerts))
    st.subheader("Drift: latest window per feature")
    _drift_table(view.drift)
    st.subheader("Open alerts")
    _alerts_table(view.alerts)


def main() -> None:
    title = os.environ.get(TITLE_ENV) or DashboardsConfig().title
    st.set_page_config(page_title=title, layout="wide")
    st.title(title)
    url = os.environ.get(DATABASE_URL_ENV)
    if not url:
        st.error(f"{DATABASE_URL_ENV} is not set: start the dashboard with `vigil dashboard`.")
        return
    try:
        engine = _engine(url)
        models = list_models(engine)
        if not models:
            st.info(
                "No models yet. A model appears here once it is configured in vigil.yaml "
                "and Vigil has started, or once a detector has reported on it."
            )
            return
        model = st.selectbox("Model", models)
        if model is None:
            return
        st.header(model)
        _overview(load_overview(engine, model))
    except StoreError as exc:
        st.error(f"The store cannot be read right now: {exc}")


main()
