"""The notification pipeline of one group flush, composed as Alertmanager's ``notify.go`` does.

    inhibit → time active → time mute → silence → self-notification
        → for each integration of the receiver: dedup → notify (outbox) → record (log)

The muting stages run once per flush; the last three once per integration
(:mod:`alerting.dedup`). The pipeline only decides: it returns, per integration, the outbox
row and the log entry to commit, and the reason, for the router's report and for tests. It
is built once per tick from what that tick knows (firing alerts for inhibition, active
silences), so a flush is a pure function of its inputs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from alerting.config import NamedTimeInterval
from alerting.dedup import Outcome, integration_outcome
from alerting.inhibit import CompiledInhibitRule, Inhibitor
from alerting.mute_stages import (
    ActiveSilence,
    FlushContext,
    InhibitStage,
    SelfNotificationStage,
    SilenceStage,
    Stage,
    TimeActiveStage,
    TimeMuteStage,
)
from alerting.receivers import Receivers
from store.alert_groups import LogEntry
from store.alerts import AlertRecord

log = logging.getLogger(__name__)

#: Notification-log key: (group key, receiver, integration).
Target = tuple[str, str, str]


@dataclass(frozen=True)
class Pipeline:
    """The stages of one tick, and the receivers they end in."""

    stages: tuple[Stage, ...]
    receivers: Receivers

    def flush(
        self,
        ctx: FlushContext,
        alerts: Sequence[AlertRecord],
        entries: Mapping[Target, LogEntry],
        unfinished: set[Target],
    ) -> list[Outcome]:
        """Run the group's alerts through every stage; one outcome per integration."""
        kept = list(alerts)
        for stage in self.stages:
            kept = stage.exec(ctx, kept)
            if not kept:
                return [Outcome("*", f"nothing left after {stage.name}")]
        integrations = self.receivers.get(ctx.receiver)
        if integrations is None:
            log.error(
                "route names unknown receiver %r; group %s not notified",
                ctx.receiver,
                ctx.group_key,
            )
            return [Outcome("*", f"unknown receiver {ctx.receiver!r}")]
        outcomes = []
        for name, notifier in integrations.items():
            target = (ctx.group_key, ctx.receiver, name)
            outcomes.append(
                integration_outcome(
                    ctx,
                    name,
                    notifier.send_resolved,
                    kept,
                    entries.get(target),
                    target in unfinished,
                )
            )
        return outcomes


def build_pipeline(
    inhibit_rules: Iterable[CompiledInhibitRule],
    firing: Iterable[AlertRecord],
    intervals: Mapping[str, NamedTimeInterval],
    silences: Iterable[ActiveSilence],
    receivers: Receivers,
) -> Pipeline:
    """The pipeline for one tick: inhibition by the tick's firing alerts, its active silences."""
    stages: tuple[Stage, ...] = (
        InhibitStage(Inhibitor(inhibit_rules, (a.labels for a in firing))),
        TimeActiveStage(intervals),
        TimeMuteStage(intervals),
        SilenceStage(tuple(silences)),
        SelfNotificationStage(),
    )
    return Pipeline(stages, receivers)
