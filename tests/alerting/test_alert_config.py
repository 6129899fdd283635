"""The ``alerting`` section takes Alertmanager's configuration syntax verbatim, and says
clearly what is wrong with a bad one (field errors from pydantic, references with paths)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from alerting.config import AlertingConfig
from alerting.config.checks import reference_problems

# An alertmanager.yml in the style of Alertmanager's documentation, minus `global`.
ALERTMANAGER = """
route:
  receiver: 'default-receiver'
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  group_by: [cluster, alertname]
  routes:
  - receiver: 'database-pager'
    group_wait: 10s
    matchers:
    - service=~"mysql|cassandra"
  - receiver: 'frontend-pager'
    group_by: [product, environment]
    match:
      team: frontend
      code: 500
  - receiver: 'dev-pager'
    matchers:
      - service="inhouse-service"
    mute_time_intervals:
      - offhours
      - holidays
    continue: true
  - receiver: 'on-call-pager'
    matchers:
      - service="inhouse-service"
    active_time_intervals:
      - offhours
      - holidays
time_intervals:
- name: offhours
  time_intervals:
  - times:
    - start_time: 20:00
      end_time: 23:00
    weekdays: ['monday:friday']
    location: 'America/New_York'
- name: holidays
  time_intervals:
  - times:
    - start_time: '00:00'
      end_time: '24:00'
    days_of_month: ['1:1', '-1']
    months: ['january', '12']
    years: ['2026:2030']
inhibit_rules:
- source_matchers: [ severity="critical" ]
  target_matchers: [ severity="warning" ]
  equal: [ alertname ]
- source_match: {severity: critical}
  target_match_re: {severity: 'warning|info'}
  equal: [cluster]
receivers:
- name: 'default-receiver'
  webhook_configs:
    - url: 'http://127.0.0.1:5001/'
      send_resolved: false
      max_alerts: 10
- name: 'database-pager'
  pagerduty_configs:
  - routing_key: R0123456789abcdef0123456789abcdef
- name: 'frontend-pager'
  pagerduty_configs:
  - routing_key: R0123456789abcdef0123456789abcdef
    url: https://events.eu.pagerduty.com/v2/enqueue
    severity: warning
    class: ml
- name: 'dev-pager'
  webhook_configs:
  - url: https://hooks.example/vigil
    secret: whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
- name: 'on-call-pager'
  slack_configs:
  - channel: '#on-call'
    token: xoxb-1
