"""The Fleet page's eight lights per model, rendered by AppTest on the seeded store.

Three models are added beside the seed's, each with every signal family green, amber or red,
so every light of every tile is checked against the signals that should colour it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from dashboard_seed import MODEL, UNREGISTERED_MODEL
from streamlit.testing.v1 import AppTest

from dashboards.fleet_lights import Light, incidents_light, performance_light
from dashboards.launch import APP_PATH, DATABASE_URL_ENV
from store.alerts import upsert_firing
from store.db import create_store_engine
from store.incidents import (
    IncidentEvent,
    IncidentRecord,
    change_status,
    open_incident,
    open_incidents,
)
from store.predictions import register_models
from store.records import Signal
from store.signals import write_signals

LABELS = ("Drift", "Quality", "Performance", "Estimated", "Bias", "SLOs", "Incidents", "Alerts")
COLOURS = {"green": "green", "orange": "amber", "red": "red", "gray": "grey"}
LEVELS = ("green", "amber", "red")


def _signal(
    t0: datetime,
    model: str,
    detector: str,
    subject: str,
    status: str,
    value: float = 0.1,
    threshold: float = 0.2,
    end: int = 0,
    **details: Any,
) -> Signal:
    return Signal(detector=detector, model=model, subject=subject, metric=subject,
                  window_start=t0 + timedelta(minutes=end - 60),
                  window_end=t0 + timedelta(minutes=end), value=value, threshold=threshold,
                  status=status, sample_size=400, details=details)  # type: ignore[arg-type]  # fmt: skip


def _share(t0: datetime, model: str, detector: str, level: str) -> list[Signal]:
    """Green: no breach; amber: 1 of 4 subjects in breach; red: 2 of 3."""
    statuses = {"green": ["ok"] * 3, "amber": ["breach", "ok", "ok", "ok"],
                "red": ["breach", "breach", "ok"]}[level]  # fmt: skip
    return [_signal(t0, model, detector, f"s{i}", s) for i, s in enumerate(statuses)]


def _performance(t0: datetime, model: str, level: str) -> list[Signal]:
    """Green: well above its bound; amber: a variant below it; red: the model below it."""
    if level == "red":
        return [_signal(t0, model, "performance", "roc_auc", "breach", 0.6, 0.75)]
    found = [_signal(t0, model, "performance", "roc_auc", "ok", 0.85, 0.75,
                     interval={"low": 0.83, "high": 0.87})]  # fmt: skip
    if level == "amber":
        found.append(_signal(t0, model, "performance", "roc_auc/variant=b", "breach", 0.7, 0.75))
    return found


def _estimated(t0: datetime, model: str, level: str) -> list[Signal]:
    """Green: its band above the bound; amber: the band holds the bound; red: below it."""
    value, status = {"green": (0.85, "ok"), "amber": (0.77, "ok"), "red": (0.6, "breach")}[level]
    band = {"low": value - 0.05, "high": value + 0.05}
    return [_signal(t0, model, "estimated_performance", "roc_auc", status, value, 0.75, band=band)]


def _slo(t0: datetime, model: str, level: str) -> list[Signal]:
    state, budget = {"green": ("ok", 0.9), "amber": ("ticket", 0.6), "red": ("page", 0.1)}[level]
    return [_signal(t0, model, "slo", "availability", "ok", state=state, budget_remaining=budget)]


def _add_model(url: str, t0: datetime, model: str, level: str) -> None:
    engine = create_store_engine(url)
    try:
        register_models(engine, [(model, "binary_classification")], t0)
        found = [*_share(t0, model, "drift", level), *_share(t0, model, "quality", level),
                 *_share(t0, model, "fairness", level), *_performance(t0, model, level),
                 *_estimated(t0, model, level), *_slo(t0, model, level)]  # fmt: skip
        write_signals(engine, found, t0)
        if level == "green":
            return
        severity = "critical" if level == "red" else "warning"
        upsert_firing(engine, {"alertname": "FeatureDrift", "model": model, "severity": severity},
                      {"summary": "drift"}, starts_at=t0, now=t0)  # fmt: skip
        first = IncidentEvent(t0, "opened", "vigil", "opened")
        incident = open_incident(engine, f"group-{model}", "drift", model, severity, t0, first)
        if level == "amber":
            acked = IncidentEvent(t0 + timedelta(minutes=1), "acknowledged", "dana", "on it")
            assert change_status(engine, incident.id, "triggered", "acknowledged", acked)
    finally:
        engine.dispose()


def _tiles(monkeypatch: pytest.MonkeyPatch, url: str) -> dict[str, dict[str, str]]:
    """Every tile's lights, as ``{model: {label: level}}``, read from the rendered page."""
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    badges = [m.value for m in app.markdown if "-badge[" in m.value]
    models = [s.value for s in app.subheader]
    assert len(badges) == len(LABELS) * len(models)
    tiles: dict[str, dict[str, str]] = {}
    for i, model in enumerate(models):
        lights = badges[i * len(LABELS) : (i + 1) * len(LABELS)]
        tiles[model] = {}
        for label, badge in zip(LABELS, lights, strict=True):
            colour, rest = badge[1:].split("-badge[", 1)
            assert rest.startswith(f"{label}: {COLOURS[colour]}]"), badge
            tiles[model][label] = COLOURS[colour]
    return tiles


