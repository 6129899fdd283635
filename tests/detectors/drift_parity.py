"""Evidently's own stattests for the parity tests, loaded only when a test asks for them.

Evidently is a test dependency (the dev extra, which pins pandas below 3 because Evidently
0.7 imports an API pandas 3 removed). Importing it is slow, so only the parity tests pay.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class EvidentlyStattests:
    """Evidently's ``wasserstein`` and ``jensenshannon`` StatTest objects and its column types."""

    wasserstein: Callable[..., Any]
    jensenshannon: Callable[..., Any]
    numerical: Any
    categorical: Any


def load_evidently_stattests() -> EvidentlyStattests:
    """Evidently's stattests; the test is skipped if Evidently is not installed."""
    pytest.importorskip("evidently", reason="evidently is in the dev extra")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Evidently warns about pandas/numpy deprecations
        stattests = "evidently.legacy.calculations.stattests"
        wasserstein = importlib.import_module(f"{stattests}.wasserstein_distance_norm")
        jensenshannon = importlib.import_module(f"{stattests}.jensenshannon")
        column_type = importlib.import_module("evidently.legacy.core").ColumnType
    return EvidentlyStattests(
        wasserstein=wasserstein.wasserstein_stat_test,
        jensenshannon=jensenshannon.jensenshannon_stat_test,
        numerical=column_type.Numerical,
        categorical=column_type.Categorical,
    )
