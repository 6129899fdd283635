"""Errors of the collector.

    CollectorError
    ├── PayloadError       the request body cannot be read as events (HTTP 400)
    │   └── PayloadTooLarge the body or the batch is over a configured limit (HTTP 413)
    └── AuthError          no key, an unknown key (HTTP 401) ...
        └── Forbidden      ... or a key without the scope or model it needs (HTTP 403)

Per-row problems are not exceptions: they are :class:`collector.validation.RowError`
values returned beside the valid rows, so one bad row never costs the others.
"""

from __future__ import annotations


class CollectorError(Exception):
    """Base class of the collector's errors."""

    status_code = 400


class PayloadError(CollectorError):
    """The body is not a JSON array of objects."""

    status_code = 400


class PayloadTooLarge(PayloadError):
    """The body or the number of events is over the configured limit."""

    status_code = 413


class AuthError(CollectorError):
    """The request carries no valid API key."""

    status_code = 401


class Forbidden(AuthError):
    """The key is valid but lacks the scope or the model."""

    status_code = 403
