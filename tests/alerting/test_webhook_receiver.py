"""The webhook integration: Standard Webhooks signatures (checked against the shared
conformance vectors and the ``standardwebhooks`` library), and delivery to a local server."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from alert_http_sinks import WebhookTestServer
from alert_payloads import firing_payload, notification
from standardwebhooks.webhooks import Webhook

from alerting.config import WebhookConfig
from alerting.errors import SignatureError
from alerting.receivers.webhook import WebhookNotifier
from alerting.receivers.webhook_signing import sign_headers, verify

VECTORS = yaml.safe_load(
    Path("/work/shared/conformance/standard_webhooks_vectors.yaml").read_text()
)
SECRET = VECTORS["secret"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["id"] for c in VECTORS["cases"]])
def test_signatures_verify_as_the_conformance_vectors_say(case: dict[str, Any]) -> None:
    now = datetime.fromtimestamp(case["now"], tz=UTC)
    if case["expect"] == "valid":
        verify(SECRET, case["body"], case["headers"], now)
        return
    with pytest.raises(SignatureError) as raised:
        verify(SECRET, case["body"], case["headers"], now)
    assert raised.value.reason == case["expect"]


def test_our_signature_is_the_librarys_and_the_vectors() -> None:
    [case] = [c for c in VECTORS["cases"] if c["id"] == "SW-01"]
    sent = datetime.fromtimestamp(int(case["headers"]["webhook-timestamp"]), tz=UTC)
    headers = sign_headers(SECRET, case["headers"]["webhook-id"], sent, case["body"])
    assert headers == case["headers"]
    library = Webhook(SECRET).sign(case["headers"]["webhook-id"], sent, case["body"])
    assert library == case["headers"]["webhook-signature"]


def test_verify_rejects_a_request_without_the_headers() -> None:
    with pytest.raises(SignatureError, match="missing headers"):
        verify(SECRET, "{}", {"webhook-id": "x"}, datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
def hook() -> WebhookTestServer:
    with WebhookTestServer() as server:
        yield server  # type: ignore[misc]


def notifier(url: str, t0: datetime, **fields: Any) -> WebhookNotifier:
    config = WebhookConfig.model_validate({"url": url, **fields})
    return WebhookNotifier(config, clock=lambda: t0)


def test_a_signed_notification_arrives_and_verifies(hook: WebhookTestServer, t0: datetime) -> None:
    sender = notifier(f"{hook.url}/vigil?token=abc", t0, secret=SECRET)
    row = notification(firing_payload(), t0, "webhook[0]", id=7)
    assert sender.send(row).outcome == "ok"
    hook.fail_next(1, 503)
    assert sender.send(row).outcome == "retryable"
    assert sender.send(row).outcome == "ok"
    first, _, retry = hook.requests
    assert first.path == "/vigil?token=abc"
    assert first.headers["webhook-id"] == retry.headers["webhook-id"] == "vigil-notification-7"
    verify(SECRET, first.body, first.headers, t0)
    body = first.json()
    assert body["alerts"] == firing_payload()["alerts"]
    assert (body["status"], body["truncated_alerts"]) == ("firing", 0)


def test_max_alerts_truncates_and_counts_what_was_left_out(
    hook: WebhookTestServer, t0: datetime
) -> None:
    payload = firing_payload()
    payload["alerts"] = payload["alerts"] * 3
    notifier(hook.url, t0, max_alerts=2).send(notification(payload, t0, "webhook[0]"))
    [received] = hook.delivered
    assert (len(received.json()["alerts"]), received.json()["truncated_alerts"]) == (2, 1)
    assert "webhook-signature" not in received.headers


@pytest.mark.parametrize(
    ("status", "retry_after", "outcome", "wait"),
    [
        pytest.param(429, 60, "retryable", 60, id="429 waits for Retry-After"),
        pytest.param(502, None, "retryable", None, id="502 is retryable"),
        pytest.param(404, None, "permanent", None, id="404 is permanent"),
    ],
)
def test_webhook_failures_are_classified_and_name_only_the_host(
    hook: WebhookTestServer,
    t0: datetime,
    status: int,
    retry_after: int | None,
    outcome: str,
    wait: int | None,
) -> None:
    hook.fail_next(1, status, retry_after=retry_after)
    result = notifier(f"{hook.url}/x?token=secret-token", t0).send(
        notification(firing_payload(), t0, "webhook[0]")
    )
    assert result.outcome == outcome
    assert (result.retry_after.total_seconds() if result.retry_after else None) == wait
    assert result.error == f"webhook 127.0.0.1:{hook.port} answered HTTP {status}"


def test_an_unreachable_webhook_is_retryable(t0: datetime) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = notifier(f"http://127.0.0.1:{port}/", t0).send(
        notification(firing_payload(), t0, "webhook[0]")
    )
    assert (result.outcome, result.error) == (
        "retryable",
        f"cannot reach webhook 127.0.0.1:{port}: ConnectError",
    )
    assert json.dumps(result.response) == "{}"
