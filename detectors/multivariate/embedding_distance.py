"""Embedding drift as the distance between mean vectors, as Evidently's ``distance()``.

The mean reference vector and the mean current vector are compared with scipy's
``euclidean`` or ``cosine`` distance (cosine: 1 - cosine similarity, in [0, 2]); drifted
above ``threshold`` (0.2, Evidently's default for both). Cheap and easy to read -- the
centre of the current vectors moved -- but blind to changes that keep the mean (a spread
or a new cluster balanced by a lost one); the classifier (``model``) sees those.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detectors.multivariate.base import MultivariateResult, NotComputable
from detectors.multivariate.embedding_model import pca_projection

Distance = Literal["euclidean", "cosine"]
#: Evidently's default threshold of its ``distance()`` embedding drift method.
DISTANCE_THRESHOLD = 0.2


def embedding_distance(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    distance: Distance = "euclidean",
    threshold: float = DISTANCE_THRESHOLD,
    pca_components: int | None = None,
) -> MultivariateResult:
    """Distance between the sides' mean vectors; drifted above ``threshold``."""
    from scipy.spatial.distance import cosine, euclidean

    ref, cur = pca_projection(reference, current, pca_components)
    ref_mean, cur_mean = ref.mean(axis=0), cur.mean(axis=0)
    if distance == "cosine" and (not ref_mean.any() or not cur_mean.any()):
        raise NotComputable("a mean vector is all zeros: its cosine distance is undefined")
    value = float((cosine if distance == "cosine" else euclidean)(ref_mean, cur_mean))
    return MultivariateResult(
        value=value,
        threshold=threshold,
        drifted=value > threshold,
        details={"distance": distance, "pca_components": pca_components},
    )