@pytest.fixture
def fleet_url(seeded_url: str, t0: datetime) -> str:
    for level in LEVELS:
        _add_model(seeded_url, t0, f"model-{level}", level)
    return seeded_url


def test_every_light_of_every_tile_takes_the_colour_of_its_signals(
    monkeypatch: pytest.MonkeyPatch, fleet_url: str
) -> None:
    tiles = _tiles(monkeypatch, fleet_url)
    for level in LEVELS:
        assert tiles[f"model-{level}"] == dict.fromkeys(LABELS, level), level
    assert tiles[MODEL] == {
        "Drift": "red", "Quality": "grey", "Performance": "red", "Estimated": "amber",
        "Bias": "red", "SLOs": "amber", "Incidents": "red", "Alerts": "red",
    }  # fmt: skip
    assert tiles[UNREGISTERED_MODEL]["Drift"] == "green"
    assert tiles[UNREGISTERED_MODEL]["Incidents"] == "green"


def test_the_tiles_are_ordered_most_urgent_first(
    monkeypatch: pytest.MonkeyPatch, fleet_url: str
) -> None:
    assert list(_tiles(monkeypatch, fleet_url)) == [
        MODEL, "model-red", "model-amber", UNREGISTERED_MODEL, "model-green",
    ]  # fmt: skip


def test_a_newer_window_and_an_acknowledgement_turn_lights_from_red(
    monkeypatch: pytest.MonkeyPatch, fleet_url: str, t0: datetime
) -> None:
    engine = create_store_engine(fleet_url)
    try:
        model = "model-red"
        recovered = [_signal(t0, model, "drift", f"s{i}", "ok", end=60) for i in range(3)]
        recovered.append(_signal(t0, model, "performance", "roc_auc", "ok", 0.9, 0.75, end=60))
        write_signals(engine, recovered, t0 + timedelta(minutes=61))
        ack = IncidentEvent(t0 + timedelta(minutes=62), "acknowledged", "dana", "on it")
        (incident,) = [i for i in open_incidents(engine) if i.model == model]
        assert change_status(engine, incident.id, "triggered", "acknowledged", ack)
    finally:
        engine.dispose()
    lights = _tiles(monkeypatch, fleet_url)["model-red"]
    assert (lights["Drift"], lights["Performance"], lights["Incidents"]) == (
        "green",
        "green",
        "amber",
    )
    assert lights["Quality"] == "red"  # no newer quality window: still the old verdict


def _incident(status: str) -> IncidentRecord:
    return IncidentRecord(id=1, group_key="g", title="t", model="m", severity="warning",
                          status=status, opened_at=datetime(2026, 3, 2),
                          updated_at=datetime(2026, 3, 2), resolved_at=None)  # fmt: skip


@pytest.mark.parametrize(
    ("statuses", "light"),
    [
        ([], Light("green", "no open incidents")),
        (["acknowledged", "mitigated"], Light("amber", "2 open incidents, all acknowledged")),
        (["triggered", "acknowledged"], Light("red", "2 open incidents, 1 unacknowledged")),
    ],
    ids=["none open is green", "all being handled is amber", "one unacknowledged is red"],
)
def test_the_incidents_light_is_red_while_someone_must_acknowledge(
    statuses: list[str], light: Light
) -> None:
    assert incidents_light([_incident(s) for s in statuses]) == light


def test_performance_without_a_computable_metric_is_grey_not_green(t0: datetime) -> None:
    unknown = _signal(t0, "m", "performance", "roc_auc", "not_computable", 0.0)
    assert performance_light([unknown]).level == "grey"
    assert performance_light([], estimated=True) == Light(
        "grey", "no estimated performance results"
    )
