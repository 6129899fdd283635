"""Shaping store records into the rows the dashboard shows.

Pure functions of records: no database, no Streamlit. The Model page (``dashboards/ui/model.py``)
only lays out what these return, so everything a partner reads is unit-tested here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from store.alerts import AlertRecord
from store.records import StoredSignal

#: The detector whose signals make up the drift table.
DRIFT_DETECTOR = "drift"

#: Status of a signal whose test found drift.
BREACH = "breach"

#: Order of statuses in the drift table: what needs attention first.
_STATUS_ORDER = {BREACH: 0, "not_computable": 1, "ok": 2}

#: Runbook links are only made clickable for these schemes (never ``javascript:``).
_LINK_SCHEMES = frozenset({"http", "https", "file"})

#: A runbook's name: its file name without ``.md``.
_RUNBOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

#: Background of a breaching row in the drift table.
BREACH_BACKGROUND = "background-color: rgba(255, 75, 75, 0.18)"


@dataclass(frozen=True, slots=True)
class DriftRow:
    """The latest drift finding for one feature."""

    feature: str
    method: str
    value: float | None
    threshold: float | None
    status: str
    window_end: str
    reason: str


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One firing alert, as an on-call reader needs it."""

    alertname: str
    severity: str
    summary: str
    since: str
    runbook: str | None
    runbook_page: str | None = None


def format_time(at: datetime) -> str:
    """A UTC time to the minute, labelled as UTC so nobody guesses the zone."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def drift_rows(latest: Iterable[StoredSignal]) -> list[DriftRow]:
    """One row per feature from the latest signals: breaches first, then by feature name.

    Signals of other detectors are ignored, so the result of ``latest_signals`` for every
    detector can be passed as it is.
    """
    rows = [
        DriftRow(
            feature=s.subject,
            method=s.metric,
            value=s.value,
            threshold=s.threshold,
            status=s.status,
            window_end=format_time(s.window_end),
            reason=str(s.details.get("reason", "")) if s.status == "not_computable" else "",
        )
        for s in (stored.signal for stored in latest)
        if s.detector == DRIFT_DETECTOR
    ]
    return sorted(rows, key=lambda r: (_STATUS_ORDER.get(r.status, len(_STATUS_ORDER)), r.feature))


def drifting_count(rows: Iterable[DriftRow]) -> int:
    """How many features breach their drift threshold."""
    return sum(1 for row in rows if row.status == BREACH)


def row_style(status: str, width: int) -> list[str]:
    """CSS for each of the ``width`` cells of a drift row: breaching rows stand out."""
    return [BREACH_BACKGROUND if status == BREACH else ""] * width


def safe_link(url: object) -> str | None:
    """``url`` if it is safe to render as a link (http, https or file), else None."""
    if not isinstance(url, str) or not url.strip():
        return None
    return url.strip() if urlsplit(url.strip()).scheme.lower() in _LINK_SCHEMES else None


def runbook_page(url: str | None) -> str | None:
    """The Runbooks page's deep link for a runbook URL ending in ``<name>.md``, else None.

    Relative (``runbooks?runbook=feature-drift``), so it works under any base path.
    """
    if url is None:
        return None
    name = PurePosixPath(urlsplit(url).path).name
    if not name.endswith(".md") or not _RUNBOOK_NAME.match(name[:-3]):
        return None
    return f"runbooks?runbook={name[:-3]}"


def alert_rows(alerts: Sequence[AlertRecord]) -> list[AlertRow]:
    """One row per firing alert, in the order given (the store returns newest first)."""
    rows = []
    for alert in alerts:
        link = safe_link(alert.annotations.get("runbook_url", alert.labels.get("runbook_url")))
        rows.append(
            AlertRow(
                alertname=alert.alertname,
                severity=alert.labels.get("severity", ""),
                summary=str(alert.annotations.get("summary", "")),
                since=format_time(alert.starts_at),
                runbook=link,
                runbook_page=runbook_page(link),
            )
        )
    return rows
