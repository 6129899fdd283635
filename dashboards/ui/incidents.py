"""Incidents page: the list, one incident's timeline, alerts (with runbooks) and actions.

Everyone reads; an operator (an API key with ``operate``, or an OIDC login in the allow-list)
acknowledges, mitigates and resolves an incident, silences its alerts, and approves or
rejects an action awaiting approval, through the functions the API and the CLI use
(:mod:`alerting.incident_ops`, :mod:`alerting.action_ops`, :mod:`alerting.silences`), so the
state rules and the audit log are the same. ``?incident=<id>`` deep-links one incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from alerting.action_ops import decide
from alerting.errors import AlertingError
from alerting.incident_ops import transition
from alerting.silences import new_silence
from collector.auth import Principal
from dashboards.incident_loaders import IncidentDetail, load_incident, load_incidents
from dashboards.incident_view import (
    action_rows,
    alert_rows,
    allowed_verbs,
    duration_texts,
    incident_rows,
    silence_matchers,
    silences_link,
    timeline_rows,
)
from dashboards.ui.common import store_engine, store_error
from dashboards.ui.operator import operator
from store.errors import StoreError

_ALERT_COLUMNS = {
    "runbook": st.column_config.LinkColumn("Runbook", display_text="Open runbook"),
    "runbook_page": st.column_config.LinkColumn("In dashboard", display_text="Runbooks page"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
}


def _table(rows: Sequence[Any], empty: str, **options: Any) -> None:
    if not rows:
        st.caption(empty)
        return
    st.dataframe(pd.DataFrame([asdict(r) for r in rows]), hide_index=True, **options)


def _act(engine: Engine, who: Principal | None, detail: IncidentDetail, now: datetime) -> None:
    incident = detail.view.incident
    verbs = allowed_verbs(incident.status)
    reason = st.text_input("Reason (recorded in the timeline)", key="incident_reason")
    columns = st.columns(max(len(verbs), 1))
    for column, verb in zip(columns, verbs, strict=False):
        if column.button(verb.capitalize(), key=f"incident-{verb}", disabled=who is None):
            assert who is not None
            try:
                transition(engine, incident.id, verb, who.name, reason, now)
            except AlertingError as exc:
                st.error(f"Not done: {exc}")
            else:
                st.rerun()
    matchers = silence_matchers(detail.alerts)
    if not matchers:
        return
    with st.form("incident_silence"):
        st.markdown(f"Silence `{', '.join(matchers)}` ([more options]({silences_link(matchers)}))")
        hours = st.number_input("For (hours)", 0.25, 24.0 * 7, 2.0, disabled=who is None)
        comment = st.text_input("Comment", disabled=who is None)
        if st.form_submit_button("Silence", disabled=who is None) and who is not None:
            try:
                record = new_silence(
                    engine, matchers, author=who.name, comment=comment, starts_at=None,
                    ends_at=now + timedelta(hours=float(hours)), created_by=who.name, now=now,
                )  # fmt: skip
            except AlertingError as exc:
                st.error(f"Not silenced: {exc}")
            else:
                st.success(f"Silence {record.id} created.")


def _approvals(
    engine: Engine, who: Principal | None, detail: IncidentDetail, now: datetime
) -> None:
    for action in detail.actions:
        if action.status != "awaiting_approval":
            continue
        label = f"{action.action} of {action.model} to {action.target_version}"
        approve, reject = st.columns(2)
        for column, yes in ((approve, True), (reject, False)):
            verb = "Approve" if yes else "Reject"
            if column.button(f"{verb} {label}", key=f"action-{action.id}-{verb}",
                             disabled=who is None):  # fmt: skip
                assert who is not None
                try:
                    decide(engine, action.id, yes, who.name, "from the dashboard", now)
                except AlertingError as exc:
                    st.error(f"Not done: {exc}")
                else:
                    st.rerun()


def _timeline_chart(detail: IncidentDetail) -> None:
    """The events on a time axis, one lane per kind, so gaps (time to acknowledge) show."""
    events = detail.view.events
    if not events:
        return
    frame = pd.DataFrame(
        {"at": [e.at for e in events], "event": [e.kind for e in events],
         "by": [e.actor for e in events], "what": [e.message for e in events]}
    )  # fmt: skip
    chart = (
        alt.Chart(frame)
        .mark_circle(size=120)
        .encode(
            x=alt.X("at:T", title="Time (UTC)"),
            y=alt.Y("event:N", title=None, sort=None),
            color=alt.Color("event:N", legend=None),
            tooltip=["at:T", "event", "by", "what"],
        )
        .properties(height=40 + 28 * frame["event"].nunique())
    )
    st.altair_chart(chart, width="stretch")


def _detail(engine: Engine, who: Principal | None, detail: IncidentDetail, now: datetime) -> None:
    incident = detail.view.incident
    st.subheader(f"#{incident.id} {incident.title}")
    st.caption(f"{incident.status} · {incident.severity} · {incident.model or 'no model'}")
    for column, (label, value) in zip(
        st.columns(4), duration_texts(detail.view.durations).items(), strict=True
    ):
        column.metric(label, value)
    _act(engine, who, detail, now)
    st.markdown("**Timeline**")
    _timeline_chart(detail)
    _table(timeline_rows(detail.view.events), "No events.")
    st.markdown("**Alerts**")
    _table(alert_rows(detail.alerts), "No alerts.", column_config=_ALERT_COLUMNS)
    st.markdown("**Actions**")
    _table(action_rows(detail.actions), "No rollback or retraining was requested.")
    _approvals(engine, who, detail, now)
    st.caption(f"Draft its postmortem: `vigil postmortem {incident.id} --format html --out FILE`")


def render(now: datetime) -> None:
    """List incidents and lay out the one chosen (or named by ``?incident=``)."""
    st.header("Incidents")
    engine = store_engine()
    if engine is None:
        return
    who = operator("incident_operator_key")
    only_open = st.toggle("Open incidents only", value=True)
    try:
        incidents = load_incidents(engine, only_open)
        rows = incident_rows(incidents, now)
        if not rows:
            st.info("No open incidents." if only_open else "No incidents yet.")
            return
        _table(rows, "")
        ids = [r.id for r in rows]
        asked = st.query_params.get("incident")
        chosen = int(asked) if asked and asked.isdigit() and int(asked) in ids else ids[0]
        labels = {r.id: f"#{r.id} [{r.status}] {r.title}" for r in rows}
        picked = st.selectbox(
            "Incident", ids, index=ids.index(chosen), format_func=lambda i: labels[i]
        )
        if picked is None:
            return
        st.query_params["incident"] = str(picked)
        _detail(engine, who, load_incident(engine, picked), now)
    except (StoreError, AlertingError) as exc:
        store_error(exc)


render(datetime.now(UTC))
