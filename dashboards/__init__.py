"""The read-only Streamlit dashboards (``app.py`` and its pages) and the pure code they lay out.

Only ``dashboards/app.py`` and the page scripts in ``dashboards/ui/`` import Streamlit; every
other module here is plain Python (the views, the loaders, the runbook catalogue), so
``vigil --help``, ``vigil runbooks lint`` and the tests of the views never load it.
"""
