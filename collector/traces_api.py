"""``POST /v1/traces``: OTLP/HTTP trace ingestion, answered as the OTLP specification says.

Same keys (``ingest`` scope), limits, gzip handling and durability as the other ingestion
endpoints: spans go through the configured sink (spool or direct) as the ``spans`` kind, and
200 means durable. The answer is an ``ExportTraceServiceResponse`` in the request's
encoding, with ``partial_success`` (``rejected_spans`` and an ``error_message``) when some
spans were invalid; errors are a ``google.rpc.Status`` with the HTTP status OTLP exporters
act on (400 do not retry; 429 and 503 retry after ``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from collector.auth import Authenticator
from collector.bodies import decode_content, read_body
from collector.config import CollectorConfig
from collector.errors import CollectorError, PayloadTooLarge
from collector.ingestion import Ingestion
from collector.metrics import CollectorMetrics
from collector.otlp import (
    CONTENT_TYPES,
    Encoding,
    decode_request,
    encode,
    encoding_of,
    export_response,
    status,
)
from collector.spans import count_spans, error_message, span_rows
from store.errors import StoreUnavailable


def _answer(encoding: Encoding, status_code: int, body: bytes, retry_after: int | None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return Response(body, status_code, headers, media_type=CONTENT_TYPES[encoding])


def traces_router(
    config: CollectorConfig,
    metrics: CollectorMetrics,
    clock: Callable[[], datetime],
    sink: Ingestion,
    auth: Authenticator | None = None,
) -> APIRouter:
    """Build the ``/v1/traces`` router on ``sink`` (from ``collector.ingestion.open_ingestion``)."""
    router = APIRouter()
    auth = auth if auth is not None else Authenticator(config.api_keys)

    def failure(encoding: Encoding, exc: CollectorError, suffix: str = "") -> Response:
        body = encode(status(exc.status_code, f"{exc}{suffix}"), encoding)
        return _answer(encoding, exc.status_code, body, exc.retry_after)

    @router.post("/v1/traces")
    async def post_traces(request: Request) -> Response:
        """Ingest an OTLP ``ExportTraceServiceRequest`` (protobuf or JSON, optionally gzip)."""
        encoding = encoding_of(request.headers.get("content-type"))
        answer_in: Encoding = encoding or "json"
        try:
            principal = auth.authenticate(request.headers.get("authorization"))
            principal.require("ingest")
            sink.admit()
            raw = await read_body(request, config.max_body_bytes)
            data = decode_content(
                raw, request.headers.get("content-encoding"), config.max_body_bytes
            )
            export = decode_request(data, encoding)
            total = count_spans(export)
            if total > config.max_batch_rows:
                raise PayloadTooLarge(
                    f"{total} spans is over the batch limit of {config.max_batch_rows}"
                )
        except CollectorError as exc:
            metrics.rejected.labels("spans", type(exc).__name__).inc()
            return failure(answer_in, exc)
        rows, errors = span_rows(export, config.traces, clock(), principal.may_use)
        if errors:
            metrics.rejected.labels("spans", "invalid_span").inc(len(errors))
        if rows:
            try:
                await run_in_threadpool(sink.accept, "spans", rows)
            except CollectorError as exc:
                metrics.rejected.labels("spans", type(exc).__name__).inc(len(rows))
                return failure(answer_in, exc, "; nothing from this request was kept")
            except StoreUnavailable as exc:
                metrics.rejected.labels("spans", "store_unavailable").inc(len(rows))
                body = encode(
                    status(503, f"{exc}; nothing from this request was stored"), answer_in
                )
                return _answer(answer_in, 503, body, config.retry_after_seconds)
        response = export_response(len(errors), error_message(errors))
        return _answer(answer_in, 200, encode(response, answer_in), None)

    return router
