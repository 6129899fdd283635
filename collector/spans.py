"""OTLP spans into ``spans`` rows: one pure function, every bad span reported, not raised.

A row keeps what span SLIs and trace links need: the service (resource attribute
``service.name``; ``unknown_service`` when absent, as the OpenTelemetry SDKs default), the
operation (the span name), ids as hex, start and end, the duration, ``ok`` or ``error``
(OTLP ``STATUS_CODE_ERROR``; unset counts as ok), and the model and version the span
served, read from the span's attributes or else its resource's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from collector.config import TracesConfig
from collector.otlp import hex_id
from collector.validation import COLUMN_WIDTHS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_SERVICE = "unknown_service"
_WIDTHS = {"service": 200, "operation": 200, "model": COLUMN_WIDTHS["model"], "version": 100}
#: How many span errors the ``error_message`` of a partial success spells out.
MAX_LISTED_ERRORS = 5


@dataclass(frozen=True)
class SpanError:
    """Why span number ``index`` (counted across the whole request) was rejected."""

    index: int
    reason: str


class _Bad(Exception):
    pass


def _attribute(attributes: Iterable[KeyValue], key: str) -> str | None:
    """A string, integer, double or boolean attribute as text; None when absent or empty."""
    for kv in attributes:
        if kv.key == key:
            kind = kv.value.WhichOneof("value")
            if kind in ("string_value", "int_value", "double_value", "bool_value"):
                value = str(getattr(kv.value, kind))
                return value or None
            return None
    return None


def _text(value: str | None, field: str) -> str | None:
    if value is not None and (len(value) > _WIDTHS[field] or "\x00" in value):
        raise _Bad(f"{field} is longer than {_WIDTHS[field]} characters or contains NUL")
    return value


def _time(nanos: int) -> datetime:
    return EPOCH + timedelta(microseconds=nanos // 1000)


def _row(
    span: Span, resource: Mapping[str, str | None], config: TracesConfig, received_at: datetime
) -> dict[str, Any]:
    if len(span.trace_id) != 16 or not any(span.trace_id):
        raise _Bad("trace_id must be 16 bytes, not all zero")
    if len(span.span_id) != 8 or not any(span.span_id):
        raise _Bad("span_id must be 8 bytes, not all zero")
    if span.parent_span_id and len(span.parent_span_id) != 8:
        raise _Bad("parent_span_id must be 8 bytes")
    if not span.name:
        raise _Bad("name is empty")
    if span.start_time_unix_nano == 0:
        raise _Bad("start_time_unix_nano is missing")
    if span.end_time_unix_nano < span.start_time_unix_nano:
        raise _Bad("end_time_unix_nano is before start_time_unix_nano")
    model = _attribute(span.attributes, config.model_attribute) or resource["model"]
    version = _attribute(span.attributes, config.version_attribute) or resource["version"]
    return {
        "trace_id": hex_id(span.trace_id),
        "span_id": hex_id(span.span_id),
        "parent_span_id": hex_id(span.parent_span_id) or None,
        "service": _text(resource["service"], "service"),
        "operation": _text(span.name, "operation"),
        "started_at": _time(span.start_time_unix_nano),
        "ended_at": _time(span.end_time_unix_nano),
        "duration_ms": (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6,
        "status": "error" if span.status.code == Status.STATUS_CODE_ERROR else "ok",
        "model": _text(model, "model"),
        "model_version": _text(version, "version"),
        "received_at": received_at,
    }


def span_rows(
    request: ExportTraceServiceRequest,
    config: TracesConfig,
    received_at: datetime,
    may_use: Callable[[str], bool] = lambda model: True,
) -> tuple[list[dict[str, Any]], list[SpanError]]:
    """Store rows of the valid spans of ``request``, and an error for each other span.

    ``may_use`` says whether the caller's key may send for a model; a span of a model it
    may not is rejected like an invalid one.
    """
    rows: list[dict[str, Any]] = []
    errors: list[SpanError] = []
    index = 0
    for resource_spans in request.resource_spans:
        attributes = resource_spans.resource.attributes
        resource = {
            "service": _attribute(attributes, "service.name") or DEFAULT_SERVICE,
            "model": _attribute(attributes, config.model_attribute),
            "version": _attribute(attributes, config.version_attribute),
        }
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                try:
                    row = _row(span, resource, config, received_at)
                    if row["model"] is not None and not may_use(row["model"]):
                        raise _Bad(f"the key may not send for model {row['model']!r}")
                    rows.append(row)
                except _Bad as bad:
                    errors.append(SpanError(index, str(bad)))
                index += 1
    return rows, errors


def count_spans(request: ExportTraceServiceRequest) -> int:
    """How many spans a request carries."""
    return sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)


def error_message(errors: list[SpanError]) -> str:
    """The ``error_message`` of a partial success: how many, and the first few reasons."""
    if not errors:
        return ""
    listed = "; ".join(f"span {e.index}: {e.reason}" for e in errors[:MAX_LISTED_ERRORS])
    more = (
        f"; and {len(errors) - MAX_LISTED_ERRORS} more" if len(errors) > MAX_LISTED_ERRORS else ""
    )
    return f"{len(errors)} span(s) rejected: {listed}{more}"
