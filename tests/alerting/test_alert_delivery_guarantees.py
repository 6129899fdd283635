"""Each firing group pages exactly once and resolves exactly once, whatever the network does.

Real clients (``slack_sdk``, ``pagerduty``) against local Slack and PagerDuty servers on
127.0.0.1, the scheduled jobs ``vigil serve`` runs, and a simulated clock: rate limiting with
``Retry-After``, 5xx answers, a 10-minute outage of both services, and a restart of the
whole alerting stack (new jobs, receivers, router and dispatcher on the same database) in the
middle of a retry. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from alert_http_sinks import PagerDutyTestServer
from alert_router_kit import end, fire
from sqlalchemy import Engine

from alerting.config import AlertingConfig
from alerting.dispatcher import RetryPolicy
from alerting.jobs import alerting_jobs
from alerting.receivers import BuildContext
from store.notifications import count_by_status
from vigil.demo.slack_sink import SlackTestServer

STEP = timedelta(seconds=20)
PAGE = {"alertname": "ModelDown", "model": "credit-risk", "severity": "critical"}
DRIFT = {"alertname": "FeatureDrift", "model": "churn", "severity": "warning"}


def config(slack_url: str) -> AlertingConfig:
    return AlertingConfig.model_validate(
        {
            "route": {
                "receiver": "slack",
                "group_by": ["alertname", "model"],
                "group_wait": "30s",
                "group_interval": "1m",
                "repeat_interval": "24h",
                "routes": [
                    {"matchers": ['severity="critical"'], "receiver": "pager", "continue": True},
                    {"receiver": "slack"},
                ],
            },
            "receivers": [
                {
                    "name": "slack",
                    "slack_configs": [
                        {"channel": "#ml-oncall", "token": "xoxb-guarantee", "api_url": slack_url}
                    ],
                },
                {"name": "pager", "pagerduty_configs": [{"routing_key": "R" * 32}]},
            ],
        }
    )


class Stack:
    """The alerting jobs of one `vigil serve` process; a restart builds a new one."""

    def __init__(self, engine: Engine, slack: SlackTestServer, pd: PagerDutyTestServer) -> None:
        context = BuildContext(pagerduty_transport=pd.transport(), pagerduty_timeout=5)
        jobs = alerting_jobs(
            engine,
            config(slack.url),
            [],
            lambda name: f"https://runbooks.example/{name}.md",
            build_context=context,
            rng=random.Random(7),
            retry_policy=RetryPolicy(max_attempts=12),
        )
        [self.dispatch] = [job.run for job in jobs if job.name == "alerting.dispatch"]


Scenario = Callable[[SlackTestServer, PagerDutyTestServer, timedelta], None]


def rate_limited(slack: SlackTestServer, pd: PagerDutyTestServer, since: timedelta) -> None:
    if since in (timedelta(0), timedelta(minutes=15)):
        slack.fail_next(1, 429, retry_after=45)
        pd.fail_next(1, 429, retry_after=45)


def server_errors(slack: SlackTestServer, pd: PagerDutyTestServer, since: timedelta) -> None:
    if since in (timedelta(0), timedelta(minutes=15)):
        slack.fail_next(2, 503)
        pd.fail_next(3, 502)


def ten_minute_outage(slack: SlackTestServer, pd: PagerDutyTestServer, since: timedelta) -> None:
    if since == timedelta(0):
        slack.fail_next(10**6, 503)
        pd.down(503)
    if since == timedelta(minutes=10):
        slack.fail_next(0, 503)
        pd.up()


@pytest.mark.parametrize(
    ("scenario", "restart_at"),
    [
        pytest.param(rate_limited, None, id="429 with Retry-After"),
        pytest.param(server_errors, None, id="5xx answers"),
        pytest.param(ten_minute_outage, None, id="a 10-minute outage of Slack and PagerDuty"),
        pytest.param(server_errors, timedelta(seconds=60), id="a restart in the middle of a retry"),
    ],
)
def test_every_group_pages_once_and_resolves_once(
    engine: Engine,
    t0: datetime,
    slack_server: SlackTestServer,
    scenario: Scenario,
    restart_at: timedelta | None,
) -> None:
    with PagerDutyTestServer() as pd:
        stack = Stack(engine, slack_server, pd)
        fire(engine, PAGE, t0)
        fire(engine, DRIFT, t0)
        since = timedelta(0)
        while since <= timedelta(minutes=30):
            if since == timedelta(minutes=15):
                end(engine, PAGE, t0 + since)
                end(engine, DRIFT, t0 + since)
            scenario(slack_server, pd, since)
            if since == restart_at:
                assert count_by_status(engine).get("pending", 0) > 0  # a retry is under way
                stack = Stack(engine, slack_server, pd)
            stack.dispatch(t0 + since)
            since += STEP
        assert_exactly_once(slack_server, pd)
        assert count_by_status(engine) == {"sent": 6}
        # The failures did happen: every service refused some requests first.
        assert any(r.status != 200 for r in slack_server.requests)
        assert any(r.status >= 400 for r in pd.requests)


def assert_exactly_once(slack: SlackTestServer, pd: PagerDutyTestServer) -> None:
    posts = [m for m in slack.messages if "thread_ts" not in m]
    titles = Counter(message["text"].splitlines()[0] for message in posts)
    assert titles == {
        "[FIRING:1] ModelDown on credit-risk": 1,
        "[FIRING:1] FeatureDrift on churn": 1,
    }
    # Each resolution edits its firing post (again, if a retry follows a failed reply) and
    # replies once in that post's thread.
    shown = {ts: post["text"].splitlines()[0] for ts, post in slack.posts.items()}
    assert sorted(shown.values()) == [
        "[RESOLVED] FeatureDrift on churn",
        "[RESOLVED] ModelDown on credit-risk",
    ]
    assert {update["ts"] for update in slack.updates} == set(shown)
    for ts in shown:
        [reply] = slack.thread(ts)
        assert reply["text"].startswith(":white_check_mark: Resolved at ")
    actions: list[tuple[str, Any]] = [(e["event_action"], e["dedup_key"]) for e in pd.events]
    assert [action for action, _ in actions] == ["trigger", "resolve"]
    assert actions[0][1] == actions[1][1]
