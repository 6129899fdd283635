"""Multivariate drift: methods that look at all of a model's features at once.

Univariate tests (:mod:`detectors.methods`) miss a shift in the relations between features
(two features whose correlation breaks while each keeps its distribution) and, with many
features, add up small marginal changes only through the false discovery rate. These
methods compare the window's rows with the reference's rows as a whole, one signal per
model and window (detector ``multivariate_drift``, see :mod:`detectors.multivariate.detector`).

==================  =========================================  =========  ================
name                value                                      default    drifted when
==================  =========================================  =========  ================
domain_classifier   cross-validated AUC, reference vs current  0.55       value > threshold
pca_reconstruction  current / reference reconstruction error   1.1        value > threshold
                                                                          (and z > 3)
mmd                 alibi-detect MMDDrift p-value (``alibi``)  0.05       value < threshold
==================  =========================================  =========  ================

Each method is one module: its function (scikit-learn and alibi-detect are imported inside
it, so importing this package stays light) and a :class:`MultivariateMethod` record. The
embedding drift of ``embedding`` features reuses the same classifier idea on vectors
(:mod:`detectors.multivariate.embedding`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from detectors.multivariate.base import MethodFunction, MultivariateMethod
from detectors.multivariate.domain_classifier import DOMAIN_CLASSIFIER, domain_classifier
from detectors.multivariate.mmd import MMD, mmd
from detectors.multivariate.pca_reconstruction import PCA_RECONSTRUCTION, pca_reconstruction

#: Every multivariate method by name.
MULTIVARIATE_METHODS: Mapping[str, MultivariateMethod] = MappingProxyType(
    {m.name: m for m in (DOMAIN_CLASSIFIER, PCA_RECONSTRUCTION, MMD)}
)
#: Their functions, by the same names.
MULTIVARIATE_FUNCTIONS: Mapping[str, MethodFunction] = MappingProxyType(
    {"domain_classifier": domain_classifier, "pca_reconstruction": pca_reconstruction, "mmd": mmd}
)
