"""Drift methods: one statistic per module, collected here in one explicit mapping.

To add a method, write ``methods/<name>.py`` with its function and a
:class:`~detectors.methods.base.DriftMethod` constant, and add the constant to ``METHODS``
below. Built-in methods are listed the same way a plugin's would be passed in: callers take
a ``Mapping[str, DriftMethod]`` and default to ``METHODS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from detectors.methods.base import DriftMethod
from detectors.methods.jensen_shannon import JENSEN_SHANNON
from detectors.methods.wasserstein import WASSERSTEIN
from store.specs import FeatureType

#: Every built-in drift method by name (read-only).
METHODS: Mapping[str, DriftMethod] = MappingProxyType(
    {method.name: method for method in (WASSERSTEIN, JENSEN_SHANNON)}
)

#: The method each feature type is tested with unless configured otherwise. Types absent
#: here (``text``, ``embedding``) have no drift method yet.
DEFAULT_METHOD_FOR_TYPE: Mapping[FeatureType, str] = MappingProxyType(
    {
        "numeric": WASSERSTEIN.name,
        "categorical": JENSEN_SHANNON.name,
        "boolean": JENSEN_SHANNON.name,
    }
)

__all__ = ["DEFAULT_METHOD_FOR_TYPE", "METHODS", "DriftMethod"]
