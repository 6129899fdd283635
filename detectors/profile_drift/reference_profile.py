"""A model's reference as profiles, and its bin edges stored for the collector.

Fitting a reference for profile drift means: Sturges edges on each numeric feature's
reference values (:func:`store.bin_edges.reference_bin_edges`), and one profile per feature
with its histogram on those edges (so the reference side of a binned method is exact) and a
KLL sketch (for KS and Wasserstein). :func:`store_reference_bins` writes the edges to the
store, where the collector reads them to count each minute's values on the same bins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine

from detectors.reference import Reference
from store.bin_edges import reference_bin_edges
from store.profile_records import (
    DEFAULT_SETTINGS,
    FeatureProfile,
    SketchSettings,
    categorical_profile,
    numeric_profile,
)
from store.profiles import write_reference_bins
from store.specs import ModelSpec


@dataclass(frozen=True)
class ReferenceProfiles:
    """Per feature, the reference's profile; per numeric feature, its bin edges."""

    source: str
    profiles: Mapping[str, FeatureProfile]
    edges: Mapping[str, NDArray[np.float64]]


def reference_profiles(
    spec: ModelSpec, reference: Reference, settings: SketchSettings = DEFAULT_SETTINGS
) -> ReferenceProfiles:
    """Profiles and bin edges of the loaded ``reference`` of ``spec``'s features."""
    profiles: dict[str, FeatureProfile] = {}
    edges: dict[str, NDArray[np.float64]] = {}
    for feature in spec.features:
        if feature.type == "numeric" and feature.name in reference.numeric:
            values = reference.numeric[feature.name]
            finite = values[np.isfinite(values)]
            fitted = reference_bin_edges(finite) if finite.size else None
            if fitted is not None:
                edges[feature.name] = fitted
            profiles[feature.name] = numeric_profile(values, settings, fitted)
        elif feature.name in reference.labels:
            labels = reference.labels[feature.name]
            counts = Counter(labels.tolist())
            profiles[feature.name] = categorical_profile(
                {str(k): v for k, v in counts.items()}, reference.rows - labels.size, settings
            )
    return ReferenceProfiles(reference.source, profiles, edges)


def store_reference_bins(
    engine: Engine, spec: ModelSpec, fitted: ReferenceProfiles, now: datetime
) -> None:
    """Write the fitted edges, so collectors count new minutes on them."""
    write_reference_bins(engine, spec.name, fitted.edges, fitted.source, now)
