"""``vigil demo``: a credit-risk model service sends traffic through the real HTTP API; two
inputs shift part-way; the drift detector fires; the alert reaches a local Slack server and
the log receiver. Events go through the same spool and writer as in ``vigil serve``. Time
is simulated (12 hours in seconds); nothing leaves this machine.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from prometheus_client import CollectorRegistry

from store.alerts import all_alerts
from store.incidents import list_incidents
from store.predictions import count_labels, count_predictions
from vigil.app import build_app
from vigil.config import VigilConfig, parse_config
from vigil.demo import credit_model
from vigil.demo.config_template import DEMO_CONFIG
from vigil.demo.simulated_clock import SimulatedScheduler
from vigil.demo.slack_sink import SlackTestServer
from vigil.http_thread import ServerThread
from vigil.jobs import build_jobs
from vigil.serve import open_collector, open_store

MODEL = "credit-risk"
START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
TICK = timedelta(minutes=5)
PER_TICK = 120
RUNBOOKS_DIR = Path(__file__).resolve().parents[2] / "runbooks"


@dataclass
class DemoResult:
    """What happened, for the summary and for the end-to-end test."""

    workdir: Path
    config_path: Path
    database_url: str
    predictions_sent: int = 0
    predictions_stored: int = 0
    labels_stored: int = 0
    shift_at: datetime | None = None
    first_alert_at: datetime | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    slack_messages: list[dict[str, Any]] = field(default_factory=list)
    alert_log_lines: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    postmortem: Path | None = None


class ModelService:
    """The simulated model service: scores applicants and logs each prediction to Vigil."""

    def __init__(self, client: httpx.Client, api_key: str, seed: int = 11) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._rng = np.random.default_rng(seed)
        self._pending_labels: list[tuple[datetime, list[dict[str, Any]]]] = []
        self._counter = 0

    def serve_tick(self, start: datetime, shifted: bool) -> int:
        batch = credit_model.applicants(self._rng, PER_TICK, shifted=shifted)
        scores = credit_model.default_probability(batch)
        defaults = credit_model.outcomes(self._rng, scores)
        offsets = np.sort(self._rng.uniform(0, TICK.total_seconds(), PER_TICK))
        latencies = self._rng.gamma(2.0, 20.0, PER_TICK)
        failed = self._rng.random(PER_TICK) < 0.002
        events, labels = [], []
        for i, row in enumerate(batch.rows()):
            self._counter += 1
            request_id = f"app-{self._counter:07d}"
            event: dict[str, Any] = {
                "model": MODEL,
                "version": "2026.02.1",
                "request_id": request_id,
                "timestamp": (start + timedelta(seconds=float(offsets[i]))).isoformat(),
                "features": row,
                "latency_ms": round(float(latencies[i]), 1),
            }
            if failed[i]:
                event["error"] = "feature store timeout"
            else:
                event["score"] = round(float(scores[i]), 4)
                event["prediction"] = int(scores[i] >= 0.5)
            events.append(event)
            labels.append({"model": MODEL, "request_id": request_id, "label": int(defaults[i])})
        self._post("/v1/predictions", events)
        self._pending_labels.append((start + timedelta(hours=1), labels))
        return len(events)

    def report_due_labels(self, now: datetime) -> None:
        """Outcomes arrive an hour after the decision (a stand-in for weeks in real life)."""
        due = [batch for at, batch in self._pending_labels if at <= now]
        self._pending_labels = [(at, b) for at, b in self._pending_labels if at > now]
        for batch in due:
            self._post("/v1/labels", batch)

    def _post(self, path: str, events: list[dict[str, Any]]) -> None:
        response = self._client.post(path, json=events, headers=self._headers)
        response.raise_for_status()


def _write_config(
    workdir: Path, slack_url: str, api_key: str, database_url: str
) -> tuple[Path, VigilConfig]:
    reference = credit_model.write_reference(workdir / "credit_reference.csv")
    runbooks = workdir / "runbooks"
    shutil.copytree(RUNBOOKS_DIR, runbooks, dirs_exist_ok=True)
    text = DEMO_CONFIG.format(
        database_url=database_url,
        api_key=api_key,
        reference_path=reference,
        runbooks_dir=runbooks,
        slack_url=slack_url.rstrip("/") + "/",
        alert_log=workdir / "alerts.jsonl",
    )
    path = workdir / "vigil.yaml"
    path.write_text(text)
    return path, parse_config(text, source=str(path), base_dir=workdir)


def simulate(
    workdir: Path, hours: int = 12, echo: bool = True, database_url: str | None = None
) -> DemoResult:
    """Run the demo in ``workdir`` and return what happened.

    ``database_url`` defaults to an SQLite file in ``workdir``; the end-to-end tests also
    run the same loop on PostgreSQL.
    """
    say = print if echo else (lambda *_a, **_k: None)
    api_key = secrets.token_urlsafe(24)
    with SlackTestServer() as slack:
        url = database_url or f"sqlite:///{workdir / 'vigil.db'}"
        config_path, config = _write_config(workdir, slack.url, api_key, url)
        engine = open_store(config)
        result = DemoResult(workdir, config_path, config.storage.url)
        registry = CollectorRegistry()
        clock = lambda: datetime.now(UTC)  # noqa: E731 - arrival time of events
        ingestion = open_collector(config, engine, registry, clock)
        ingestion.start()
        app = build_app(config, engine, registry, clock, ingestion=ingestion)
        scheduler = SimulatedScheduler(build_jobs(config, engine, registry))
        shift_at = START + timedelta(hours=hours / 2)
        result.shift_at = shift_at
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            service = ModelService(client, api_key)
            say(f"Vigil API on {server.url}; simulated Slack on {slack.url}")
            say(
                f"Simulating {hours} h of traffic for {MODEL}; income and purpose shift at "
                f"{shift_at:%H:%M} (simulated time)"
            )
            now = START
            end = START + timedelta(hours=hours)
            while now < end:
                shifted = now >= shift_at
                result.predictions_sent += service.serve_tick(now, shifted)
                now += TICK
                service.report_due_labels(now)
                # Accepted events are in the spool; the jobs read the store, so let the
                # writer catch up first (in `vigil serve` it runs continuously).
                ingestion.force_flush()
                scheduler.advance_to(now)
                if result.first_alert_at is None and slack.messages:
                    result.first_alert_at = now
                    say(f"  {now:%H:%M}  alert paged to Slack: {slack.messages[0]['text']}")
        ingestion.shutdown()
        result.predictions_stored = count_predictions(engine, MODEL)
        result.labels_stored = count_labels(engine, MODEL)
        result.alerts = [
            {
                "alertname": a.alertname,
                "status": a.status,
                "labels": a.labels,
                "annotations": a.annotations,
                "starts_at": a.starts_at.isoformat(),
            }
            for a in all_alerts(engine)
        ]
        result.slack_messages = list(slack.messages)
        result.incidents = [
            {"id": i.id, "title": i.title, "status": i.status, "severity": i.severity}
            for i in list_incidents(engine)
        ]
        result.postmortem = _write_postmortem(config, engine, result, end)
        engine.dispose()
    log_path = workdir / "alerts.jsonl"
    if log_path.exists():
        result.alert_log_lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    return result


def _write_postmortem(
    config: VigilConfig, engine: Any, result: DemoResult, now: datetime
) -> Path | None:
    """Draft the postmortem of the demo's drift incident (else its latest) in the workdir."""
    from vigil.postmortem_cli import write_postmortem

    if not result.incidents:
        return None
    drift = [i for i in result.incidents if i["title"].startswith("Input drift")]
    incident_id = (drift or result.incidents)[0]["id"]
    out = result.workdir / f"postmortem-{incident_id}.md"
    write_postmortem(config, engine, incident_id, "md", out, now)
    return out


