"""Fixtures for the dashboard tests: a seeded store and an empty one, on SQLite files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from dashboard_seed import seed

from store.db import create_store_engine, upgrade


@pytest.fixture
def seeded_url(tmp_path: Path, t0: datetime) -> str:
    """URL of an SQLite store holding `dashboard_seed.seed`: the dashboard's usual day."""
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    seed(url, t0)
    return url


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    """URL of a migrated SQLite store with nothing in it."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_store_engine(url)
    upgrade(engine)
    engine.dispose()
    return url
