"""The read-only Streamlit dashboards (``app.py``) and the pure code they lay out.

Only ``dashboards/app.py`` imports Streamlit; every other module here is plain Python, so
``vigil --help`` and the tests of the views never load it.
"""
