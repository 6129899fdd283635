"""Drift alerts link Evidently's report of their window when the API's external URL is set."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from alert_payloads import firing_payload
from alert_signals import WriteDrift, drift_signals
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine

from alerting.config import AlertingConfig, AlertRule, PagerDutyConfig
from alerting.jobs import alerting_jobs
from alerting.receivers.pagerduty_event import trigger_event
from alerting.receivers.slack_message import slack_message
from alerting.rules import desired_alert, drift_report_url
from store.alerts import open_alerts

API = "https://vigil.example.com/"
RUNBOOK = "https://runbooks.example/feature-drift.md"


def rule(detector: str) -> AlertRule:
    return AlertRule(alert="Drift", detector=detector, severity="warning", runbook="drift")


def _signals(detector: str, t0: datetime) -> list:
    return [replace(s, detector=detector) for s in drift_signals(t0, {"income": 0.6, "age": 0.1})]


@pytest.mark.parametrize(
    "detector", ["drift", "prediction_drift", "multivariate_drift", "embedding_drift"]
)
def test_a_drift_family_alert_links_the_report_of_its_latest_window(
    detector: str, t0: datetime
) -> None:
    desired = desired_alert(
        rule(detector), "credit-risk", None, _signals(detector, t0), RUNBOOK, None, API
    )
    assert desired is not None
    url = urlsplit(desired.annotations["report_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "vigil.example.com", "/v1/reports/drift")
    assert parse_qs(url.query) == {
        "model": ["credit-risk"],
        "start": [(t0 - timedelta(hours=1)).isoformat()],
        "end": [t0.isoformat()],
    }


def test_the_window_is_that_of_the_signals_ending_last(t0: datetime) -> None:
    older = drift_signals(t0 - timedelta(hours=1), {"zip": 0.9})
    latest = [*older, *drift_signals(t0, {"income": 0.6})]
    desired = desired_alert(rule("drift"), "credit-risk", None, latest, RUNBOOK, None, API)
    assert desired is not None
    assert desired.annotations["report_url"] == drift_report_url(
        API, "credit-risk", t0 - timedelta(hours=1), t0
    )


@pytest.mark.parametrize(
    ("detector", "api_base_url"),
    [("drift", None), ("quality", API), ("performance", API), ("slo", API)],
    ids=["no API URL configured", "quality", "performance", "slo"],
)
def test_no_report_link_without_an_api_url_or_for_other_detectors(
    detector: str, api_base_url: str | None, t0: datetime
) -> None:
    desired = desired_alert(
        rule(detector), "credit-risk", None, _signals(detector, t0), RUNBOOK, None, api_base_url
    )
    assert desired is not None
    assert "report_url" not in desired.annotations


def test_the_rules_job_stores_the_link_only_when_the_config_sets_api_base_url(
    engine: Engine, write_drift: WriteDrift, t0: datetime
) -> None:
    write_drift(engine, t0, {"income": 0.6})
    rules = ({"alert": "FeatureDrift", "detector": "drift", "severity": "warning",
              "runbook": "feature-drift", "for": "0s"},)  # fmt: skip
    plain = AlertingConfig.model_validate({"rules": rules})
    linked = AlertingConfig.model_validate({"rules": rules, "api_base_url": API})
    models = [("credit-risk", None)]
    job = next(j for j in alerting_jobs(engine, plain, models, lambda n: RUNBOOK))
    job.run(t0)
    (alert,) = open_alerts(engine)
    assert "report_url" not in alert.annotations
    job = next(j for j in alerting_jobs(engine, linked, models, lambda n: RUNBOOK))
    job.run(t0 + timedelta(minutes=1))
    (alert,) = open_alerts(engine)
    assert alert.annotations["report_url"] == drift_report_url(
        API, "credit-risk", t0 - timedelta(hours=1), t0
    )


def test_api_base_url_must_be_a_web_url() -> None:
    with pytest.raises(ValidationError, match="http:// or https://"):
        AlertingConfig.model_validate({"api_base_url": "vigil.example.com"})


def _linked_payload() -> dict:
    payload = firing_payload()
    payload["alerts"][0]["annotations"]["report_url"] = (
        "https://vigil.example.com/v1/reports/drift?model=credit-risk&start=a&end=b"
    )
    return payload


def test_the_slack_message_shows_the_report_link_beside_the_runbook() -> None:
    message = slack_message(_linked_payload())
    section = message["blocks"][1]["text"]["text"]
    assert "*Drift report:* https://vigil.example.com/v1/reports/drift?model=credit-risk" in section
    buttons = {
        e["action_id"]: e["url"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert buttons["report"].startswith("https://vigil.example.com/v1/reports/drift?")
    assert "runbook" in buttons
    assert "Drift report: https://vigil.example.com/v1/reports/drift?" in message["text"]
    plain = slack_message(firing_payload())
    assert "Drift report" not in str(plain)


def test_the_pagerduty_event_links_the_report() -> None:
    event = trigger_event(PagerDutyConfig(routing_key=SecretStr("k" * 32)), _linked_payload())
    assert {"href": _linked_payload()["alerts"][0]["annotations"]["report_url"],
            "text": "Drift report"} in event["links"]  # fmt: skip
    assert event["payload"]["custom_details"]["drift_report"].startswith(
        "https://vigil.example.com/"
    )
