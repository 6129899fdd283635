"""Drift methods: one statistic per module, collected here in one explicit mapping.

To add a method, write ``methods/<name>.py`` with its function and a
:class:`~detectors.methods.base.DriftMethod` constant, and add the constant to ``METHODS``
below. Built-in methods are listed the same way a plugin's would be passed in: callers take
a ``Mapping[str, DriftMethod]`` and default to ``METHODS``. Which method a column gets when
the config names none is decided in :mod:`detectors.methods.choice`.

=================  ==========================  =====================  ==================
name               statistic                   effect size            p-value
=================  ==========================  =====================  ==================
wasserstein        normed Wasserstein          the statistic          --
ks                 KS distance D               D                      ks_2samp
anderson           normalised A2akN            D                      anderson_ksamp
cramer_von_mises   T                           D                      cramervonmises_2samp
energy_distance    normed energy distance      the statistic          --
psi                PSI                         the statistic          --
jensen_shannon     JS distance (natural log)   the statistic          --
hellinger          Hellinger distance          the statistic          --
kl_div             KL(reference || current)    the statistic          --
chisquare          chi-square                  TVD                    chisquare
g_test             G                           TVD                    power_divergence
fisher_exact       odds ratio                  TVD                    fisher_exact
z                  z                           TVD                    normal, two-sided
tvd                TVD                         TVD                    permutation
=================  ==========================  =====================  ==================

Every statistic and p-value equals Evidently 0.7's for the same data (the parity tests list
the tolerances), except where Vigil chose differently, each explained in its module:

- a feature's threshold applies to the **effect size**; Evidently compares tests' p-values
  with the threshold. Vigil judges p-values against ``alpha`` after the Benjamini-Hochberg
  correction across the model's features (:mod:`detectors.decision`);
- ``energy_distance`` is divided by the reference's standard deviation (Evidently's is in
  the feature's units) and, like every method here, counts the boundary as drift;
- ``g_test`` scales expected counts to the current size (Evidently's raises unless both
  sides have the same size); ``fisher_exact`` accepts sides of different sizes (Evidently's
  raises); ``fisher_exact`` and ``z`` report more than two categories as not computable;
- ``tvd`` draws its 1,000 permutations from a multivariate hypergeometric distribution
  (same distribution as Evidently's shuffles, different draws);
- ``z`` computes its p-value with ``erfc`` (exact in the far tail where ``1 - cdf`` is 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from detectors.methods.anderson_darling import ANDERSON_DARLING
from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.chi_square import CHI_SQUARE
from detectors.methods.cramer_von_mises import CRAMER_VON_MISES
from detectors.methods.energy_distance import ENERGY_DISTANCE
from detectors.methods.fisher_exact import FISHER_EXACT
from detectors.methods.g_test import G_TEST
from detectors.methods.hellinger import HELLINGER
from detectors.methods.jensen_shannon import JENSEN_SHANNON
from detectors.methods.kl_divergence import KL_DIVERGENCE
from detectors.methods.kolmogorov_smirnov import KOLMOGOROV_SMIRNOV
from detectors.methods.psi import PSI
from detectors.methods.total_variation import TOTAL_VARIATION
from detectors.methods.wasserstein import WASSERSTEIN
from detectors.methods.z_test import Z_TEST

#: Every built-in drift method by name (read-only).
METHODS: Mapping[str, DriftMethod] = MappingProxyType(
    {
        method.name: method
        for method in (
            WASSERSTEIN,
            KOLMOGOROV_SMIRNOV,
            ANDERSON_DARLING,
            CRAMER_VON_MISES,
            ENERGY_DISTANCE,
            PSI,
            JENSEN_SHANNON,
            HELLINGER,
            KL_DIVERGENCE,
            CHI_SQUARE,
            G_TEST,
            FISHER_EXACT,
            Z_TEST,
            TOTAL_VARIATION,
        )
    }
)

__all__ = ["METHODS", "DriftMethod", "MethodResult"]
