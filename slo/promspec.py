"""An SLO as the Prometheus rule generator sees it: Sloth's model, whatever the source.

Vigil's own SLOs (``vigil/slo/v1``), Sloth's ``prometheus/v1`` documents and OpenSLO ``SLO``
documents are all translated into :class:`PromSLO` first; :mod:`slo.prometheus` then turns
any ``PromSLO`` into rule groups the same way. The fields are Sloth's, so each import is a
mapping of field to field, and the generated rules can be compared with Sloth's goldens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from slo.errors import RulesError
from slo.promql import check_label_names
from slo.windows import AlertWindows


@dataclass(frozen=True, slots=True)
class EventsSLI:
    """Error ratio = bad events / total events, each a query over ``{{.window}}``."""

    #: Rate of bad events over the window, e.g. ``sum(rate(x{code=~"5.."}[{{.window}}]))``.
    error_query: str
    #: Rate of all events over the window, e.g. ``sum(rate(x[{{.window}}]))``.
    total_query: str


@dataclass(frozen=True, slots=True)
class RawSLI:
    """An error ratio (0 to 1) already computed by the query, over ``{{.window}}``."""

    #: The error ratio over the window; wrapped in parentheses when rendered.
    error_ratio_query: str


@dataclass(frozen=True, slots=True)
class AlertMeta:
    """One of the two multiwindow alerts (page or ticket) of an SLO."""

    #: The alert name; page and ticket usually share it and differ by ``sloth_severity``.
    name: str = ""
    #: Labels of the alert, beside ``sloth_severity`` (e.g. ``severity``, a routing key).
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Annotations; they override Sloth's default ``title`` and ``summary``.
    annotations: Mapping[str, str] = field(default_factory=dict)
    #: No rule at all for this alert (Sloth's ``disable: true``).
    disabled: bool = False


DISABLED = AlertMeta(disabled=True)


@dataclass(frozen=True, slots=True)
class RuleIntervals:
    """Evaluation intervals of the three rule groups (Sloth's ``interval``); None: default."""

    #: Fills in any group below that has none.
    all: timedelta | None = None
    #: The ``sloth-slo-sli-recordings-*`` group.
    sli: timedelta | None = None
    #: The ``sloth-slo-meta-recordings-*`` group.
    metadata: timedelta | None = None
    #: The ``sloth-slo-alerts-*`` group.
    alert: timedelta | None = None


@dataclass(frozen=True, slots=True)
class PromSLO:
    """One SLO to generate rules for."""

    #: Unique id, ``<service>-<name>``; the ``sloth_id`` label and the group names.
    id: str
    #: The service (for Vigil SLOs, the model); the ``sloth_service`` label.
    service: str
    #: The SLO name within the service; the ``sloth_slo`` label.
    name: str
    #: Percent of good events over the period, in (0, 100].
    objective: float
    #: The compliance period; it selects the alert windows (30d: Google's defaults).
    period: timedelta
    #: What counts as an error.
    sli: EventsSLI | RawSLI
    #: Labels on every rule: service labels, SLO labels and any extra labels, merged.
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Extra labels of the ``sloth_slo_info`` series only.
    info_labels: Mapping[str, str] = field(default_factory=dict)
    #: The page alert (fast burns; both page windows).
    page_alert: AlertMeta = DISABLED
    #: The ticket alert (slow burns; both ticket windows).
    ticket_alert: AlertMeta = DISABLED
    #: Group evaluation intervals.
    intervals: RuleIntervals = field(default_factory=RuleIntervals)
    #: The spec the SLO came from (``sloth_spec``), e.g. ``prometheus/v1``.
    spec: str = "vigil/slo/v1"
    #: The SLO's own alert windows; None: the catalog's for ``period``.
    windows: AlertWindows | None = None

    def __post_init__(self) -> None:
        """Sloth's model validation: what Prometheus or the rule templates would refuse."""
        where = f"SLO {self.id!r}"
        if not (self.id and self.service and self.name):
            raise RulesError(f"{where}: id, service and name are required")
        if not 0 < self.objective <= 100:
            raise RulesError(f"{where}: objective must be in (0, 100], got {self.objective}")
        check_label_names(self.labels, where)
        check_label_names(self.info_labels, where)
        for kind, alert in (("page", self.page_alert), ("ticket", self.ticket_alert)):
            if not alert.disabled and not alert.name:
                raise RulesError(f"{where}: the {kind} alert needs a name (or disable it)")
            check_label_names(alert.labels, f"{where} {kind} alert")
        queries = (
            [self.sli.error_query, self.sli.total_query]
            if isinstance(self.sli, EventsSLI)
            else [self.sli.error_ratio_query]
        )
        for query in queries:
            if not query.strip():
                raise RulesError(f"{where}: an SLI query is empty")

    @property
    def id_labels(self) -> dict[str, str]:
        """The three labels that identify the SLO's series: ``sloth_id/_service/_slo``."""
        return {"sloth_id": self.id, "sloth_service": self.service, "sloth_slo": self.name}
