"""Who acts from a page: an OIDC login in the allow-list, else an API key with ``operate``."""

from __future__ import annotations

import os

import streamlit as st

from collector.auth import Principal
from dashboards.auth import allowed_operators, check_oidc, oidc_enabled
from dashboards.launch import OIDC_ENV, OPERATOR_KEYS_ENV, OPERATORS_ENV
from dashboards.silence_view import check_operator, operator_keys


def oidc_operator() -> Principal | None:
    """The logged-in operator, offering log in / log out; None if not (yet) allowed."""
    try:
        allowed = allowed_operators(os.environ.get(OPERATORS_ENV))
    except (ValueError, TypeError):
        st.error(f"{OPERATORS_ENV} is not a JSON list: restart with `vigil dashboard`.")
        return None
    user = dict(st.user.to_dict())
    check = check_oidc(user, allowed)
    if user.get("is_logged_in"):
        st.button("Log out", on_click=st.logout, key="oidc_logout")
    else:
        st.button("Log in", on_click=st.login, key="oidc_login")
    (st.success if check.principal is not None else st.info)(check.message)
    return check.principal


def operator(key: str) -> Principal | None:
    """The operator acting on this page, or None for the read-only view."""
    if oidc_enabled(os.environ.get(OIDC_ENV)):
        found = oidc_operator()
        if found is not None:
            return found
    typed = st.text_input("API key", type="password", key=key)
    try:
        keys = operator_keys(os.environ.get(OPERATOR_KEYS_ENV))
    except (ValueError, KeyError, TypeError):
        st.error(f"{OPERATOR_KEYS_ENV} is not valid JSON keys: restart with `vigil dashboard`.")
        return None
    check = check_operator(keys, typed)
    if typed.strip():
        (st.success if check.principal is not None else st.warning)(check.message)
    return check.principal
