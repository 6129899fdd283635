"""The guards that read stored signals: confirmation (both burn-rate windows, k of m drift
windows) and the health of the target (previous) version. Pure checks table-tested; then
the actions tick on SQLite and PostgreSQL: a blocked action writes its reasons to the
incident timeline and the audit log (once), and acts when the signals allow it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from alert_router_kit import router_from, tick
from sqlalchemy import Engine

from alerting.action_guards import (
    SignalStatus,
    burn_windows_check,
    k_of_m_check,
    of_version,
    target_health_check,
)
from alerting.action_tick import actions_tick
from alerting.action_webhook import ActionSender
from alerting.config.actions import ActionsConfig
from alerting.incident_tick import incidents_tick
from store.actions import actions_in
from store.alerts import AlertRecord, upsert_firing
from store.audit import audit_entries
from store.incidents import open_incidents, timeline
from store.records import Signal
from store.records import SignalStatus as SignalStatusName
from store.signals import write_signals
from vigil.config import parse_config
from vigil.errors import ConfigError

HOUR = timedelta(hours=1)
ROUTING = """
route: {receiver: oncall, group_by: [model], group_wait: 0s}
receivers: [{name: oncall}]
"""


def slo_details(long_burn: float | None, short_burn: float | None) -> dict[str, Any]:
    """An SLO signal's details with one page alert (factor 14.4 over 1h and 5m)."""
    return {
        "alerts": {
            "page-fast": {
                "severity": "page",
                "factor": 14.4,
                "long_window": "1h",
                "short_window": "5m",
                "state": "firing",
            },
            "ticket": {
                "severity": "ticket",
                "factor": 1.0,
                "long_window": "3d",
                "short_window": "6h",
                "state": "firing",
            },
        },
        "burn_rates": {"1h": long_burn, "5m": short_burn, "3d": 2.0, "6h": 2.0},
    }


@pytest.mark.parametrize(
    ("long_burn", "short_burn", "ok"),
    [
        pytest.param(20.0, 16.0, True, id="both windows above the factor confirm"),
        pytest.param(20.0, 3.0, False, id="a short window that recovered does not"),
        pytest.param(14.4, 20.0, False, id="exactly the factor is not above it"),
        pytest.param(20.0, None, False, id="a window without data does not"),
    ],
)
def test_burn_rate_confirmation_needs_both_windows_above_the_factor(
    long_burn: float, short_burn: float | None, ok: bool
) -> None:
    check = burn_windows_check(slo_details(long_burn, short_burn))
    assert check.ok is ok
    assert "page-fast: 1h" in check.reason
    assert "ticket" not in check.reason  # only page alerts confirm


def test_a_signal_without_burn_rates_does_not_confirm() -> None:
    assert burn_windows_check({"statistic": 0.3}).reason == "the signal has no burn-rate windows"


@pytest.mark.parametrize(
    ("statuses", "k", "m", "ok"),
    [
        pytest.param({"income": ["breach", "ok", "breach", "breach"]}, 3, 4, True, id="3 of 4"),
        pytest.param(
            {"income": ["breach", "breach", "ok", "ok", "breach"]},
            3,
            4,
            False,
            id="only the last m count",
        ),
        pytest.param(
            {"age": ["breach"], "income": ["breach", "breach"]}, 2, 3, True, id="any subject"
        ),
        pytest.param({}, 1, 1, False, id="no history"),
    ],
)
def test_k_of_m_windows(statuses: dict[str, list[str]], k: int, m: int, ok: bool) -> None:
    assert k_of_m_check(statuses, k, m).ok is ok


def test_a_signal_belongs_to_a_version_by_its_version_or_variant_part() -> None:
    assert of_version("accuracy/variant=v1", "v1")
    assert of_version("income/version=v1/segment=eu", "v1")
    assert not of_version("accuracy/variant=v12", "v1")
    assert not of_version("accuracy", "v1")


