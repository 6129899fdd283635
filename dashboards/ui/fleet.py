"""Fleet page: one tile per model with a light per signal family, most urgent first."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import streamlit as st

from dashboards.fleet import FleetTile
from dashboards.loaders import load_fleet
from dashboards.ui.common import NO_MODELS, badge, store_engine, store_error
from store.errors import StoreError

#: Tiles per row.
COLUMNS = 3


def _tile(tile: FleetTile) -> None:
    with st.container(border=True):
        st.subheader(tile.model)
        for label, light in tile.lights():
            st.markdown(badge(label, light))
        st.caption(f"Latest signal: {tile.last_signal}")
        st.markdown(f"[Open model page](model?model={quote(tile.model)})")


def _grid(tiles: Sequence[FleetTile]) -> None:
    for start in range(0, len(tiles), COLUMNS):
        row = tiles[start : start + COLUMNS]
        for column, tile in zip(st.columns(COLUMNS), row, strict=False):
            with column:
                _tile(tile)


def render() -> None:
    """Lay out the fleet."""
    st.header("Fleet")
    engine = store_engine()
    if engine is None:
        return
    try:
        tiles = load_fleet(engine)
    except StoreError as exc:
        store_error(exc)
        return
    if not tiles:
        st.info(NO_MODELS)
        return
    red = sum(1 for t in tiles if t.worst == "red")
    st.caption(f"{len(tiles)} models, {red} needing action now. Most urgent first.")
    _grid(tiles)


render()
