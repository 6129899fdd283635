"""The OTLP/HTTP wire format of ``POST /v1/traces``: decode a request, encode the answers.

Two encodings, chosen by ``Content-Type`` as the OTLP specification requires:
``application/x-protobuf`` (the binary ``ExportTraceServiceRequest``) and
``application/json`` (the Protobuf JSON mapping with OTLP's exceptions: trace and span ids
are hex, not base64; enums are integers; 64-bit integers may be strings). Anything else is
415. Answers use the request's encoding: an ``ExportTraceServiceResponse`` on success, a
``google.rpc.Status`` on failure.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Literal

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from collector.errors import PayloadError, UnsupportedMediaType

Encoding = Literal["protobuf", "json"]
MEDIA_TYPES: dict[str, Encoding] = {
    "application/x-protobuf": "protobuf",
    "application/json": "json",
}
CONTENT_TYPES: dict[Encoding, str] = {
    "protobuf": "application/x-protobuf",
    "json": "application/json",
}
#: gRPC status codes for the HTTP statuses the endpoint answers (google.rpc.Code).
GRPC_CODES = {400: 3, 401: 16, 403: 7, 413: 3, 415: 3, 429: 8, 503: 14}
_ID_FIELDS = ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id")


def encoding_of(content_type: str | None) -> Encoding | None:
    """The OTLP encoding a ``Content-Type`` names, or None when it names neither."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return MEDIA_TYPES.get(media)


def _hex_ids_to_base64(item: Any, where: str) -> None:
    """Rewrite OTLP JSON's hex ids in place into the base64 the Protobuf JSON mapping reads."""
    if not isinstance(item, dict):
        return
    for key in _ID_FIELDS:
        value = item.get(key)
        if isinstance(value, str) and value:
            try:
                item[key] = base64.b64encode(bytes.fromhex(value)).decode()
            except ValueError:
                raise PayloadError(f"{where}.{key} is not hex: {value[:40]!r}") from None
    for link_index, link in enumerate(item.get("links") or ()):
        _hex_ids_to_base64(link, f"{where}.links[{link_index}]")


def _walk_spans(document: Any) -> None:
    if not isinstance(document, dict):
        raise PayloadError("OTLP JSON body must be an object with resourceSpans")
    for r, resource in enumerate(document.get("resourceSpans") or ()):
        if not isinstance(resource, dict):
            continue
        for s, scope in enumerate(resource.get("scopeSpans") or ()):
            if not isinstance(scope, dict):
                continue
            for i, span in enumerate(scope.get("spans") or ()):
                _hex_ids_to_base64(span, f"resourceSpans[{r}].scopeSpans[{s}].spans[{i}]")


def decode_request(data: bytes, encoding: Encoding | None) -> ExportTraceServiceRequest:
    """Parse a request body; raise :class:`PayloadError` (400) or 415 with the reason."""
    if encoding is None:
        raise UnsupportedMediaType(
            "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP)"
        )
    request = ExportTraceServiceRequest()
    if encoding == "protobuf":
        try:
            request.ParseFromString(data)
        except DecodeError as exc:
            raise PayloadError(f"body is not an OTLP ExportTraceServiceRequest: {exc}") from None
        return request
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    _walk_spans(document)
    try:
        json_format.ParseDict(document, request, ignore_unknown_fields=True)
    except (json_format.ParseError, RecursionError) as exc:
        raise PayloadError(f"body is not an OTLP/JSON ExportTraceServiceRequest: {exc}") from None
    return request


def encode(message: Message, encoding: Encoding) -> bytes:
    """``message`` in the request's encoding (OTLP JSON: camelCase, int64 as strings)."""
    if encoding == "protobuf":
        return message.SerializeToString()
    return json.dumps(json_format.MessageToDict(message), separators=(",", ":")).encode()


def export_response(rejected: int, error_message: str) -> ExportTraceServiceResponse:
    """Full success (empty message), or a partial success naming what was rejected and why."""
    response = ExportTraceServiceResponse()
    if rejected or error_message:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = error_message
    return response


def status(http_status: int, message: str) -> Status:
    """The ``google.rpc.Status`` body of an error answer."""
    return Status(code=GRPC_CODES.get(http_status, 2), message=message)


def hex_id(raw: bytes) -> str:
    """A trace or span id as lowercase hex (``b''`` gives ``''``)."""
    return binascii.hexlify(raw).decode()