@pytest.mark.parametrize(
    ("version", "statuses", "ok", "reason"),
    [
        pytest.param("v1", ["ok", "ok"], True, "version v1: 2 signals, no breach", id="healthy"),
        pytest.param("v1", ["ok", "breach"], False, "version v1 has 1 breaching", id="a breach"),
        pytest.param("v1", [], False, "no data: no signals of version v1", id="no data blocks"),
        pytest.param("v1", ["not_computable"], False, "no data", id="nothing computable"),
        pytest.param(None, ["ok"], False, "the target version is unknown", id="unknown version"),
    ],
)
def test_target_health(
    t0: datetime, version: str | None, statuses: list[str], ok: bool, reason: str
) -> None:
    found = [
        SignalStatus("performance", "accuracy/variant=v1", t0 - i * HOUR / 4, status)
        for i, status in enumerate(statuses)
    ]
    found.append(SignalStatus("performance", "accuracy/variant=v2", t0, "breach"))
    check = target_health_check(version, found, HOUR)
    assert check.ok is ok
    assert reason in check.reason


def policy_config(**guards: Any) -> ActionsConfig:
    raw = yaml.safe_load(
        """
webhooks: [{name: deployer, url: "http://127.0.0.1:9/hook"}]
policies:
  - name: rollback-credit
    matchers: ['model="credit-risk"']
    action: rollback
    webhook: deployer
    mode: dry_run
    cooldown: 0s
"""
    )
    raw["policies"][0].update(guards)
    return ActionsConfig.model_validate(raw)


class Tick:
    """Router, incidents and actions ticks at a simulated ``now``."""

    def __init__(self, engine: Engine, config: ActionsConfig, now: datetime) -> None:
        self.engine, self.config, self.now = engine, config, now
        _, self.router = router_from(ROUTING)

    def step(self, seconds: float = 60) -> list[int]:
        self.now += timedelta(seconds=seconds)
        tick(self.engine, self.router, {"oncall": {}}, self.now)
        incidents_tick(self.engine, self.now)
        report = actions_tick(
            self.engine, self.config, ActionSender(), lambda n: f"https://rb/{n}", self.now
        )
        return report.requested


def fire(
    engine: Engine, labels: dict[str, str], subjects: list[dict[str, Any]], at: datetime
) -> AlertRecord:
    notes = {"summary": "drift on credit-risk", "subjects": subjects}
    return upsert_firing(engine, labels, notes, at, at)[0]


def blocked(engine: Engine) -> list[str]:
    [incident] = open_incidents(engine)
    return [e.message for e in timeline(engine, incident.id) if e.kind == "action_blocked"]


DRIFT = {"alertname": "FeatureDrift", "model": "credit-risk", "severity": "critical"}


def test_k_of_m_drift_windows_block_until_confirmed_and_the_block_is_on_the_timeline(
    engine: Engine, t0: datetime, write_drift: Any
) -> None:
    loop = Tick(engine, policy_config(confirm={"windows": {"k": 3, "m": 4}}), t0)
    for i, value in enumerate([0.1, 0.1, 0.3]):  # one breach in the last windows
        write_drift(engine, t0 - (2 - i) * HOUR, {"income": value, "age": 0.05})
    fire(engine, DRIFT, [{"subject": "income", "window_end": t0.isoformat()}], t0)
    assert loop.step() == []
    assert loop.step() == []  # the same reasons are recorded once
    [message] = blocked(engine)
    assert message == (
        "rollback of credit-risk by policy rollback-credit blocked: not confirmed: fewer than"
        " 3 of 4 windows breached (best: income breached in 1 of its last 3 windows)"
    )
    [entry] = [a for a in audit_entries(engine) if a.action == "action.blocked"]
    assert (entry.actor, entry.target) == ("vigil", "model:credit-risk:current")
    assert "fewer than 3 of 4" in entry.reason

    write_drift(engine, t0 + HOUR, {"income": 0.4})
    write_drift(engine, t0 + 2 * HOUR, {"income": 0.5})
    assert len(loop.step(2 * 3600)) == 1
    assert [a.status for a in actions_in(engine)] == ["dry_run"]


def slo_signal(at: datetime, long_burn: float, short_burn: float) -> Signal:
    return Signal(
        detector="slo",
        model="credit-risk",
        subject="availability",
        metric="burn_rate",
        window_start=at - HOUR,
        window_end=at,
        value=min(long_burn, short_burn),
        threshold=14.4,
        status="breach" if min(long_burn, short_burn) > 14.4 else "ok",
        sample_size=1000,
        details=slo_details(long_burn, short_burn),
    )