"""


def load(text: str) -> AlertingConfig:
    return AlertingConfig.model_validate(yaml.safe_load(text))


def test_an_alertmanager_config_loads_verbatim_with_every_part_understood() -> None:
    config = load(ALERTMANAGER)
    assert reference_problems(config) == []
    frontend = config.route.routes[1]
    assert frontend.match == {"team": "frontend", "code": "500"}
    assert config.route.routes[2].mute_time_intervals == ("offhours", "holidays")
    offhours = config.named_time_intervals()["offhours"].time_intervals[0]
    assert offhours.times is not None and offhours.times[0].start_time == "20:00"
    assert (offhours.weekdays, offhours.location) == (((1, 5),), "America/New_York")
    holidays = config.named_time_intervals()["holidays"].time_intervals[0]
    assert holidays.days_of_month == ((1, 1), (-1, -1))
    assert holidays.months == ((1, 1), (12, 12))
    assert [str(m) for m in config.inhibit_rules[1].targets()] == ['severity=~"warning|info"']
    pager = config.receiver("frontend-pager").pagerduty_configs[0]
    assert (pager.base_url, pager.severity, pager.class_) == (
        "https://events.eu.pagerduty.com",
        "warning",
        "ml",
    )
    assert config.receiver("default-receiver").webhook_configs[0].max_alerts == 10
    assert config.route.routes[0].group_wait == timedelta(seconds=10)


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    raw = yaml.safe_load(ALERTMANAGER)
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "location", "message"),
    [
        pytest.param(
            ["route", "routes", 0, "matchers"],
            ['service=~"(mysql"'],
            "route.routes.0.matchers",
            "invalid regex",
            id="an invalid regex in matchers",
        ),
        pytest.param(
            ["route", "routes", 1, "match_re"],
            {"team": "front(end"},
            "route.routes.1.match_re",
            "invalid regex for 'team'",
            id="an invalid regex in match_re names the label",
        ),
        pytest.param(
            ["route", "group_by"],
            ["...", "alertname"],
            "route.group_by",
            "cannot have wildcard group_by",
            id="group_by mixes '...' with labels",
        ),
        pytest.param(
            ["route", "repeat_interval"],
            "0s",
            "route.repeat_interval",
            "must be greater than zero",
            id="a zero repeat_interval",
        ),
        pytest.param(
            ["time_intervals", 0, "time_intervals", 0, "weekdays"],
            ["monday:funday"],
            "time_intervals.0.time_intervals.0.weekdays",
            "funday is not a valid weekday",
            id="an unknown weekday",
        ),
        pytest.param(
            ["time_intervals", 0, "time_intervals", 0, "times"],
            [{"start_time": "23:00", "end_time": "20:00"}],
            "time_intervals.0.time_intervals.0.times.0",
            "start time cannot be equal or greater than end time",
            id="a time range that ends before it starts",
        ),
        pytest.param(
            ["time_intervals", 1, "time_intervals", 0, "days_of_month"],
            ["-3:5"],
            "time_intervals.1.time_intervals.0.days_of_month",
            "end day must be negative if start day is negative",
            id="a day-of-month range from the end to the start",
        ),
        pytest.param(
            ["time_intervals", 0, "time_intervals", 0, "location"],
            "Mars/Olympus_Mons",
            "time_intervals.0.time_intervals.0.location",
            "unknown time zone",
            id="an unknown time zone",
        ),
        pytest.param(
            ["receivers", 1, "pagerduty_configs", 0, "url"],
            "http://events.pagerduty.com/v2/enqueue",
            "receivers.1.pagerduty_configs.0.url",
            "must be https",
            id="a PagerDuty URL without TLS",
        ),
        pytest.param(
            ["receivers", 3, "webhook_configs", 0, "secret"],
            "whsec_not base64!",
            "receivers.3.webhook_configs.0.secret",
            "whsec_ followed by base64",
            id="a webhook secret that is not base64",
        ),
        pytest.param(
            ["receivers", 0, "email_configs"],
            [{"to": "oncall@example.com"}],
            "receivers.0.email_configs",
            "Extra inputs are not permitted",
            id="an integration Vigil does not implement",
        ),
    ],
)
def test_a_bad_field_fails_with_its_location_and_reason(
    path: list[str | int], value: Any, location: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        AlertingConfig.model_validate(_with(path, value))
    errors = {".".join(str(p) for p in e["loc"]): e["msg"] for e in raised.value.errors()}
    assert location in errors, errors
    assert message in errors[location]


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        pytest.param(
            ["route", "routes", 1, "receiver"],
            "nobody",
            ("alerting.route.routes[1].receiver", "unknown receiver 'nobody'"),
            id="a route names a receiver that does not exist",
        ),
        pytest.param(
            ["route", "routes", 2, "mute_time_intervals"],
            ["offhours", "weekends"],
            (
                "alerting.route.routes[2].mute_time_intervals[1]",
                "undefined time interval 'weekends'",
            ),
            id="a route names a time interval that does not exist",
        ),
        pytest.param(
            ["route", "matchers"],
            ['team="a"'],
            ("alerting.route", "the root route must not have matchers"),
            id="the root route has matchers",
        ),
        pytest.param(
            ["route", "continue"],
            True,
            ("alerting.route.continue", "the root route cannot have continue"),
            id="the root route has continue",
        ),
        pytest.param(
            ["route", "receiver"],
            None,
            ("alerting.route.receiver", "the root route needs a receiver"),
            id="the root route has no receiver",
        ),
        pytest.param(
            ["mute_time_intervals"],
            [{"name": "offhours"}],
            ("alerting.mute_time_intervals[0].name", "duplicate time interval 'offhours'"),
            id="a time interval name is defined twice",
        ),
    ],
)
def test_references_are_checked_with_the_yaml_path(
    path: list[str | int], value: Any, problem: tuple[str, str]
) -> None:
    config = AlertingConfig.model_validate(_with(path, value))
    assert problem in reference_problems(config)
