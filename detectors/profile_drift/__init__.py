"""Drift statistics computed from merged window profiles instead of raw values.

DESIGN.md principle 3: the collector keeps mergeable per-minute profiles
(:mod:`store.profile_records`); a window's drift merges them and compares the result with a
profile of the reference, at a cost that depends on minutes and features, not on the
number of predictions.

==============  ===============================================  ========================
method          computed from                                    bound on the error
==============  ===============================================  ========================
psi, kl_div     counts on the reference's bins / categories      0 (exact counts)
chisquare       counts on the reference's bins / categories      0 (exact counts)
tvd             counts on the reference's bins / categories      0; ``e_ref + e_cur``
hellinger       counts on the reference's bins / categories      0; ``sqrt e_ref + ...``
jensen_shannon  counts on the reference's bins / categories      0; ``sqrt(ln2 e_ref)...``
ks              KLL sketches (both CDFs)                         ``eps_ref + eps_cur``
wasserstein     KLL sketches, normed by the reference's std      ``(eps_r + eps_c) range/std``
==============  ===============================================  ========================

"Exact" means: equal (up to float rounding) to the method of :mod:`detectors.methods` run on
the raw values **binned on the reference's edges** (:mod:`store.bin_edges`). The raw-value
detector bins reference and current together (Evidently's Sturges bins of both sides), which
a profile written before its window is known cannot do, so the two detectors' values of a
binned method differ by their binning, not by an error. KS and Wasserstein are defined
without bins, and their bound is against the raw-value methods themselves. ``eps`` is a
KLL sketch's normalized rank error (1.33 % at k = 200, 0 while the sketch is exact);
``e`` an approximate share vector's total variation from the truth (see
:mod:`detectors.profile_drift.counts`).
"""

from detectors.profile_drift.methods import (
    PROFILE_METHODS,
    ProfileResult,
    profile_method,
)
from detectors.profile_drift.reference_profile import ReferenceProfiles, reference_profiles

__all__ = [
    "PROFILE_METHODS",
    "ProfileResult",
    "ReferenceProfiles",
    "profile_method",
    "reference_profiles",
]