def test_an_slo_alert_acts_only_when_both_burn_rate_windows_confirm(
    engine: Engine, t0: datetime
) -> None:
    loop = Tick(engine, policy_config(confirm={"burn_rate_windows": True}), t0)
    labels = {"alertname": "SLOBurn", "model": "credit-risk", "severity": "critical"}
    write_signals(engine, [slo_signal(t0, 20.0, 3.0)], t0)
    alert = fire(engine, labels, [{"subject": "availability", "window_end": t0.isoformat()}], t0)
    assert loop.step() == []
    [message] = blocked(engine)
    assert "not above the factor over both windows (page-fast: 1h 20.0 and 5m 3.0" in message

    later = t0 + timedelta(minutes=5)
    write_signals(engine, [slo_signal(later, 21.0, 18.0)], later)
    subjects = [{"subject": "availability", "window_end": later.isoformat()}]
    upsert_firing(engine, labels, {"subjects": subjects}, later, later)
    assert len(loop.step(300)) == 1
    [action] = actions_in(engine)
    assert action.alert_id == alert.id


def perf(at: datetime, subject: str, status: SignalStatusName) -> Signal:
    return Signal(
        "performance", "credit-risk", subject, "accuracy", at - HOUR, at, 0.9, 0.8, status, 400
    )


def test_a_rollback_waits_for_the_previous_version_to_be_healthy(
    engine: Engine, t0: datetime
) -> None:
    guard = {"lookback": "1h", "detectors": ["performance", "drift"]}
    loop = Tick(engine, policy_config(target_healthy=guard), t0)
    fire(engine, {**DRIFT, "previous_version": "v1"}, [{"subject": "income"}], t0)
    assert loop.step() == []
    assert blocked(engine) == [
        "rollback of credit-risk by policy rollback-credit blocked: target version not"
        " healthy: no data: no signals of version v1 in the last 1:00:00"
    ]
    write_signals(
        engine,
        [perf(t0, "accuracy/variant=v1", "breach"), perf(t0, "accuracy/variant=v2", "ok")],
        t0,
    )
    assert loop.step() == []
    assert (
        "version v1 has 1 breaching signal(s), last performance accuracy/variant=v1"
        in (blocked(engine)[-1])
    )
    at = loop.now + timedelta(minutes=2)
    write_signals(engine, [perf(at, "accuracy/variant=v1", "ok")], at)
    assert loop.step(2 * 3600 - 60) == []  # v1 aged out of the hour: no data (recorded before)
    later = loop.now
    write_signals(engine, [perf(later, "accuracy/variant=v1", "ok")], later)
    assert len(loop.step(1)) == 1
    kinds = [a.action for a in audit_entries(engine)]
    assert kinds.count("action.blocked") == 2 and kinds[-1] == "action.request"


def test_a_guard_waiting_out_for_is_not_recorded_as_blocked(engine: Engine, t0: datetime) -> None:
    loop = Tick(engine, policy_config(**{"for": "10m"}), t0)
    fire(engine, DRIFT, [], t0)
    assert loop.step() == []
    assert blocked(engine) == []
    assert len(loop.step(600)) == 1


@pytest.mark.parametrize(
    ("guards", "path"),
    [
        (
            {"confirm": {"windows": {"k": 5, "m": 3}}},
            "alerting.actions.policies[0].confirm.windows",
        ),
        ({"confirm": {}}, "alerting.actions.policies[0].confirm"),
        (
            {"target_healthy": {"lookback": "0s"}},
            "alerting.actions.policies[0].target_healthy.lookback",
        ),
    ],
    ids=["k above m", "an empty confirmation", "a zero lookback"],
)
def test_bad_guards_fail_the_config_load_with_their_yaml_path(
    guards: dict[str, Any], path: str
) -> None:
    policy = {
        "name": "p",
        "matchers": ['model="m"'],
        "action": "rollback",
        "webhook": "w",
        **guards,
    }
    raw = {
        "alerting": {
            "actions": {
                "webhooks": [{"name": "w", "url": "http://127.0.0.1:9/"}],
                "policies": [policy],
            }
        }
    }
    with pytest.raises(ConfigError) as failed:
        parse_config(yaml.safe_dump(raw))
    assert path in [p for p, _ in failed.value.problems]
