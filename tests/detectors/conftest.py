"""Fixtures for the detector tests."""

from __future__ import annotations

import pytest
from drift_parity import EvidentlyStattests, load_evidently_stattests


@pytest.fixture(scope="session")
def evidently_stattests() -> EvidentlyStattests:
    """Evidently 0.7's wasserstein and jensenshannon stattests (imported on first use)."""
    return load_evidently_stattests()
