"""The Fleet page's traffic lights, from signals and alerts, without Streamlit or a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboards.fleet import Light, alerts_light, drift_light, fleet_tiles, slo_light
from store.alerts import AlertRecord
from store.records import Signal, StoredSignal

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _signal(
    status: str, *, detector: str = "drift", details: dict[str, Any] | None = None
) -> Signal:
    return Signal(
        detector=detector,
        model="credit",
        subject="x",
        metric="psi",
        window_start=T0,
        window_end=T0 + timedelta(hours=1),
        value=0.1,
        threshold=0.2,
        status=status,  # type: ignore[arg-type]
        sample_size=100,
        details=details or {},
    )


def _alert(model: str, severity: str) -> AlertRecord:
    return AlertRecord(
        id=1,
        fingerprint="fp",
        alertname="FeatureDrift",
        labels={"model": model, "severity": severity},
        annotations={},
        status="firing",
        starts_at=T0,
        ends_at=None,
        updated_at=T0,
    )


@pytest.mark.parametrize(
    ("statuses", "light"),
    [
        pytest.param([], Light("grey", "no drift results"), id="nothing measured is grey"),
        pytest.param(
            ["not_computable"], Light("grey", "no drift results"), id="nothing computable is grey"
        ),
        pytest.param(["ok", "ok"], Light("green", "0 of 2 features drifting"), id="no breach"),
        pytest.param(
            ["breach", "ok", "ok", "ok"],
            Light("amber", "1 of 4 features drifting"),
            id="under a third drifting is amber",
        ),
        pytest.param(
            ["breach", "ok", "ok", "not_computable"],
            Light("red", "1 of 3 features drifting"),
            id="a third of computable features drifting is red",
        ),
    ],
)
def test_the_drift_light_is_the_share_of_features_drifting(
    statuses: list[str], light: Light
) -> None:
    assert drift_light([_signal(s) for s in statuses]) == light


def _slo(state: str, budget: float | None) -> Signal:
    return _signal("ok", detector="slo", details={"state": state, "budget_remaining": budget})


@pytest.mark.parametrize(
    ("signals", "level"),
    [
        pytest.param([], "grey", id="no SLO is grey"),
        pytest.param([_slo("ok", 0.9)], "green", id="healthy budget is green"),
        pytest.param([_slo("ok", 0.2)], "amber", id="under a quarter of budget is amber"),
        pytest.param([_slo("ticket", 0.9)], "amber", id="a ticket burn is amber"),
        pytest.param([_slo("no_data", None)], "amber", id="no data is amber not green"),
        pytest.param([_slo("ok", 0.9), _slo("page", 0.8)], "red", id="any page burn is red"),
        pytest.param([_slo("ok", -0.1)], "red", id="an overspent budget is red"),
    ],
)
def test_the_slo_light_is_the_worst_state_and_lowest_budget(
    signals: list[Signal], level: str
) -> None:
    assert slo_light(signals).level == level


def test_the_slo_light_names_the_lowest_budget() -> None:
    assert slo_light([_slo("ok", 0.9), _slo("ok", 0.55)]).text == "lowest budget left 55%"


@pytest.mark.parametrize(
    ("severities", "light"),
    [
        pytest.param([], Light("green", "no open alerts"), id="none open is green"),
        pytest.param(["warning"], Light("amber", "1 open alert"), id="a warning is amber"),
        pytest.param(["warning", "critical"], Light("red", "2 open alerts"), id="critical is red"),
    ],
)
def test_the_alert_light_follows_the_most_severe_open_alert(
    severities: list[str], light: Light
) -> None:
    assert alerts_light([_alert("credit", s) for s in severities]) == light


def test_tiles_put_the_most_urgent_model_first_and_keep_alerts_per_model() -> None:
    ok = StoredSignal(id=1, signal=_signal("ok"), created_at=T0)
    breach = StoredSignal(id=2, signal=replace(_signal("breach"), model="b"), created_at=T0)
    tiles = fleet_tiles(["a", "b", "c"], {"a": [ok], "b": [breach]}, [_alert("c", "warning")])
    assert [(t.model, t.worst) for t in tiles] == [("b", "red"), ("c", "amber"), ("a", "grey")]
    assert [t.alerts.level for t in tiles] == ["green", "amber", "green"]
    assert [t.last_signal for t in tiles] == [
        "2026-03-02 10:00 UTC",
        "never",
        "2026-03-02 10:00 UTC",
    ]
