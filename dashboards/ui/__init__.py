"""The Streamlit pages of the dashboard, run by ``st.navigation`` in ``dashboards/app.py``.

The only modules of Vigil, with ``app.py``, that import Streamlit. Each page file is a
script; :mod:`dashboards.ui.common` holds what they share.
"""
