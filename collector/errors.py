"""Errors of the collector.

    CollectorError
    ├── PayloadError          the request body cannot be read as events (HTTP 400)
    │   ├── PayloadTooLarge   the body, decompressed body or batch is over a limit (HTTP 413)
    │   ├── UnsupportedEncoding  a Content-Encoding other than gzip or identity (HTTP 415)
    │   └── UnsupportedMediaType a Content-Type the endpoint does not read (HTTP 415)
    ├── AuthError             no key, an unknown key (HTTP 401) ...
    │   └── Forbidden         ... or a key without the scope or model it needs (HTTP 403)
    ├── Overloaded            the spool is over ``max_spool_bytes``: retry later (HTTP 429)
    ├── SpoolUnavailable      the spool could not be written or fsynced (HTTP 503)
    └── TailError             the log tailer (``vigil collect --tail``) cannot go on
        ├── SendRefused       the collector refused the tailer's key (401/403): fix the config
        └── CollectorUnreachable  no acknowledgement within the tailer's attempts

Translated at the boundary: :class:`OSError` from spool files becomes
:class:`SpoolUnavailable` (from the tailer's checkpoint, :class:`TailError`);
:class:`store.errors.StoreUnavailable` in ``direct`` mode is answered 503 by the API and,
in ``spool`` mode, retried by the writer, never raised to a client. ``zlib``, ``json`` and
protobuf ``DecodeError``/``ParseError`` become :class:`PayloadError`. ``httpx`` transport
errors are retried by the tailer and end, if ever, as :class:`CollectorUnreachable`.

Per-row problems are not exceptions: they are :class:`collector.validation.RowError`
values returned beside the valid rows, so one bad row never costs the others.
"""

from __future__ import annotations


class CollectorError(Exception):
    """Base class of the collector's errors."""

    status_code = 400
    #: Seconds a client should wait before retrying, sent as ``Retry-After`` when set.
    retry_after: int | None = None


class PayloadError(CollectorError):
    """The body is not a JSON array (or NDJSON stream) of objects."""

    status_code = 400


class PayloadTooLarge(PayloadError):
    """The body, its decompressed size or the number of events is over the limit."""

    status_code = 413


class UnsupportedEncoding(PayloadError):
    """The body is compressed with something other than gzip."""

    status_code = 415


class UnsupportedMediaType(PayloadError):
    """The body is neither of the content types the endpoint reads (OTLP: protobuf or JSON)."""

    status_code = 415


class AuthError(CollectorError):
    """The request carries no valid API key."""

    status_code = 401


class Forbidden(AuthError):
    """The key is valid but lacks the scope or the model."""

    status_code = 403


class Overloaded(CollectorError):
    """The spool holds more undrained bytes than allowed; nothing of the batch was kept."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SpoolUnavailable(CollectorError):
    """The spool could not be written or fsynced; nothing of the batch was acknowledged."""

    status_code = 503

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TailError(CollectorError):
    """The tailer cannot go on; nothing after its last checkpoint counts as delivered."""


class SendRefused(TailError):
    """The collector refused the tailer's key or scope; retrying cannot help."""


class CollectorUnreachable(TailError):
    """The collector did not acknowledge a batch within the allowed attempts."""
