"""Evidently's own stattests for the parity tests, loaded only when a test asks for them.

Evidently is a test dependency (the dev extra, which pins pandas below 3 because Evidently
0.7 imports an API pandas 3 removed). Importing it is slow, so only the parity tests pay.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

#: Evidently stattest module and object for each Vigil method name.
STATTESTS = {
    "wasserstein": ("wasserstein_distance_norm", "wasserstein_stat_test"),
    "jensen_shannon": ("jensenshannon", "jensenshannon_stat_test"),
    "ks": ("ks_stattest", "ks_stat_test"),
    "psi": ("psi", "psi_stat_test"),
    "hellinger": ("hellinger_distance", "hellinger_stat_test"),
    "kl_div": ("kl_div", "kl_div_stat_test"),
    "anderson": ("anderson_darling_stattest", "anderson_darling_test"),
    "cramer_von_mises": ("cramer_von_mises_stattest", "cramer_von_mises"),
    "energy_distance": ("energy_distance", "energy_dist_test"),
    "chisquare": ("chisquare_stattest", "chi_stat_test"),
    "g_test": ("g_stattest", "g_test"),
    "fisher_exact": ("fisher_exact_stattest", "fisher_exact_test"),
    "z": ("z_stattest", "z_stat_test"),
    "tvd": ("tvd_stattest", "tvd_test"),
}


@dataclass(frozen=True)
class EvidentlyStattests:
    """Evidently's StatTest objects by Vigil method name, its column types and its chooser."""

    tests: Mapping[str, Callable[..., Any]]
    numerical: Any
    categorical: Any
    get_stattest: Callable[..., Any]

    # The two the first parity tests were written against.
    @property
    def wasserstein(self) -> Callable[..., Any]:
        return self.tests["wasserstein"]

    @property
    def jensenshannon(self) -> Callable[..., Any]:
        return self.tests["jensen_shannon"]

    def score(self, method: str, reference: np.ndarray, current: np.ndarray) -> Any:
        """Evidently's result for Vigil's ``method`` on two arrays (default threshold)."""
        kind = self.numerical if reference.dtype.kind == "f" else self.categorical
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.tests[method](pd.Series(reference), pd.Series(current), kind, None)


def load_evidently_stattests() -> EvidentlyStattests:
    """Evidently's stattests; the test is skipped if Evidently is not installed."""
    pytest.importorskip("evidently", reason="evidently is in the dev extra")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Evidently warns about pandas/numpy deprecations
        package = "evidently.legacy.calculations.stattests"
        tests = {
            name: getattr(importlib.import_module(f"{package}.{module}"), attribute)
            for name, (module, attribute) in STATTESTS.items()
        }
        column_type = importlib.import_module("evidently.legacy.core").ColumnType
        registry = importlib.import_module(f"{package}.registry")
    return EvidentlyStattests(
        tests=tests,
        numerical=column_type.Numerical,
        categorical=column_type.Categorical,
        get_stattest=registry.get_stattest,
    )
