"""The tailer's side of the ingestion API: send one batch, retry until it is acknowledged.

:meth:`IngestClient.send` posts NDJSON to ``/v1/<kind>`` with the ingest key and returns a
:class:`Delivery` once the collector has decided:

- 200: acknowledged (rows it rejected as invalid are counted, not resent);
- 422: acknowledged with every row rejected (resending the same rows cannot help);
- 400, 413, 415: the body as a whole was refused; the caller splits the batch;
- 429, 503, other 5xx and transport errors: retried, after ``Retry-After`` when the answer
  gives one (capped at ``max_backoff``), else after a doubling backoff;
- 401, 403 and other 4xx (a wrong URL): :class:`SendRefused`, since retrying cannot help.

``max_attempts`` bounds the tries of one batch (None: until acknowledged, what a sidecar
wants); past it :class:`CollectorUnreachable`. The transport and ``sleep`` are parameters,
so tests swap the network and the clock, not the code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx

from collector.errors import CollectorUnreachable, SendRefused
from collector.writer import backoff_seconds

log = logging.getLogger(__name__)
PATHS = {
    "predictions": "/v1/predictions",
    "labels": "/v1/labels",
    "pipeline_runs": "/v1/pipeline-runs",
}
_SPLIT = frozenset({400, 413, 415})


@dataclass(frozen=True)
class Delivery:
    """What the collector did with a batch."""

    status: Literal["acknowledged", "refused"]
    accepted: int = 0
    rejected: int = 0
    reason: str = ""


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds when it is a number (dates are rare here: use the backoff)."""
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))[:300]
    except (ValueError, AttributeError):
        return response.text[:300]


class IngestClient:
    """Posts batches of one kind to a collector at ``url`` with the bearer ``key``."""

    def __init__(
        self,
        url: str,
        key: str,
        kind: str = "predictions",
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int | None = None,
        max_backoff: float = 30.0,
        timeout: float = 30.0,
    ) -> None:
        self._path = PATHS[kind]
        self._headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}
        self._http = httpx.Client(base_url=url, transport=transport, timeout=timeout)
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._max_backoff = max_backoff

    def send(self, lines: list[bytes]) -> Delivery:
        """Deliver ``lines`` (one JSON object each); see the module docstring for outcomes."""
        body = b"\n".join(lines)
        attempt = 0
        while True:
            try:
                response = self._http.post(self._path, content=body, headers=self._headers)
            except httpx.TransportError as exc:
                reason, wait = type(exc).__name__, None
            else:
                done = self._decide(response, len(lines))
                if done is not None:
                    return done
                reason, wait = f"HTTP {response.status_code}", retry_after_seconds(response)
            attempt += 1
            if self._max_attempts is not None and attempt >= self._max_attempts:
                raise CollectorUnreachable(
                    f"the collector did not acknowledge a batch in {attempt} attempts "
                    f"(last: {reason})"
                )
            pause = backoff_seconds(attempt - 1, 0.5, self._max_backoff) if wait is None else wait
            log.info("batch not acknowledged (%s); retrying in %.1f s", reason, pause)
            self._sleep(min(pause, self._max_backoff))

    def _decide(self, response: httpx.Response, sent: int) -> Delivery | None:
        """The delivery a final answer means; None for an answer worth retrying."""
        code = response.status_code
        if code == 200:
            try:
                rejected = int(response.json().get("rejected", 0))
            except (ValueError, TypeError, AttributeError):
                raise SendRefused(
                    f"{response.url} answered 200 without a Vigil receipt; is --url a collector?"
                ) from None
            return Delivery("acknowledged", sent - rejected, rejected)
        if code == 422:
            return Delivery("acknowledged", 0, sent, _error_text(response))
        if code in _SPLIT:
            return Delivery("refused", 0, 0, f"HTTP {code}: {_error_text(response)}")
        if code == 429 or code >= 500:
            return None
        raise SendRefused(f"the collector answered {code} to {self._path}: {_error_text(response)}")

    def close(self) -> None:
        self._http.close()
