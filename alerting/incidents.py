"""Incidents, the pure part: the state machine, severities, and the derived durations.

    triggered ──► acknowledged ──► mitigated ──► resolved ──► closed
        └──────────────┴──────────────┴────────────┘ (a step may be skipped)

An incident only moves forward. ``resolved`` is reached by an operator or, automatically,
when every alert of the incident has resolved; ``closed`` only from ``resolved``. Each
status reached is a timeline event of the same kind (with its time and actor), from which
the durations are derived:

* time to detect: from the end of the first window of the breach that fired the first alert
  (the earliest breaching window of the run of breaches each subject was in when the alert
  fired) to the start of that alert; recorded on the ``alert_fired`` event as
  ``breach_window_end``;
* time to acknowledge, to mitigate and to resolve: from the incident's opening.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.incidents import IncidentEvent, IncidentRecord

STATUSES = ("triggered", "acknowledged", "mitigated", "resolved", "closed")
SEVERITIES = ("info", "warning", "critical")


def can_move(current: str, target: str) -> bool:
    """Whether an incident in ``current`` may move to ``target`` (forward only)."""
    if current not in STATUSES or target not in STATUSES:
        return False
    if target == "closed":
        return current == "resolved"
    return STATUSES.index(target) > STATUSES.index(current)


def higher_severity(a: str, b: str) -> str:
    """The more severe of two severities (unknown ones rank lowest)."""
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    return a if rank.get(a, -1) >= rank.get(b, -1) else b


@dataclass(frozen=True)
class Durations:
    """The derived durations of an incident; None until the step happened."""

    detect: timedelta | None
    acknowledge: timedelta | None
    mitigate: timedelta | None
    resolve: timedelta | None

    def as_seconds(self) -> dict[str, float | None]:
        """The durations in seconds, by name (``time_to_<step>``)."""
        return {
            f"time_to_{name}": (value.total_seconds() if value is not None else None)
            for name, value in vars(self).items()
        }


def _first(events: Sequence[IncidentEvent], kind: str) -> IncidentEvent | None:
    return next((e for e in events if e.kind == kind), None)


def durations(incident: IncidentRecord, events: Sequence[IncidentEvent]) -> Durations:
    """The durations of ``incident`` from its timeline (events in time order)."""

    def since_open(kind: str) -> timedelta | None:
        event = _first(events, kind)
        return event.at - incident.opened_at if event is not None else None

    detect = None
    fired = _first(events, "alert_fired")
    if fired is not None and isinstance(fired.data.get("breach_window_end"), str):
        breach = datetime.fromisoformat(fired.data["breach_window_end"])
        detect = max(fired.at - breach, timedelta(0))
    return Durations(
        detect=detect,
        acknowledge=since_open("acknowledged"),
        mitigate=since_open("mitigated"),
        resolve=since_open("resolved"),
    )


def breach_run_start(points: Sequence[tuple[datetime, str]], until: datetime) -> datetime | None:
    """The first window end of the uninterrupted run of breaches that ends at ``until``.

    ``points`` are one subject's ``(window_end, status)`` pairs in any order. A window with
    another status (``ok``, ``no_data``) ends the run; None when ``until`` did not breach.
    Persistence rules (k of the last m windows) alert windows after a breach starts, so the
    latest breaching window alone would understate the time to detect.
    """
    start = None
    for end, status in sorted(points, key=lambda p: p[0], reverse=True):
        if end > until:
            continue
        if status != "breach":
            break
        start = end
    return start
