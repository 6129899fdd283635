"""What every page shares: the engine, the "no database" and "no models" messages, badges."""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy import Engine

from dashboards.fleet import Level, Light
from dashboards.launch import DATABASE_URL_ENV
from store.db import create_store_engine

#: Streamlit's Markdown colour for each traffic-light level.
COLORS: dict[Level, str] = {"green": "green", "amber": "orange", "red": "red", "grey": "gray"}

NO_MODELS = (
    "No models yet. A model appears here once it is configured in vigil.yaml "
    "and Vigil has started, or once a detector has reported on it."
)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the whole server."""
    return create_store_engine(url)


def store_engine() -> Engine | None:
    """The store's engine, or None after saying how to start the dashboard properly."""
    url = os.environ.get(DATABASE_URL_ENV)
    if not url:
        st.error(f"{DATABASE_URL_ENV} is not set: start the dashboard with `vigil dashboard`.")
        return None
    return _engine(url)


def store_error(exc: Exception) -> None:
    """Say the store cannot be read (the message never holds the URL or its password)."""
    st.error(f"The store cannot be read right now: {exc}")


def badge(label: str, light: Light) -> str:
    """Markdown for one traffic light: a coloured badge, then its words."""
    return f":{COLORS[light.level]}-badge[{label}: {light.level}] {light.text}"
