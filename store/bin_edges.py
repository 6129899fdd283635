"""Histogram bin edges fitted on a reference, and counts of values on them.

Pure numpy, in the bottom layer because two features need the same answer: the detectors
fit the edges when they load a model's reference (and store them with
:func:`store.profiles.write_reference_bins`), and the collector counts each minute's values
on the stored edges. Neither imports the other.

The edges are Evidently's Sturges edges (``np.histogram_bin_edges(values, "sturges")``, as
:mod:`detectors.methods.binning` uses), computed on the **reference alone**: a profile is
written before the window it will be compared in is known, so the current data cannot take
part (the exact methods bin reference and current together). Bins are ``len(edges) + 1``
half-open intervals, the same as a KLL sketch's ``get_pmf(edges)``::

    (-inf, e0), [e0, e1), ..., [e_{n-1}, e_n), [e_n, +inf)

The last edge is nudged one float up so the reference maximum falls in the last inner bin;
the two outer bins are empty in the reference and catch current values outside its range.
"""

from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import NDArray


def reference_bin_edges(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sturges edges of the finite reference values (at least one value)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError("no finite reference values to fit bin edges on")
    edges = np.histogram_bin_edges(finite, bins="sturges").astype(np.float64)
    edges[-1] = np.nextafter(edges[-1], np.inf)
    return edges


def edges_id(edges: NDArray[np.float64] | list[float]) -> str:
    """A short fingerprint of a set of edges: histograms merge only on equal fingerprints."""
    data = np.ascontiguousarray(np.asarray(edges, dtype=np.float64)).tobytes()
    return hashlib.sha256(data).hexdigest()[:16]


def bin_index(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.intp]:
    """Each value's bin, 0 to ``len(edges)`` (see the module docstring for the intervals)."""
    return np.searchsorted(edges, values, side="right")


def bin_counts(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.int64]:
    """Counts of the (finite) ``values`` in each of the ``len(edges) + 1`` bins."""
    return np.bincount(bin_index(values, edges), minlength=edges.size + 1).astype(np.int64)
