"""Fixtures of the collector tests: an ingestion app factory in either durability mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from collector_harness import ApiFactory
from sqlalchemy import Engine
from traces_harness import TracesAppFactory

from store.db import create_store_engine, upgrade


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[ApiFactory]:
    """Build ingestion apps whose writers are shut down after the test."""
    factory = ApiFactory(tmp_path / "spool")
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(params=["direct", "spool"])
def durability(request: pytest.FixtureRequest) -> str:
    """Run a test once committing before the answer, once through the spool and its writer."""
    return str(request.param)


@pytest.fixture
def unreachable_store(tmp_path: Path) -> Iterator[tuple[Engine, Callable[[], None]]]:
    """An SQLite engine whose folder is a plain file (so nothing can open it), and a repair.

    A file rather than ``chmod``: the tests may run as root, which ignores permissions.
    """
    folder = tmp_path / "db"
    engine = create_store_engine(f"sqlite:///{folder / 'vigil.db'}")
    folder.rmdir()
    folder.write_text("the database folder is gone")

    def repair() -> None:
        folder.unlink()
        folder.mkdir()
        upgrade(engine)

    try:
        yield engine, repair
    finally:
        engine.dispose()


@pytest.fixture
def make_traces_app(tmp_path: Path) -> Iterator[TracesAppFactory]:
    """Build ``/v1/traces`` apps whose writers are shut down after the test."""
    factory = TracesAppFactory(tmp_path / "traces-spool")
    try:
        yield factory
    finally:
        factory.close()
