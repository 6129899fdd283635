"""Local HTTP servers the real receiver clients talk to, on 127.0.0.1 (a plain module).

    with PagerDutyTestServer() as pd:
        transport = pd.transport()            # give it to EventsApiV2Client (httpx2)
        pd.fail_next(1, 429, retry_after=30)  # or pd.down(503) ... pd.up()
        pd.events                             # every event PagerDuty accepted

``WebhookTestServer`` records every POST (headers and raw body) the same way. The PagerDuty
client insists on ``https://events.pagerduty.com``; :class:`LocalTransport` rewrites each
request to the local server and sends it with ``httpx2``'s real HTTP transport.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx2


@dataclass(frozen=True)
class Received:
    """One request, and the status it was answered with."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[Received] = field(default_factory=list)
    fail_remaining: int = 0
    fail_status: int = 503
    retry_after: int | None = None


Answer = Callable[[str, bytes], tuple[int, dict[str, Any]]]


class RecordingServer:
    """A threaded local HTTP server that answers POSTs with ``answer`` unless told to fail."""

    def __init__(self, answer: Answer) -> None:
        self._state = _State()
        state = self._state

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with state.lock:
                    if state.fail_remaining > 0:
                        state.fail_remaining -= 1
                        status, body = state.fail_status, {"status": "unavailable"}
                        extra = {"Retry-After": str(state.retry_after)} if state.retry_after else {}
                    else:
                        (status, body), extra = answer(self.path, raw), {}
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    state.requests.append(Received(self.path, headers, raw, status))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[Received]:
        with self._state.lock:
            return list(self._state.requests)

    def fail_next(self, n: int, status: int, retry_after: int | None = None) -> None:
        """Answer the next ``n`` requests with ``status`` (and ``Retry-After``)."""
        with self._state.lock:
            self._state.fail_remaining = n
            self._state.fail_status = status
            self._state.retry_after = retry_after

    def down(self, status: int = 503) -> None:
        """Fail every request with ``status`` until :meth:`up`."""
        self.fail_next(10**9, status)

    def up(self) -> None:
        self.fail_next(0, 503)

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _pagerduty_answer(path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
    event = json.loads(raw or b"{}")
    if path != "/v2/enqueue" or not event.get("routing_key") or not event.get("event_action"):
        return 400, {"status": "invalid event", "errors": ["routing_key or event_action missing"]}
    return 202, {"status": "success", "message": "Event processed", "dedup_key": event["dedup_key"]}


class PagerDutyTestServer(RecordingServer):
    """The Events API v2 ``/v2/enqueue`` endpoint."""

    def __init__(self) -> None:
        super().__init__(_pagerduty_answer)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event PagerDuty accepted, in order."""
        return [r.json() for r in self.requests if r.status == 202]

    def transport(self) -> LocalTransport:
        return LocalTransport(self.port)


class WebhookTestServer(RecordingServer):
    """Any webhook endpoint: answers 200 to every POST."""

    def __init__(self) -> None:
        super().__init__(lambda path, raw: (200, {"ok": True}))

    @property
    def delivered(self) -> list[Received]:
        return [r for r in self.requests if r.status == 200]


class LocalTransport(httpx2.BaseTransport):
    """Sends every request to ``http://127.0.0.1:<port>``, keeping path and query."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        request.headers["host"] = f"127.0.0.1:{self.port}"
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
