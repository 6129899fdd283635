"""Standard Webhooks signatures (https://www.standardwebhooks.com), through ``standardwebhooks``.

The signed content is ``webhook-id.webhook-timestamp.body``; the signature is
``v1,`` + base64 HMAC-SHA256 under the secret (``whsec_`` + base64). The ``webhook-id`` of a
notification stays the same across retries, so a receiver can drop repeats.

:func:`verify` is for whoever receives Vigil's webhooks (a rollback service, the tests): it
accepts any of several space-separated signatures (key rotation), ignores versions other
than ``v1``, and rejects timestamps more than ``tolerance`` away from ``now``. Unlike the
library's own ``verify`` it takes ``now`` as a parameter, so it never reads the clock.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from standardwebhooks.webhooks import Webhook

from alerting.errors import SignatureError

TOLERANCE = timedelta(minutes=5)


def sign_headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``at``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def _expected(secret: str, message_id: str, timestamp: int, body: str) -> bytes:
    at = datetime.fromtimestamp(timestamp, tz=UTC)
    return base64.b64decode(Webhook(secret).sign(message_id, at, body).split(",", 1)[1])


def _signatures(header: str) -> list[bytes]:
    found = []
    for versioned in header.split(" "):
        version, _, signature = versioned.partition(",")
        if version != "v1" or not signature:
            continue
        try:
            found.append(base64.b64decode(signature, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def verify(
    secret: str,
    body: str | bytes,
    headers: Mapping[str, str],
    now: datetime,
    tolerance: timedelta = TOLERANCE,
) -> None:
    """Raise :class:`SignatureError` unless ``body`` carries a valid, fresh signature."""
    text = body.decode() if isinstance(body, bytes) else body
    lower = {name.lower(): value for name, value in headers.items()}
    message_id = lower.get("webhook-id")
    stamp = lower.get("webhook-timestamp")
    signature = lower.get("webhook-signature")
    if not (message_id and stamp and signature):
        raise SignatureError("missing_headers")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("invalid_signature") from None
    sent = datetime.fromtimestamp(timestamp, tz=UTC)
    if sent < now - tolerance:
        raise SignatureError("timestamp_too_old")
    if sent > now + tolerance:
        raise SignatureError("timestamp_too_new")
    expected = _expected(secret, message_id, timestamp, text)
    if not any(hmac.compare_digest(expected, given) for given in _signatures(signature)):
        raise SignatureError("invalid_signature")
