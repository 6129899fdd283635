"""A local Slack Web API: a real HTTP server on 127.0.0.1 that the real Slack client calls.

`vigil demo` pages it (no network leaves the machine) and the tests assert on what it got.

    with SlackTestServer() as slack:
        config = SlackConfig(channel="#ml-oncall", token="xoxb-test", api_url=slack.url)
        ...                                   # deliver through slack_sdk.WebClient
        slack.messages                        # every chat.postMessage Slack accepted
        slack.updates                         # every chat.update Slack accepted
        slack.thread("1772442001.000001")     # the replies posted in a message's thread
        slack.fail_next(1, 429, retry_after=30)

It answers ``chat.postMessage`` like Slack (``{"ok": true, "channel": ..., "ts": ...}``; a
body with ``thread_ts`` is a reply in that message's thread) and ``chat.update`` of a message
it holds (``message_not_found`` for a ``ts`` it never gave), accepts JSON and form bodies,
and can be told to fail the next calls (of any method, or of one) with a status (429 with
``Retry-After``, 5xx with a non-JSON body as Slack's edge returns) or with a Slack error code.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class SlackRequest:
    """One request the server received, and the HTTP status it answered."""

    method: str
    body: dict[str, Any]
    token: str | None
    status: int


@dataclass
class _Failure:
    remaining: int
    status: int
    retry_after: int | None
    error: str | None
    method: str | None = None


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[SlackRequest] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    posted: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failure: _Failure | None = None


def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        return dict(json.loads(raw or b"{}"))
    form = parse_qs(raw.decode("utf-8"))
    body: dict[str, Any] = {key: values[-1] for key, values in form.items()}
    if isinstance(body.get("blocks"), str):
        body["blocks"] = json.loads(body["blocks"])
    return body


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = _parse_body(self.headers.get("Content-Type", ""), raw)
            method = self.path.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ") if auth else body.get("token")
            with state.lock:
                status, headers, answer = self._answer(method, body)
                state.requests.append(SlackRequest(method, body, token, status))
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            is_json = not isinstance(answer, bytes)
            self.send_header("Content-Type", "application/json" if is_json else "text/html")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _answer(
            self, method: str, body: dict[str, Any]
        ) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
            failure = state.failure
            if failure is not None and failure.remaining > 0 and failure.method in (None, method):
                failure.remaining -= 1
                headers = {}
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                if failure.status >= 500:
                    return failure.status, headers, b"<html>upstream unavailable</html>"
                error = failure.error or ("ratelimited" if failure.status == 429 else "error")
                return failure.status, headers, {"ok": False, "error": error}
            if method == "chat.update":
                return self._update(body)
            if method != "chat.postMessage":
                return 200, {}, {"ok": True}
            state.messages.append(body)
            ts = f"{1772442000 + len(state.messages)}.{len(state.messages):06d}"
            state.posted[(str(body.get("channel")), ts)] = body
            return 200, {}, {"ok": True, "channel": body.get("channel"), "ts": ts}

        def _update(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
            key = (str(body.get("channel")), str(body.get("ts")))
            if key not in state.posted:
                return 200, {}, {"ok": False, "error": "message_not_found"}
            state.updates.append(body)
            state.posted[key] = {**state.posted[key], **body}
            return 200, {}, {"ok": True, "channel": key[0], "ts": key[1], "text": body.get("text")}

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

    return Handler


class SlackTestServer:
    """The Slack Web API on a random local port, served from a thread while in ``with``."""

    def __init__(self) -> None:
        self._state = _State()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self._state))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The ``api_url`` to give the Slack client (ends with ``/api/``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Bodies of the ``chat.postMessage`` calls Slack accepted, in order."""
        with self._state.lock:
            return list(self._state.messages)

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Bodies of the ``chat.update`` calls Slack accepted, in order."""
        with self._state.lock:
            return list(self._state.updates)

    @property
    def posts(self) -> dict[str, dict[str, Any]]:
        """The top-level messages by the ``ts`` Slack gave them, as last updated."""
        with self._state.lock:
            return {
                ts: body for (_, ts), body in self._state.posted.items() if "thread_ts" not in body
            }

    def thread(self, ts: str) -> list[dict[str, Any]]:
        """Bodies of the accepted replies in the thread of the message posted at ``ts``."""
        with self._state.lock:
            return [m for m in self._state.messages if m.get("thread_ts") == ts]

    @property
    def requests(self) -> list[SlackRequest]:
        """Every request received, accepted or failed, in order."""
        with self._state.lock:
            return list(self._state.requests)

    def fail_next(
        self,
        n: int,
        status: int,
        retry_after: int | None = None,
        error: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next ``n`` calls with ``status`` (and ``Retry-After``, Slack ``error``).

        With ``method`` (``"chat.postMessage"``), only the next calls of that method fail.

        A 5xx answers with an HTML body; other statuses with ``{"ok": false, "error": ...}``,
        so ``fail_next(1, 200, error="channel_not_found")`` is a Slack-level failure.
        """
        with self._state.lock:
            self._state.failure = _Failure(n, status, retry_after, error, method)

    def __enter__(self) -> SlackTestServer:
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
