"""Errors of the SLO feature.

    SLOError
    ├── AlertWindowsError   an alert-windows file cannot be read or is not a valid spec
    └── UnsupportedPeriod   no alert windows are known for an SLO's period

Store failures are not translated again here: reading SLIs raises the store's own
:class:`store.errors.StoreUnavailable`.
"""

from __future__ import annotations


class SLOError(Exception):
    """Base class of the SLO feature's errors."""


class AlertWindowsError(SLOError):
    """An alert-windows file is unreadable or does not follow ``sloth.slok.dev/v1``."""


class UnsupportedPeriod(SLOError):
    """No alert windows are defined for the SLO period (as in Sloth, periods are a catalog)."""
