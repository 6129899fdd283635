"""``vigil replay`` on a recorded stream with a known shift: the drift alert fires at the
step the detector's window and persistence say, and nobody is actually called."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replay_streams import predictions, write_config, write_jsonl

from vigil.config import load_config
from vigil.replay.run import ReplayOptions, replay

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
SHIFT = T0 + timedelta(minutes=60)


@pytest.fixture(scope="module")
def drift_timeline(tmp_path_factory: pytest.TempPathFactory) -> dict:
    workdir = tmp_path_factory.mktemp("drift")
    config = load_config(str(write_config(workdir, actions=True)))
    events = write_jsonl(workdir / "events.jsonl", predictions(T0, 90, 300, shift_at=SHIFT))
    return replay(config, ReplayOptions(events=events, progress=False)).timeline


def test_the_drift_alert_starts_when_k_of_m_windows_after_the_shift_have_drifted(
    drift_timeline: dict,
) -> None:
    # Windows end every 5 minutes; the one ending at SHIFT+5m is the first that drifted,
    # and persistence k=2 of m=3 makes the window ending at SHIFT+10m the first breach.
    drift = [a for a in drift_timeline["alerts"] if a["alertname"] == "FeatureDrift"]
    assert len(drift) == 1
    assert drift[0]["starts_at"] == (SHIFT + timedelta(minutes=10)).isoformat()
    assert drift[0]["labels"]["model"] == "scorer"
    subjects = {s["subject"] for s in drift[0]["annotations"]["subjects"]}
    assert subjects == {"f0", "color"}  # f1 did not shift


def test_the_page_is_recorded_at_the_alert_step_and_not_sent(drift_timeline: dict) -> None:
    pages = [n for n in drift_timeline["notifications"] if n["kind"] == "firing"]
    assert [(p["receiver"], p["at"], p["outcome"]) for p in pages] == [
        ("oncall", (SHIFT + timedelta(minutes=10)).isoformat(), "recorded")
    ]
    assert pages[0]["group_key"] == '{}:{alertname="FeatureDrift",model="scorer"}'
    summary = drift_timeline["summary"]
    assert summary["pages_per_receiver"] == {"oncall": 1}
    assert summary["pages_per_model"] == {"scorer": 1}
    assert summary["pages_per_alertname"] == {"FeatureDrift": 1}


def test_the_incident_opens_with_the_alert(drift_timeline: dict) -> None:
    (incident,) = drift_timeline["incidents"]
    assert incident["opened_at"] == (SHIFT + timedelta(minutes=10)).isoformat()
    assert incident["timeline"][0]["kind"] == "alert_fired"


def test_actions_record_their_guard_decisions_and_call_no_webhook(drift_timeline: dict) -> None:
    section = drift_timeline["actions"]
    decisions = section["guard_decisions"]
    # First held back by the 5m confirmation guard, then allowed once it has fired 5m.
    assert decisions[0]["decision"] == "blocked"
    assert any("firing for less than" in r for r in decisions[0]["reasons"])
    allowed = [d for d in decisions if d["decision"] == "allowed"]
    assert allowed and allowed[0]["at"] == (SHIFT + timedelta(minutes=15)).isoformat()
    (action,) = section["actions"]
    assert (action["action"], action["model"], action["mode"]) == ("retrain", "scorer", "auto")
    assert action["requested_at"] == (SHIFT + timedelta(minutes=15)).isoformat()
    # The webhook (an unreachable port) was never called: the request was recorded instead.
    (request,) = section["webhook_requests"]
    assert request["action"] == "retrain" and request["host"] == "127.0.0.1"
    assert action["status"] != "failed" and action["last_error"] is None


def test_no_drift_alert_on_stationary_traffic(tmp_path: Path) -> None:
    config = load_config(str(write_config(tmp_path)))
    events = write_jsonl(tmp_path / "events.jsonl", predictions(T0, 60, 300))
    timeline = replay(config, ReplayOptions(events=events, progress=False)).timeline
    assert timeline["alerts"] == []
    assert timeline["summary"]["pages"] == 0
    assert timeline["input"]["accepted"] == {"predictions": 18000}
