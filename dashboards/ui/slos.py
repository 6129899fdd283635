"""SLOs page: per SLO, budget left, burn rate per window and when the budget runs out."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from dashboards.loaders import load_slos
from dashboards.slo_view import burn_table
from dashboards.ui.common import store_engine, store_error
from store.errors import StoreError

_SLO_COLUMNS = {
    "model": st.column_config.TextColumn("Model"),
    "slo": st.column_config.TextColumn("SLO"),
    "state": st.column_config.TextColumn("State"),
    "budget_remaining": st.column_config.ProgressColumn(
        "Budget left", format="percent", min_value=0.0, max_value=1.0
    ),
    "exhausted_in": st.column_config.TextColumn("Budget runs out"),
    "evaluated": st.column_config.TextColumn("Evaluated"),
}


def render() -> None:
    """Lay out every SLO's latest evaluation."""
    st.header("SLOs")
    engine = store_engine()
    if engine is None:
        return
    try:
        rows = load_slos(engine)
    except StoreError as exc:
        store_error(exc)
        return
    if not rows:
        st.info("No SLO has been evaluated yet. SLOs are declared under `slos:` in vigil.yaml.")
        return
    paging = sum(1 for r in rows if r.state == "page")
    st.metric("SLOs burning at page level", f"{paging} of {len(rows)}")
    table = pd.DataFrame(
        [{k: v for k, v in asdict(r).items() if k != "burn_rates"} for r in rows],
        columns=list(_SLO_COLUMNS),
    )
    st.dataframe(table, hide_index=True, column_config=_SLO_COLUMNS)
    st.caption(
        "The forecast assumes the burn rate of the longest page window holds. "
        "A budget below 0 is overspent."
    )
    st.subheader("Burn rate per window")
    burns = pd.DataFrame(burn_table(rows)).set_index("slo").rename_axis("SLO").astype(float)
    st.dataframe(burns.style.format("{:.2f}", na_rep="no data"))
    st.caption(
        "1 spends exactly the budget over the SLO period. With the default windows, "
        "page alerts start at 14.4 (1h and 5m) and 6 (6h and 30m)."
    )


render()
