"""Errors of the SLO feature.

    SLOError
    ├── AlertWindowsError   an alert-windows file cannot be read or is not a valid spec
    ├── UnsupportedPeriod   no alert windows are known for an SLO's period
    ├── SpecImportError     a Sloth or OpenSLO document cannot be read as SLOs; the message
    │                       names the file and the YAML path of the mistake
    └── RulesError          an SLO cannot be turned into Prometheus rules (a label name
                            Prometheus refuses, a query template other than {{.window}})

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


class SpecImportError(SLOError):
    """A Sloth ``prometheus/v1`` or OpenSLO ``SLO`` document is invalid or unsupported."""


class RulesError(SLOError):
    """Prometheus rules cannot be generated for an SLO."""
