"""Runbooks page: a runbook of the catalogue, rendered; ``?runbook=<name>`` deep-links one."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboards.launch import DEFAULT_RUNBOOKS_DIR, RUNBOOKS_DIR_ENV
from dashboards.runbook_catalog import load_catalog

_SEVERITY_COLORS = {"info": "blue", "warning": "orange", "critical": "red"}


def render() -> None:
    """Lay out the runbook chosen in the select box or named in the URL."""
    st.header("Runbooks")
    folder = Path(os.environ.get(RUNBOOKS_DIR_ENV) or DEFAULT_RUNBOOKS_DIR)
    catalog = load_catalog([folder])
    for problem in catalog.problems:
        st.warning(f"Not shown, invalid: {problem}")
    if not catalog.runbooks:
        st.info(f"No runbooks in {folder}.")
        return
    names = [r.name for r in catalog.runbooks]
    labels = {r.name: f"{r.name}: {', '.join(r.meta.alerts)}" for r in catalog.runbooks}
    asked = st.query_params.get("runbook")
    name = st.selectbox(
        "Runbook",
        names,
        index=names.index(asked) if asked in names else 0,
        format_func=labels.__getitem__,
    )
    runbook = catalog.get(name or names[0])
    if runbook is None:
        return
    st.query_params["runbook"] = runbook.name
    meta = runbook.meta
    color = _SEVERITY_COLORS[meta.severity]
    st.markdown(
        f":{color}-badge[{meta.severity}] **Alerts:** {', '.join(meta.alerts)} · "
        f"**Owner:** {meta.owner}"
    )
    st.caption(meta.summary)
    st.markdown(runbook.body)


render()
