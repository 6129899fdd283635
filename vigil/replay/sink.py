"""Events into the store through the collector's own code, as ``POST /v1/...`` would.

Predictions and labels go through :func:`collector.validation.validate_predictions` and
:func:`~collector.validation.validate_labels`, pipeline runs through
:func:`collector.pipeline_runs.validate_pipeline_runs`, spans through the OTLP JSON decoder
and :func:`collector.spans.span_rows`; then :class:`collector.redaction.Redactor`, then the
collector's :class:`~collector.ingestion.Ingestion` sink (direct mode: no spool is needed
when the input file is the durable copy), which stores predictions with their profiles as
the spool's writer does (:class:`collector.profiles.profiler.Profiler`). Each row's
``received_at`` is its event's ``ts``.
A rejected event is reported with its file and line and the field and reason, as the API
would answer it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collector.batches import Kind
from collector.config import CollectorConfig
from collector.errors import CollectorError
from collector.ingestion import Ingestion
from collector.otlp import decode_request
from collector.pipeline_runs import validate_pipeline_runs
from collector.redaction import Redactor
from collector.spans import span_rows
from collector.validation import Limits, RowError, validate_labels, validate_predictions
from store.specs import ModelSpec
from vigil.replay.events import Event

MAX_LISTED = 100

Validator = Callable[
    [Sequence[Any], Mapping[str, ModelSpec], datetime, Limits],
    tuple[list[dict[str, Any]], list[RowError]],
]
#: Event type → (store kind, validator); spans are decoded apart (OTLP, not a validator).
_VALIDATED: dict[str, tuple[Kind, Validator]] = {
    "prediction": ("predictions", validate_predictions),
    "label": ("labels", validate_labels),
    "pipeline_run": ("pipeline_runs", validate_pipeline_runs),
}


@dataclass
class SinkReport:
    """Rows stored and events rejected, per event type."""

    accepted: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    rejected_listed: list[dict[str, str]] = field(default_factory=list)

    def reject(self, event: Event, field_name: str, reason: str) -> None:
        self.rejected[event.type] = self.rejected.get(event.type, 0) + 1
        if len(self.rejected_listed) < MAX_LISTED:
            self.rejected_listed.append(
                {"where": event.where, "type": event.type, "field": field_name, "reason": reason}
            )

    def accept(self, kind: str, count: int) -> None:
        self.accepted[kind] = self.accepted.get(kind, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": dict(sorted(self.accepted.items())),
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_listed": list(self.rejected_listed),
        }


def _span_document(events: Sequence[Event]) -> bytes:
    """One OTLP JSON export request holding each span event under its own resource."""
    resource_spans = []
    for event in events:
        span = {k: v for k, v in event.body.items() if k != "resource"}
        resource = event.body.get("resource") or {}
        resource_spans.append({"resource": resource, "scopeSpans": [{"spans": [span]}]})
    return json.dumps({"resourceSpans": resource_spans}).encode()


class EventSink:
    """Buffers events between clock steps and stores them, validated and redacted."""

    def __init__(
        self,
        models: Sequence[ModelSpec],
        config: CollectorConfig,
        ingestion: Ingestion,
        report: SinkReport,
    ) -> None:
        self._models = {m.name: m for m in models}
        self._config = config
        self._limits = Limits(max_string_length=config.max_string_length)
        self._redactor = Redactor(models, config.pii_key)
        self._ingestion = ingestion
        self._report = report
        self._pending: dict[str, list[Event]] = {t: [] for t in (*_VALIDATED, "span")}
        self.buffered = 0

    def add(self, event: Event) -> None:
        self._pending[event.type].append(event)
        self.buffered += 1

    def flush(self) -> None:
        """Store everything buffered; pipeline runs first, labels after their predictions."""
        for kind in ("pipeline_run", "prediction", "span", "label"):
            events = self._pending[kind]
            if events:
                self._pending[kind] = []
                if kind == "span":
                    self._store_spans(events)
                else:
                    self._store(kind, events)
        self.buffered = 0

    def _store(self, kind: str, events: list[Event]) -> None:
        store_kind, validate = _VALIDATED[kind]
        rows, errors = validate([e.body for e in events], self._models, events[0].ts, self._limits)
        bad = {e.index for e in errors}
        for error in errors:
            self._report.reject(events[error.index], error.field, error.reason)
        kept = [e for i, e in enumerate(events) if i not in bad] if bad else events
        for row, event in zip(rows, kept, strict=True):
            row["received_at"] = event.ts  # it reached Vigil when the recording says
        self._accept(store_kind, self._redactor.redact(rows))

    def _store_spans(self, events: list[Event]) -> None:
        try:
            request = decode_request(_span_document(events), "json")
        except CollectorError:  # one span spoils the request: decode them one by one
            if len(events) > 1:
                for event in events:
                    self._store_spans([event])
            else:
                self._report.reject(events[0], "(span)", "not an OTLP JSON span object")
            return
        rows, errors = span_rows(request, self._config.traces, events[0].ts)
        bad = {e.index for e in errors}
        for error in errors:
            self._report.reject(events[error.index], "(span)", error.reason)
        kept = [e for i, e in enumerate(events) if i not in bad]
        for row, event in zip(rows, kept, strict=True):
            row["received_at"] = event.ts
        self._accept("spans", rows)

    def _accept(self, kind: Kind, rows: list[dict[str, Any]]) -> None:
        if rows:
            receipt = self._ingestion.accept(kind, rows)
            self._report.accept(kind, receipt.stored if receipt.stored is not None else len(rows))
