"""The Slack message for a group notification: Block Kit blocks plus a plain-text fallback.

A pure function of the outbox payload, so the message is golden-tested without a network. A
page at 3 a.m. must say what broke (alert, model, the subjects past their thresholds), how bad
(severity, values against thresholds) and what to do (the runbook, first in the fallback text
that phones show); buttons open the runbook, the dashboard and its Silences page prefilled
with the group's alertname and model. Slack's limits are respected: header 150 characters,
section 3000, 50 blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard
from urllib.parse import urlencode

from alerting.matchers import Matcher

MAX_ALERTS = 10
MAX_SUBJECTS = 15
#: The common labels a "Silence" button prefills, in this order.
SILENCE_LABELS = ("alertname", "model")
_EMOJI = {
    "critical": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":information_source:",
}


def _escape(text: str) -> str:
    """Slack mrkdwn control characters, escaped as Slack documents."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: Any) -> str:
    return "n/a" if not isinstance(value, int | float) else f"{value:.4g}"


def _is_web(url: Any) -> TypeGuard[str]:
    """Slack buttons take http(s) links only; a file:// runbook stays in the text."""
    return isinstance(url, str) and url.startswith(("http://", "https://"))


def _title(payload: Mapping[str, Any]) -> str:
    alerts = payload["alerts"]
    firing = sum(1 for a in alerts if a["status"] == "firing")
    status = f"FIRING:{firing}" if payload["status"] == "firing" else "RESOLVED"
    names = sorted({a["labels"].get("alertname", "?") for a in alerts})
    models = sorted({a["labels"]["model"] for a in alerts if "model" in a["labels"]})
    title = f"[{status}] {', '.join(names)}"
    if models:
        title += f" on {', '.join(models)}"
    return title if len(title) <= 150 else title[:149] + "…"


def _subject_lines(subjects: Sequence[Mapping[str, Any]]) -> str:
    lines = [
        f"• `{_escape(str(s['subject']))}` {_escape(str(s.get('metric', '')))} "
        f"*{_number(s.get('value'))}* vs threshold {_number(s.get('threshold'))}"
        for s in subjects[:MAX_SUBJECTS]
    ]
    if len(subjects) > MAX_SUBJECTS:
        lines.append(f"… and {len(subjects) - MAX_SUBJECTS} more")
    return "\n".join(lines)


def _alert_blocks(alert: Mapping[str, Any]) -> list[dict[str, Any]]:
    labels, notes = alert["labels"], alert["annotations"]
    severity = labels.get("severity", "")
    summary = notes.get("summary") or labels.get("alertname", "alert")
    facts = [f"*Severity:* {_escape(severity)}", f"*Model:* `{_escape(labels.get('model', '-'))}`"]
    if "team" in labels:
        facts.append(f"*Team:* {_escape(labels['team'])}")
    if alert["status"] == "resolved":
        head = f":white_check_mark: *Resolved:* {_escape(summary)}"
        facts.append(f"*Ended:* {alert.get('ends_at')}")
    else:
        head = f"{_EMOJI.get(severity, ':rotating_light:')} *{_escape(summary)}*"
    text = f"{head}\n{' · '.join(facts)}"
    subjects = notes.get("subjects") or []
    if alert["status"] == "firing" and subjects:
        text += f"\n*Past threshold* (window ending {notes.get('window_end', '?')}):\n"
        text += _subject_lines(subjects)
    if notes.get("runbook_url"):
        text += f"\n*Runbook:* {_escape(str(notes['runbook_url']))}"
    if notes.get("report_url"):
        text += f"\n*Drift report:* {_escape(str(notes['report_url']))}"
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]


def _button(label: str, url: str, action_id: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "url": url,
        "action_id": action_id,
    }
    if style:
        button["style"] = style
    return button


def silence_url(dashboard_url: str, common_labels: Mapping[str, Any]) -> str | None:
    """The dashboard's Silences page, its form prefilled with the group's alertname and model.

    None when the group shares neither label (a silence needs a matcher).
    """
    matchers = [
        str(Matcher(name, "=", str(common_labels[name])))
        for name in SILENCE_LABELS
        if common_labels.get(name)
    ]
    if not matchers:
        return None
    query = urlencode([("matchers", m) for m in matchers])
    return f"{dashboard_url.rstrip('/')}/silences?{query}"


def _links(
    alerts: Sequence[Mapping[str, Any]], common_labels: Mapping[str, Any]
) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = []
    for key, label, style in (
        ("runbook_url", "Runbook", "primary"),
        ("dashboard_url", "Dashboard", None),
        ("report_url", "Drift report", None),
    ):
        url = next((a["annotations"].get(key) for a in alerts if a["annotations"].get(key)), None)
        if _is_web(url):
            buttons.append(_button(label, url, key.removesuffix("_url"), style))
    dashboard = next(
        (
            a["annotations"]["dashboard_url"]
            for a in alerts
            if a["annotations"].get("dashboard_url")
        ),
        None,
    )
    if _is_web(dashboard):
        silence = silence_url(dashboard, common_labels)
        if silence is not None:
            buttons.append(_button("Silence", silence, "silence"))
    return [{"type": "actions", "elements": buttons}] if buttons else []


def _fallback(payload: Mapping[str, Any], alerts: Sequence[Mapping[str, Any]]) -> str:
    parts = [_title(payload)]
    for alert in alerts:
        notes = alert["annotations"]
        line = str(notes.get("summary") or alert["labels"].get("alertname", "alert"))
        if alert["labels"].get("severity"):
            line += f" ({alert['labels']['severity']})"
        if notes.get("runbook_url"):
            line += f". Runbook: {notes['runbook_url']}"
        if notes.get("report_url"):
            line += f". Drift report: {notes['report_url']}"
        parts.append(line)
    return "\n".join(_escape(part) for part in parts)


def slack_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``text`` and ``blocks`` for ``chat.postMessage`` from a notification payload."""
    alerts = payload["alerts"]
    shown = sorted(alerts, key=lambda a: a["status"] != "firing")[:MAX_ALERTS]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _title(payload)}}
    ]
    for alert in shown:
        blocks.extend(_alert_blocks(alert))
    if len(alerts) > len(shown):
        more = f"… and {len(alerts) - len(shown)} more alerts in this group"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": more}})
    # A resolved group needs no silence: the button comes only while something fires.
    firing = payload["status"] == "firing"
    blocks.extend(_links(shown, (payload.get("common_labels") or {}) if firing else {}))
    context = f"Group `{_escape(str(payload.get('group_key', '')))}`"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context[:3000]}]})
    return {"text": _fallback(payload, shown), "blocks": blocks}
