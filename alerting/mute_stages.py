"""The muting stages of the notification pipeline, run once per group flush and receiver.

In Alertmanager's order: inhibit → time active → time mute → silence. Each takes the group's
alerts and returns those still to notify; an empty list ends the pipeline for this flush
(nothing is sent and the notification log is left as it was, so the alerts are notified
once the mute ends). Vigil adds one stage: an alert about a failing receiver is not sent
to that same receiver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from alerting.config import NamedTimeInterval
from alerting.inhibit import Inhibitor
from alerting.matchers import Matcher, matches_all, parse_all
from alerting.routing import CompiledRoute
from alerting.time_intervals import in_named
from store.alerts import AlertRecord
from store.silences import SilenceRecord

#: The alert Vigil raises about its own failing receivers (:mod:`alerting.selfmon`).
NOTIFICATION_FAILING = "VigilNotificationFailing"


@dataclass(frozen=True)
class FlushContext:
    """What the stages know about the group being flushed."""

    now: datetime
    group_key: str
    group_labels: Mapping[str, str]
    route: CompiledRoute

    @property
    def receiver(self) -> str:
        """The receiver the group notifies."""
        return self.route.receiver


class Stage(Protocol):
    """One step of the pipeline: filters the alerts of a group flush."""

    @property
    def name(self) -> str:
        """The stage's name, in reports and logs."""
        ...

    def exec(self, ctx: FlushContext, alerts: list[AlertRecord]) -> list[AlertRecord]:
        """The alerts that go on to the next stage."""
        ...


@dataclass(frozen=True)
class InhibitStage:
    """Drops alerts a firing source alert inhibits."""

    inhibitor: Inhibitor
    name: str = "inhibit"

    def exec(self, ctx: FlushContext, alerts: list[AlertRecord]) -> list[AlertRecord]:
        return [a for a in alerts if not self.inhibitor.mutes(a.labels)]


@dataclass(frozen=True)
class TimeActiveStage:
    """Mutes the whole flush outside every ``active_time_intervals`` of the route."""

    intervals: Mapping[str, NamedTimeInterval]
    name: str = "time_active"

    def exec(self, ctx: FlushContext, alerts: list[AlertRecord]) -> list[AlertRecord]:
        names = ctx.route.opts.active_time_intervals
        if not names:
            return alerts
        active = any(n in self.intervals and in_named(self.intervals[n], ctx.now) for n in names)
        return alerts if active else []


@dataclass(frozen=True)
class TimeMuteStage:
    """Mutes the whole flush inside any ``mute_time_intervals`` of the route."""

    intervals: Mapping[str, NamedTimeInterval]
    name: str = "time_mute"

    def exec(self, ctx: FlushContext, alerts: list[AlertRecord]) -> list[AlertRecord]:
        names = ctx.route.opts.mute_time_intervals
        muted = any(n in self.intervals and in_named(self.intervals[n], ctx.now) for n in names)
        return [] if muted else alerts


@dataclass(frozen=True)
class ActiveSilence:
    """A silence with its matchers parsed."""

    id: str
    matchers: tuple[Matcher, ...]

    @classmethod
    def from_record(cls, record: SilenceRecord) -> ActiveSilence:
        """Parse the stored matchers of ``record``."""
        return cls(record.id, parse_all(record.matchers))


@dataclass(frozen=True)
class SilenceStage:
    """Drops alerts an active silence matches."""

    silences: Sequence[ActiveSilence]
    name: str = "silence"

    def exec(self, ctx: FlushContext, alerts: list[AlertRecord]) -> list[AlertRecord]:
        return [
            a for a in alerts if not any(matches_all(s.matchers, a.labels) for s in self.silences)
        ]


@dataclass(frozen=True)
class SelfNotificationStage:
    """Drops alerts about a failing receiver from notifications to that same receiver."""

    name: str = "self_notification"

    def exec(self, ctx: FlushContext, alerts: list[AlertRecord]) -> list[AlertRecord]:
        return [
            a
            for a in alerts
            if not (
                a.labels.get("alertname") == NOTIFICATION_FAILING
                and a.labels.get("receiver") == ctx.receiver
            )
        ]
