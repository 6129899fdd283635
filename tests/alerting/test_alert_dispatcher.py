"""The dispatcher sends due notifications, retries with backoff, and gives up loudly."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from alerting.config import SlackConfig
from alerting.dispatcher import RetryPolicy, dispatch_due
from alerting.errors import PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers import DeliveryResult
from alerting.receivers.slack import SlackNotifier
from store.notifications import NewNotification, NotificationRecord, enqueue, list_notifications
from vigil.demo.slack_sink import SlackTestServer

PAYLOAD = {
    "status": "firing",
    "group_key": "g",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "FeatureDrift", "model": "credit-risk", "severity": "warning"},
            "annotations": {"summary": "Drift on credit-risk: income"},
        }
    ],
}


class Scripted:
    """A notifier that plays back results (or raises exceptions) in order."""

    send_resolved = True

    def __init__(self, *script: DeliveryResult | Exception) -> None:
        self._script: Iterator[DeliveryResult | Exception] = iter(script)
        self.sent: list[int] = []

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        self.sent.append(notification.id)
        step = next(self._script)
        if isinstance(step, Exception):
            raise step
        return step


RETRY = DeliveryResult.failed(RetryableDeliveryError("HTTP 503"))


def queue(engine: Engine, t0: datetime, count: int = 1, integration: str = "x[0]") -> list[int]:
    """``count`` notifications of distinct groups to one integration."""
    items = [
        NewNotification("oncall", integration, f"g{i}", "firing", PAYLOAD) for i in range(count)
    ]
    return enqueue(engine, items, t0)


@pytest.mark.parametrize(
    ("failed", "retry_after", "low", "high"),
    [
        pytest.param(1, None, 8, 12, id="the first retry waits the initial delay with jitter"),
        pytest.param(3, None, 32, 48, id="each failure doubles the delay"),
        pytest.param(12, None, 720, 1080, id="the delay is capped"),
        pytest.param(1, 120, 120, 120, id="Retry-After longer than the backoff wins"),
    ],
)
def test_backoff_is_exponential_capped_jittered_and_honours_retry_after(
    failed: int, retry_after: int | None, low: float, high: float
) -> None:
    hint = timedelta(seconds=retry_after) if retry_after else None
    delays = {
        RetryPolicy().delay(failed, random.Random(seed), hint).total_seconds() for seed in range(20)
    }
    assert low <= min(delays) and max(delays) <= high
    assert RetryPolicy().delay(failed, random.Random(7), hint) == RetryPolicy().delay(
        failed, random.Random(7), hint
    )


def test_a_429_is_retried_after_retry_after_and_delivered_exactly_once(
    sqlite_engine: Engine, slack_server: SlackTestServer, t0: datetime
) -> None:
    slack = SlackNotifier(
        SlackConfig(channel="#ml", token=SecretStr("xoxb-t"), api_url=slack_server.url)
    )
    receivers = {"oncall": {"slack[0]": slack}}
    [row] = queue(sqlite_engine, t0, integration="slack[0]")
    slack_server.fail_next(1, 429, retry_after=30)
    policy = RetryPolicy(initial_delay=timedelta(seconds=5))

    def dispatch(at: datetime) -> tuple[int, int]:
        report = dispatch_due(sqlite_engine, receivers, at, rng=random.Random(1), policy=policy)
        return report.sent, report.retried

    assert dispatch(t0) == (0, 1)
    assert dispatch(t0 + timedelta(seconds=29)) == (0, 0)
    assert dispatch(t0 + timedelta(seconds=30)) == (1, 0)
    assert dispatch(t0 + timedelta(hours=1)) == (0, 0)
    assert [r.status for r in slack_server.requests] == [429, 200]
    assert len(slack_server.messages) == 1
    [sent] = list_notifications(sqlite_engine)
    assert (sent.id, sent.status, sent.attempts) == (row, "sent", 2)
    assert sent.sent_at == t0 + timedelta(seconds=30)


def test_it_gives_up_after_max_attempts_and_logs_the_dead_letter(
    sqlite_engine: Engine, t0: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Scripted(RETRY, RETRY, RETRY)
    queue(sqlite_engine, t0)
    policy = RetryPolicy(max_attempts=3)
    now = t0
    with caplog.at_level(logging.WARNING, logger="alerting.dispatcher"):
        for _ in range(3):
            dispatch_due(
                sqlite_engine,
                {"oncall": {"x[0]": notifier}},
                now,
                rng=random.Random(0),
                policy=policy,
            )
            now = list_notifications(sqlite_engine)[0].next_attempt_at
    [dead] = list_notifications(sqlite_engine)
    assert (dead.status, dead.attempts, dead.last_error) == ("dead", 3, "HTTP 503")
    assert "given up after 3 attempts" in caplog.text
    assert len(notifier.sent) == 3


@pytest.mark.parametrize(
    ("receivers", "error"),
    [
        pytest.param(
            {"oncall": {"x[0]": Scripted(DeliveryResult.failed(PermanentDeliveryError("bad")))}},
            "bad",
            id="a permanent failure is dead at once",
        ),
        pytest.param(
            {},
            "receiver 'oncall' has no integration 'x[0]'",
            id="a row for an integration no longer configured is dead",
        ),
    ],
)
def test_unrecoverable_notifications_die_at_the_first_attempt(
    sqlite_engine: Engine, t0: datetime, receivers: dict, error: str
) -> None:
    queue(sqlite_engine, t0)
    report = dispatch_due(sqlite_engine, receivers, t0, rng=random.Random(0))
    assert (report.dead, report.sent, report.retried) == (1, 0, 0)
    assert list_notifications(sqlite_engine)[0].last_error == error


def test_a_notifier_bug_is_retried_and_does_not_stop_other_integrations(
    sqlite_engine: Engine, t0: datetime
) -> None:
    broken, fine = Scripted(KeyError("oops")), Scripted(DeliveryResult.ok({"n": 1}))
    queue(sqlite_engine, t0, integration="broken[0]")
    queue(sqlite_engine, t0, integration="fine[0]")
    receivers = {"oncall": {"broken[0]": broken, "fine[0]": fine}}
    report = dispatch_due(sqlite_engine, receivers, t0, rng=random.Random(0))
    assert (report.sent, report.retried) == (1, 1)
    statuses = [(n.integration, n.status, n.last_error) for n in list_notifications(sqlite_engine)]
    assert statuses == [("broken[0]", "pending", "KeyError in notifier"), ("fine[0]", "sent", None)]


def test_after_a_retryable_failure_later_rows_of_that_integration_wait(
    sqlite_engine: Engine, t0: datetime
) -> None:
    notifier = Scripted(RETRY, DeliveryResult.ok(), DeliveryResult.ok(), DeliveryResult.ok())
    queue(sqlite_engine, t0, count=3)
    first = dispatch_due(sqlite_engine, {"oncall": {"x[0]": notifier}}, t0, rng=random.Random(0))
    assert (first.retried, first.deferred, len(notifier.sent)) == (1, 2, 1)
    assert [n.status for n in list_notifications(sqlite_engine)] == ["pending"] * 3
    second = dispatch_due(
        sqlite_engine,
        {"oncall": {"x[0]": notifier}},
        t0 + timedelta(seconds=1),
        rng=random.Random(0),
    )
    assert second.sent == 2
