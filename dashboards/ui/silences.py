"""Silences page: active and pending silences for everyone; create and expire with a key.

Changes need an API key with the ``operate`` scope, checked against the digests `vigil
dashboard` passes in ``VIGIL_OPERATOR_KEYS`` (or, with OIDC on, a login in the allow-list);
they go through :mod:`alerting.silences`, so validation and the audit log match the API and
the CLI, with the key's name (or ``oidc:<e-mail>``) as the actor.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from alerting.errors import AlertingError
from alerting.silences import expire, new_silence, silences
from collector.auth import Principal
from dashboards.auth import oidc_enabled
from dashboards.launch import OIDC_ENV, OPERATOR_KEYS_ENV
from dashboards.silence_view import (
    check_operator,
    matcher_lines,
    operator_keys,
    prefill,
    silence_rows,
)
from dashboards.ui.common import store_engine, store_error
from dashboards.ui.operator import oidc_operator
from store.errors import StoreError


def _operator() -> Principal | None:
    if oidc_enabled(os.environ.get(OIDC_ENV)):
        logged_in = oidc_operator()
        if logged_in is not None:
            return logged_in
    typed = st.text_input("API key", type="password", key="operator_key")
    try:
        keys = operator_keys(os.environ.get(OPERATOR_KEYS_ENV))
    except (ValueError, KeyError, TypeError):
        st.error(f"{OPERATOR_KEYS_ENV} is not valid JSON keys: restart with `vigil dashboard`.")
        return None
    check = check_operator(keys, typed)
    if check.principal is None:
        st.info(check.message)
    else:
        st.success(check.message)
    return check.principal


def _create_form(engine: Engine, operator: Principal | None, now: datetime) -> None:
    disabled = operator is None
    with st.form("new_silence"):
        st.subheader("New silence")
        text = st.text_area(
            "Matchers, one per line",
            value=prefill(st.query_params.get_all("matchers")),
            placeholder='alertname="FeatureDrift"\nmodel="credit-risk"',
            disabled=disabled,
        )
        author = st.text_input("Author", disabled=disabled)
        comment = st.text_input("Comment", disabled=disabled)
        hours = st.number_input(
            "Duration (hours)", min_value=0.25, max_value=24.0 * 30, value=2.0, disabled=disabled
        )
        if not st.form_submit_button("Create silence", disabled=disabled) or operator is None:
            return
    try:
        record = new_silence(
            engine,
            matcher_lines(text),
            author=author,
            comment=comment,
            starts_at=None,
            ends_at=now + timedelta(hours=float(hours)),
            created_by=operator.name,
            now=now,
        )
    except AlertingError as exc:
        st.error(f"Not created: {exc}")
        return
    st.success(f"Silence {record.id} created.")


def render(now: datetime) -> None:
    """List the silences that mute alerts now or later, and let an operator change them."""
    st.header("Silences")
    engine = store_engine()
    if engine is None:
        return
    operator = _operator()
    _create_form(engine, operator, now)
    try:
        rows = silence_rows(silences(engine, now), now)
    except StoreError as exc:
        store_error(exc)
        return
    if not rows:
        st.info("No active or pending silences.")
        return
    st.dataframe(pd.DataFrame([asdict(r) for r in rows]), hide_index=True)
    for row in rows:
        label = f"Expire {row.matchers} ({row.state}, until {row.ends_at})"
        if st.button(label, key=f"expire-{row.id}", disabled=operator is None):
            assert operator is not None
            try:
                expire(engine, row.id, operator.name, now)
            except AlertingError as exc:
                st.error(f"Not expired: {exc}")
            else:
                st.rerun()


render(datetime.now(UTC))
