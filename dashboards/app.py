"""Vigil's dashboard: the health of each model, for anyone who needs to know.

Run by `vigil dashboard` as ``streamlit run dashboards/app.py`` with the database URL in
``VIGIL_DATABASE_URL``, an optional page title in ``VIGIL_DASHBOARD_TITLE`` and an optional
runbooks folder in ``VIGIL_RUNBOOKS_DIR``. Four read-only pages (``dashboards/ui/``):
Fleet, Model, SLOs and Runbooks; Incidents and Silences are read by everyone and let an
operator act: one whose API key (checked against ``VIGIL_OPERATOR_KEYS``) has the ``operate``
scope, or, with ``VIGIL_DASHBOARD_OIDC``, a user logged in through ``st.login`` whose e-mail
is in ``VIGIL_DASHBOARD_OPERATORS``. Every query goes through the store's functions, every row
is shaped by the pure modules of :mod:`dashboards`; the pages only lay them out.
"""

from __future__ import annotations

import os

import streamlit as st

from dashboards.config import DashboardsConfig
from dashboards.launch import TITLE_ENV

#: The pages, by file (relative to this script), title and URL path; Fleet is the home page.
PAGES = (
    ("ui/fleet.py", "Fleet", "fleet"),
    ("ui/model.py", "Model", "model"),
    ("ui/slos.py", "SLOs", "slos"),
    ("ui/incidents.py", "Incidents", "incidents"),
    ("ui/runbooks.py", "Runbooks", "runbooks"),
    ("ui/silences.py", "Silences", "silences"),
)


def main() -> None:
    """Set up the page and run the chosen one."""
    title = os.environ.get(TITLE_ENV) or DashboardsConfig().title
    st.set_page_config(page_title=title, layout="wide")
    st.title(title)
    pages = [
        st.Page(path, title=name, url_path=url, default=i == 0)
        for i, (path, name, url) in enumerate(PAGES)
    ]
    st.navigation(pages).run()


main()
