"""Rules with ``fire_on: [no_data]``: a silent SLO gets its own alert, which says "no data"."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from alert_signals import drift_signals
from pydantic import ValidationError
from sqlalchemy import Engine

from alerting.config import AlertRule
from alerting.rules import desired_alert, evaluate_rules, without_data
from store.alerts import open_alerts
from store.records import Signal, SignalStatus
from store.signals import write_signals

NO_DATA = AlertRule(
    alert="SLONoData",
    detector="slo",
    severity="warning",
    runbook="no-data",
    summary="No data for {model}'s SLOs: {subjects}",
    fire_on=("no_data",),
)
BURN = AlertRule(
    alert="SLOErrorBudgetBurn", detector="slo", severity="critical", runbook="slo-burn"
)
MODELS = [("credit-risk", "risk")]
STATUSES: dict[str, SignalStatus] = {"page": "breach", "no_data": "not_computable"}
RUNBOOK = "https://runbooks.example/no-data.md"


def _slo_signal(end: datetime, subject: str, state: str, *, no_data_alert: bool = True) -> Signal:
    """An SLO signal as ``slo.evaluate`` writes it, in the given one-word state."""
    status = STATUSES.get(state, "ok")
    details: dict[str, Any] = {"state": state, "no_data_alert": no_data_alert}
    return Signal(
        detector="slo",
        model="credit-risk",
        subject=subject,
        metric="error_budget_burn",
        window_start=end - timedelta(hours=1),
        window_end=end,
        value=None if state == "no_data" else (20.0 if state == "page" else 0.5),
        threshold=14.4,
        status=status,
        sample_size=0 if state == "no_data" else 600,
        details=details | ({"reason": "no data"} if state == "no_data" else {}),
    )


def _evaluate(engine: Engine, now: datetime, rules: list[AlertRule]) -> list:
    return evaluate_rules(
        engine, rules, MODELS, lambda n: f"https://runbooks.example/{n}.md", None, now
    )


@pytest.mark.parametrize(
    ("signal", "matches"),
    [
        pytest.param(("no_data", True), True, id="no data with no_data_alert matches"),
        pytest.param(("no_data", False), False, id="no data without no_data_alert does not"),
        pytest.param(("page", True), False, id="a burning SLO is not a silent one"),
        pytest.param(("ok", True), False, id="an ok SLO does not match"),
    ],
)
def test_which_signals_count_as_no_data(
    t0: datetime, signal: tuple[str, bool], matches: bool
) -> None:
    state, alert = signal
    found = _slo_signal(t0, "credit-availability", state, no_data_alert=alert)
    assert without_data([found]) == ([found] if matches else [])


def test_a_signal_without_the_no_data_details_never_counts_as_no_data(t0: datetime) -> None:
    [drift] = drift_signals(t0, {"income": 0.1})
    unknown = replace(drift, status="not_computable", details={"reason": "too few rows"})
    assert without_data([unknown]) == []
    rule = NO_DATA.model_copy(update={"detector": "drift"})
    assert desired_alert(rule, "credit-risk", None, [unknown], RUNBOOK, None) is None


def test_the_no_data_alert_says_no_data_and_lists_the_silent_slos(t0: datetime) -> None:
    latest = [
        _slo_signal(t0, "credit-latency", "no_data"),
        _slo_signal(t0, "credit-availability", "no_data"),
        _slo_signal(t0, "credit-auc", "page"),
    ]
    desired = desired_alert(NO_DATA, "credit-risk", "risk", latest, RUNBOOK, None)
    assert desired is not None
    notes = desired.annotations
    assert notes["summary"] == "No data for credit-risk's SLOs: credit-availability, credit-latency"
    assert "has no data for 2 of 3 subjects" in notes["description"]
    assert "past their threshold" not in notes["description"]
    assert notes["subjects"] == []
    assert [s["subject"] for s in notes["no_data"]] == ["credit-availability", "credit-latency"]
    assert desired.labels == {
        "alertname": "SLONoData",
        "model": "credit-risk",
        "severity": "warning",
        "team": "risk",
    }


def test_the_default_summary_of_a_no_data_alert_says_no_data(t0: datetime) -> None:
    rule = NO_DATA.model_copy(update={"summary": ""})
    latest = [_slo_signal(t0, "credit-availability", "no_data")]
    desired = desired_alert(rule, "credit-risk", None, latest, RUNBOOK, None)
    assert desired is not None
    assert (
        desired.annotations["summary"]
        == "SLONoData on credit-risk: no data for credit-availability"
    )


def test_a_rule_on_breach_and_no_data_describes_both(t0: datetime) -> None:
    rule = BURN.model_copy(update={"fire_on": ("breach", "no_data")})
    latest = [_slo_signal(t0, "credit-auc", "page"), _slo_signal(t0, "credit-latency", "no_data")]
    desired = desired_alert(rule, "credit-risk", None, latest, RUNBOOK, None)
    assert desired is not None
    assert [s["subject"] for s in desired.annotations["subjects"]] == ["credit-auc"]
    assert [s["subject"] for s in desired.annotations["no_data"]] == ["credit-latency"]
    assert "past their threshold" in desired.annotations["description"]
    assert "has no data for 1 of 2" in desired.annotations["description"]


def test_the_no_data_alert_fires_once_and_resolves_when_data_returns(
    sqlite_engine: Engine, t0: datetime
) -> None:
    rules = [BURN, NO_DATA]
    hour = timedelta(hours=1)
    write_signals(sqlite_engine, [_slo_signal(t0, "credit-availability", "no_data")], t0)
    fired = _evaluate(sqlite_engine, t0, rules)
    assert [(a.alertname, a.status) for a in fired] == [("SLONoData", "firing")]
    assert "no data" in fired[0].annotations["description"]

    write_signals(sqlite_engine, [_slo_signal(t0 + hour, "credit-availability", "no_data")], t0)
    assert _evaluate(sqlite_engine, t0 + hour, rules) == []
    assert [a.id for a in open_alerts(sqlite_engine)] == [fired[0].id]

    write_signals(sqlite_engine, [_slo_signal(t0 + 2 * hour, "credit-availability", "ok")], t0)
    resolved = _evaluate(sqlite_engine, t0 + 2 * hour, rules)
    assert [(a.id, a.status, a.ends_at) for a in resolved] == [
        (fired[0].id, "resolved", t0 + 2 * hour)
    ]
    assert open_alerts(sqlite_engine) == []


def test_a_silent_slo_does_not_fire_the_burn_rule_and_an_opted_out_one_fires_nothing(
    sqlite_engine: Engine, t0: datetime
) -> None:
    write_signals(
        sqlite_engine,
        [_slo_signal(t0, "credit-availability", "no_data", no_data_alert=False)],
        t0,
    )
    assert _evaluate(sqlite_engine, t0, [BURN, NO_DATA]) == []


@pytest.mark.parametrize(
    ("fire_on", "message"),
    [
        pytest.param([], "at least 1 item", id="an empty trigger list is refused"),
        pytest.param(["no_data", "no_data"], "listed once", id="a repeated trigger is refused"),
        pytest.param(["silence"], "'breach' or 'no_data'", id="an unknown trigger is refused"),
    ],
)
def test_bad_triggers_are_refused(fire_on: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AlertRule.model_validate(
            {"alert": "A", "detector": "slo", "runbook": "r", "fire_on": fire_on}
        )


def test_rules_fire_on_breach_by_default() -> None:
    assert BURN.fire_on == ("breach",)
