"""The PagerDuty Events API v2 event for a group notification: a pure function of the payload.

One PagerDuty alert per group: its ``dedup_key`` is the SHA-256 of the group key (as
Alertmanager derives it), so every trigger of a group updates the same alert, a resolve
closes it, and a repeated delivery changes nothing. The event says what broke (summary:
alert names, model, subjects), how bad (severity from the config or the alerts' ``severity``
label), and what to do (the runbook and dashboard as links); the evidence (each alert's
labels, description, and the values against their thresholds) goes to ``custom_details``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from alerting.config import PagerDutyConfig

MAX_SUMMARY = 1024
MAX_ALERTS = 20
_SEVERITIES = {"critical": "critical", "error": "error", "warning": "warning", "info": "info"}


def dedup_key(group_key: str) -> str:
    """The PagerDuty dedup key of a group (stable across restarts and replicas)."""
    return hashlib.sha256(group_key.encode()).hexdigest()


def _summary(payload: Mapping[str, Any]) -> str:
    firing = [a for a in payload["alerts"] if a["status"] == "firing"]
    names = ", ".join(sorted({a["labels"].get("alertname", "alert") for a in firing}))
    first = next((a["annotations"].get("summary") for a in firing), None)
    text = f"[FIRING:{len(firing)}] {names}"
    if first:
        text += f": {first}"
    else:
        models = sorted({a["labels"]["model"] for a in firing if "model" in a["labels"]})
        text += f" on {', '.join(models)}" if models else ""
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


def _severity(config: PagerDutyConfig, payload: Mapping[str, Any]) -> str:
    if config.severity:
        return config.severity
    label = str(payload.get("common_labels", {}).get("severity", "")).lower()
    return _SEVERITIES.get(label, "critical")


def _evidence(alert: Mapping[str, Any]) -> dict[str, Any]:
    notes = alert["annotations"]
    found: dict[str, Any] = {
        "status": alert["status"],
        "labels": dict(alert["labels"]),
        "starts_at": alert["starts_at"],
    }
    for key in ("summary", "description", "window_end"):
        if notes.get(key):
            found[key] = notes[key]
    if notes.get("subjects"):
        found["subjects"] = list(notes["subjects"])
    return found


def _links(payload: Mapping[str, Any]) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    for key, text in (
        ("runbook_url", "Runbook"),
        ("dashboard_url", "Dashboard"),
        ("report_url", "Drift report"),
    ):
        urls = (a["annotations"].get(key) for a in payload["alerts"])
        url = next((u for u in urls if isinstance(u, str) and u.startswith("http")), None)
        if url:
            links.append({"href": url, "text": text})
    return links


def trigger_event(config: PagerDutyConfig, payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload``, ``links``, ``client`` and ``client_url`` of a trigger event."""
    alerts = payload["alerts"]
    details: dict[str, Any] = {
        "group_key": payload.get("group_key"),
        "group_labels": dict(payload.get("group_labels", {})),
        "firing": sum(1 for a in alerts if a["status"] == "firing"),
        "resolved": sum(1 for a in alerts if a["status"] != "firing"),
        "alerts": [_evidence(a) for a in alerts[:MAX_ALERTS]],
        **config.details,
    }
    runbooks = [
        a["annotations"]["runbook_url"] for a in alerts if a["annotations"].get("runbook_url")
    ]
    if runbooks:
        details["runbook"] = runbooks[0]
    reports = [a["annotations"]["report_url"] for a in alerts if a["annotations"].get("report_url")]
    if reports:
        details["drift_report"] = reports[0]
    labels = payload.get("common_labels", {})
    event: dict[str, Any] = {
        "summary": _summary(payload),
        "source": config.source or labels.get("model") or "vigil",
        "severity": _severity(config, payload),
        "custom_details": details,
    }
    for key, value in (
        ("component", config.component),
        ("group", config.group),
        ("class", config.class_),
    ):
        if value:
            event[key] = value
    found: dict[str, Any] = {"payload": event, "client": config.client}
    if config.client_url:
        found["client_url"] = config.client_url
    links = _links(payload)
    if links:
        found["links"] = links
    return found
