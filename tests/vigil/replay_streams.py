"""Recorded streams for the replay and backfill tests: a config, a reference, events.

Traffic is deterministic given the seed: a fixed number of predictions a minute, evenly
spaced; errors are every n-th request (so "0.1% errors" is exactly 0.1%, the first one
after n requests); a shift moves
``f0`` by two reference standard deviations and makes ``color`` mostly ``blue``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
MODEL = "scorer"

CONFIG = """\
version: vigil/v1
storage:
  url: "sqlite:///{workdir}/configured.db"
models:
  - name: {model}
    task: binary_classification
    team: risk
    reference:
      path: reference.csv
    features:
      - {{name: f0, type: numeric}}
      - {{name: f1, type: numeric}}
      - {{name: color, type: categorical}}
detectors:
  drift:
    enabled: {drift}
    interval: 5m
    window: 30m
    min_sample_size: 200
    persistence: {{k: 2, m: 3}}
  quality: {{enabled: false}}
  performance: {{enabled: false}}
  estimated_performance: {{enabled: false}}
  fairness: {{enabled: false}}
slos:
  - name: scorer-availability
    model: {model}
    sli: {{kind: availability}}
    objective: {objective}
    window: 30d
    no_data_alert: false
alerting:
  evaluation_interval: 1m
  runbooks_dir: {runbooks}
  rules:
    - alert: FeatureDrift
      detector: drift
      severity: warning
      runbook: feature-drift
      summary: "Input drift on {{model}}: {{subjects}}"
    - alert: SLOErrorBudgetBurn
      detector: slo
      severity: critical
      runbook: slo-burn
      summary: "{{model}} is burning its error budget: {{subjects}}"
  route:
    receiver: oncall
    group_by: [alertname, model]
    group_wait: 0s
    repeat_interval: 24h
{actions}  receivers:
    - name: oncall
      slack_configs:
        - channel: '#oncall'
          token: xoxb-never-used
          api_url: http://127.0.0.1:9/
    - name: audit
      log_configs:
        - path: alerts.jsonl
"""


ACTIONS = """\
  actions:
    interval: 1m
    webhooks:
      - {name: deployer, url: "http://127.0.0.1:9/hooks/vigil"}
    policies:
      - name: retrain-on-drift
        matchers: ['alertname="FeatureDrift"']
        action: retrain
        webhook: deployer
        mode: auto
        for: 5m
"""


def write_config(
    workdir: Path,
    *,
    objective: float = 99.9,
    drift: bool = True,
    actions: bool = False,
    seed: int = 3,
) -> Path:
    """A ``vigil.yaml`` and its reference dataset in ``workdir``; returns the YAML path."""
    rng = np.random.default_rng(seed)
    rows = ["f0,f1,color"]
    for _ in range(5000):
        color = rng.choice(["red", "green", "blue"], p=[0.5, 0.3, 0.2])
        rows.append(f"{rng.normal(0, 1):.5f},{rng.normal(5, 2):.5f},{color}")
    (workdir / "reference.csv").write_text("\n".join(rows) + "\n")
    path = workdir / "vigil.yaml"
    path.write_text(
        CONFIG.format(
            workdir=workdir,
            model=MODEL,
            drift="true" if drift else "false",
            objective=objective,
            runbooks=RUNBOOKS,
            actions=ACTIONS if actions else "",
        )
    )
    return path


def predictions(
    start: datetime,
    minutes: int,
    per_minute: int,
    *,
    shift_at: datetime | None = None,
    errors_from: datetime | None = None,
    error_every: int = 0,
    seed: int = 7,
) -> list[dict[str, Any]]:
    """Prediction events, in time order, ``per_minute`` a minute for ``minutes`` minutes."""
    rng = np.random.default_rng(seed)
    events = []
    spacing = timedelta(minutes=1) / per_minute
    for i in range(minutes * per_minute):
        ts = start + i * spacing
        shifted = shift_at is not None and ts >= shift_at
        color = rng.choice(
            ["red", "green", "blue"], p=[0.1, 0.1, 0.8] if shifted else [0.5, 0.3, 0.2]
        )
        event: dict[str, Any] = {
            "type": "prediction",
            "ts": ts.isoformat(),
            "model": MODEL,
            "version": "v1",
            "request_id": f"r{i:08d}",
            "features": {
                "f0": round(float(rng.normal(2.0 if shifted else 0.0, 1)), 5),
                "f1": round(float(rng.normal(5, 2)), 5),
                "color": str(color),
            },
            "latency_ms": 20.0,
        }
        failing = errors_from is not None and ts >= errors_from
        if error_every and (failing or errors_from is None) and i % error_every == error_every - 1:
            event["error"] = "upstream timeout"
        else:
            event["score"] = 0.3
            event["prediction"] = 0
        events.append(event)
    return events


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path