def _summary(result: DemoResult) -> str:
    firing = [a for a in result.alerts if a["status"] == "firing"]
    lines = [
        "",
        "Vigil demo — what happened",
        f"  predictions sent / stored : {result.predictions_sent} / {result.predictions_stored}",
        f"  labels stored             : {result.labels_stored}",
        f"  shift injected at         : {result.shift_at:%Y-%m-%d %H:%M} (simulated)",
        "  first page                : "
        + (f"{result.first_alert_at:%Y-%m-%d %H:%M}" if result.first_alert_at else "none"),
        f"  alerts firing             : {len(firing)}",
    ]
    for alert in firing:
        lines.append(
            f"    - {alert['alertname']} {alert['labels'].get('model')}: "
            f"{alert['annotations'].get('summary')}"
        )
        lines.append(f"      runbook: {alert['annotations'].get('runbook_url')}")
    lines.append(f"  incidents open            : {len(result.incidents)}")
    for incident in result.incidents:
        lines.append(f"    - #{incident['id']} [{incident['status']}] {incident['title']}")
    lines += [
        f"  Slack messages received   : {len(result.slack_messages)}",
        f"  alert log lines           : {len(result.alert_log_lines)} "
        f"({result.workdir / 'alerts.jsonl'})",
        f"  database                  : {result.database_url}",
        f"  config                    : {result.config_path}",
        f"  incidents                 : vigil incidents list --config {result.config_path}",
    ]
    if result.postmortem is not None:
        lines.append(f"  postmortem (draft)        : {result.postmortem}")
    lines.append(f"  dashboard                 : vigil dashboard --config {result.config_path}")
    return "\n".join(lines)


def run_demo(keep_dir: str | None = None, hours: int = 12, quiet: bool = False) -> int:
    """Entry point of ``vigil demo``; returns the exit code (1 if no alert was paged)."""
    workdir = Path(keep_dir) if keep_dir else Path(tempfile.mkdtemp(prefix="vigil-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    result = simulate(workdir, hours=hours, echo=not quiet)
    print(_summary(result))
    return 0 if result.slack_messages else 1
