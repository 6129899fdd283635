"""The dashboards benchmark's store: 10 models x 30 days of per-minute signals, and more.

Seeded through the store's own functions (:func:`store.signals.write_signals`,
:func:`store.alerts.upsert_firing`, :func:`store.incidents.open_incident`,
:func:`store.predictions.insert_predictions`), per model:

- one ``drift`` signal per feature every ``step`` (default one minute) for 30 days, one
  feature of every other model slowly drifting, so tiles differ;
- one ``slo`` signal every ``step`` (an SLO evaluated every minute);
- every hour: realized ``performance`` (the model and two variants, with interval and label
  coverage), ``estimated_performance`` (with its band), ``fairness`` (two protected
  attributes) and three data-``quality`` checks;
- 1,000 predictions in the latest window (the Model page's distribution view reads them);
- on every third model, a firing alert and its incident with a short timeline.

Per-minute signals are 2.6 million rows, about 5 minutes of writing on a shared 2-core
machine, so seeding takes a time budget and resumes where it stopped (see :func:`seed`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from store.alerts import upsert_firing
from store.db import create_store_engine, upgrade
from store.incidents import IncidentEvent, add_event, open_incident
from store.predictions import count_predictions, insert_predictions, register_models
from store.records import Signal
from store.signals import write_signals

END = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAYS = 30
CHUNK = 20_000


def _signal(
    detector: str,
    model: str,
    subject: str,
    end: datetime,
    value: float,
    threshold: float,
    breach: bool,
    span: timedelta,
    **details: Any,
) -> Signal:
    return Signal(detector=detector, model=model, subject=subject, metric=subject.split("/")[0],
                  window_start=end - span, window_end=end, value=value, threshold=threshold,
                  status="breach" if breach else "ok", sample_size=1000,
                  details=details)  # fmt: skip


def _minutely(m: int, model: str, features: int, w: int, windows: int, end: datetime
              ) -> Iterator[Signal]:  # fmt: skip
    hour = timedelta(hours=1)
    for f in range(features):
        rising = m % 2 == 0 and f == 0
        value = 0.02 + (0.12 * w / windows if rising else 0.01 * ((w + f) % 5))
        yield _signal("drift", model, f"feature_{f:02d}", end, value, 0.1, value > 0.1, hour,
                      reference_mean=100.0, reference_std=15.0,
                      current_mean=100.0 + 50 * value)  # fmt: skip
    budget = 0.9 - 0.6 * w / windows if m % 3 == 0 else 0.8
    yield _signal("slo", model, f"{model}-availability", end, 1.2, 14.4, False, 6 * hour,
                  state="ticket" if budget < 0.4 else "ok", budget_remaining=budget,
                  budget_exhausted_in_seconds=9 * 86400.0,
                  burn_rates={"5m": 1.5, "1h": 1.2, "6h": 1.1, "30d": 0.3})  # fmt: skip


def _hourly(m: int, model: str, end: datetime) -> Iterator[Signal]:
    hour = timedelta(hours=1)
    auc = 0.82 - (0.1 if m % 4 == 0 else 0.0) * (end.hour % 3) / 2
    for subject, value in (("roc_auc", auc), ("roc_auc/variant=a", auc + 0.01),
                           ("roc_auc/variant=b", auc - 0.02)):  # fmt: skip
        yield _signal("performance", model, subject, end, value, 0.75, value < 0.75, hour,
                      coverage=0.6, labelled=600,
                      interval={"low": value - 0.02, "high": value + 0.02})  # fmt: skip
    band = {"low": auc - 0.04, "high": auc + 0.06}
    yield _signal("estimated_performance", model, "roc_auc", end, auc + 0.01, 0.75,
                  auc + 0.01 < 0.75, hour, band=band)  # fmt: skip
    groups = {"f": {"size": 400, "selection_rate": 0.3}, "m": {"size": 600, "selection_rate": 0.34}}
    for attribute in ("sex", "age_band"):
        ratio = 0.88 - (0.1 if m % 5 == 0 else 0.0)
        yield _signal("fairness", model, f"demographic_parity_ratio/{attribute}", end, ratio,
                      0.8, ratio < 0.8, hour, attribute=attribute, groups=groups,
                      bound={"min": 0.8, "max": None})  # fmt: skip
    for check, value in (("missing_rate", 0.01), ("out_of_range", 0.002), ("volume", 1.0)):
        yield _signal("quality", model, check, end, value, 0.05, False, hour)


def _incident(engine: Any, model: str) -> None:
    labels = {"alertname": "FeatureDrift", "model": model, "severity": "critical"}
    alert, _ = upsert_firing(engine, labels, {"summary": f"drift on {model}"},
                             starts_at=END, now=END)  # fmt: skip
    first = IncidentEvent(END, "alert_fired", "vigil", f"FeatureDrift fired on {model}",
                          {"alert_id": alert.id})  # fmt: skip
    group = f'{{}}:{{alertname="FeatureDrift",model="{model}"}}'
    incident = open_incident(engine, group, f"Input drift on {model}", model, "critical", END,
                             first)  # fmt: skip
    for i, kind in enumerate(("notified", "comment", "notified")):
        at = END + timedelta(minutes=i + 1)
        add_event(engine, incident.id, IncidentEvent(at, kind, "vigil", f"{kind} #{i}"))


def seed(
    url: str, models: int, features: int, step: timedelta, budget: float = float("inf")
) -> tuple[int, int]:
    """Seed the store at ``url``; returns how many signals were written and models are done.

    A model is done once its predictions are stored (its last step), so seeding resumes:
    after ``budget`` seconds it stops at the end of a model, and the next call goes on with
    the models not done yet (re-writing a model's signals is harmless: they are kept once).
    """
    started = time.perf_counter()
    engine = create_store_engine(url)
    upgrade(engine)
    names = [f"model-{m:02d}" for m in range(models)]
    register_models(engine, [(n, "binary_classification") for n in names], END)
    windows = int(timedelta(days=DAYS) / step)
    per_hour = max(1, int(timedelta(hours=1) / step))
    written, done = 0, 0
    for m, name in enumerate(names):
        if count_predictions(engine, name):
            done += 1
            continue
        if time.perf_counter() - started > budget:
            break
        batch: list[Signal] = []
        for w in range(windows):
            end = END - (windows - 1 - w) * step
            batch.extend(_minutely(m, name, features, w, windows, end))
            if (windows - 1 - w) % per_hour == 0:
                batch.extend(_hourly(m, name, end))
            if len(batch) >= CHUNK:
                written += write_signals(engine, batch, END)
                batch = []
        written += write_signals(engine, batch, END)
        if m % 3 == 0:
            _incident(engine, name)
        insert_predictions(engine, [
            {"model": name, "version": "v1", "request_id": f"{name}-{i}",
             "ts": END - timedelta(seconds=3.6 * (i + 1)),
             "features": {f"feature_{f:02d}": 100.0 + (i * 7 + f) % 40 for f in range(features)},
             "prediction": 1, "score": 0.7, "latency_ms": 5.0, "received_at": END}
            for i in range(1000)
        ])  # fmt: skip
        done += 1
    engine.dispose()
    return written, done
