"""The ingestion endpoints: ``POST /v1/predictions`` and ``POST /v1/labels``.

A request is answered 200 only after its valid rows are committed to the store (accepted
means durable). Row errors come back in the same response; a batch with no valid row is 422.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from collector.auth import Authenticator, Principal
from collector.config import CollectorConfig
from collector.errors import CollectorError, PayloadError, PayloadTooLarge
from collector.metrics import CollectorMetrics
from collector.validation import Limits, RowError, validate_labels, validate_predictions
from store.errors import StoreUnavailable
from store.predictions import insert_labels, insert_predictions
from store.specs import ModelSpec

Validator = Callable[
    [Sequence[Any], Mapping[str, ModelSpec], datetime, Limits],
    tuple[list[dict[str, Any]], list[RowError]],
]
Writer = Callable[[Engine, Sequence[dict[str, Any]]], int]


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    """The JSON error shape every 4xx/5xx of the API uses."""
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


async def read_json_array(request: Request, config: CollectorConfig) -> list[Any]:
    """Read the body within the size limit and decode it as a JSON array of events."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > config.max_body_bytes:
        raise PayloadTooLarge(
            f"body of {declared} bytes is over the limit of {config.max_body_bytes}"
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > config.max_body_bytes:
            raise PayloadTooLarge(f"body is over the limit of {config.max_body_bytes} bytes")
    try:
        events = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(events, list):
        raise PayloadError("body must be a JSON array of events")
    if len(events) > config.max_batch_rows:
        raise PayloadTooLarge(
            f"{len(events)} events is over the batch limit of {config.max_batch_rows}"
        )
    return events


def _restrict_to_key_models(
    principal: Principal, rows: list[dict[str, Any]], indexes: list[int]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    kept, errors = [], []
    for index, row in zip(indexes, rows, strict=True):
        if principal.may_use(row["model"]):
            kept.append(row)
        else:
            errors.append(
                RowError(
                    index,
                    "model",
                    f"key {principal.name!r} may not send for this model",
                )
            )
    return kept, errors


def ingestion_router(
    engine: Engine,
    models: Sequence[ModelSpec],
    config: CollectorConfig,
    metrics: CollectorMetrics,
    clock: Callable[[], datetime],
) -> APIRouter:
    """Build the router; everything it needs is passed in, so tests and the demo compose freely."""
    router = APIRouter()
    by_name = {m.name: m for m in models}
    auth = Authenticator(config.api_keys)
    limits = Limits(max_string_length=config.max_string_length)

    async def ingest(
        request: Request, kind: str, validate: Validator, write: Writer
    ) -> JSONResponse:
        try:
            principal = auth.authenticate(request.headers.get("authorization"))
            principal.require("ingest")
            events = await read_json_array(request, config)
        except CollectorError as exc:
            metrics.rejected.labels(kind, type(exc).__name__).inc()
            return error_response(exc.status_code, str(exc))
        received_at = clock()
        rows, errors = validate(events, by_name, received_at, limits)
        valid_indexes = sorted(set(range(len(events))) - {e.index for e in errors})
        rows, denied = _restrict_to_key_models(principal, rows, valid_indexes)
        errors = sorted(errors + denied, key=lambda e: e.index)
        if errors:
            metrics.rejected.labels(kind, "invalid_row").inc(len(errors))
        if not rows:
            return error_response(
                422,
                "no valid event in the batch",
                rejected=len(errors),
                errors=[e.as_dict() for e in errors],
            )
        started = time.perf_counter()
        try:
            inserted = await run_in_threadpool(write, engine, rows)
        except StoreUnavailable as exc:
            metrics.rejected.labels(kind, "store_unavailable").inc(len(rows))
            return error_response(503, f"{exc}; nothing from this batch was stored", retry_after=5)
        metrics.write_seconds.labels(kind).observe(time.perf_counter() - started)
        metrics.ingested.labels(kind).inc(inserted)
        metrics.duplicates.labels(kind).inc(len(rows) - inserted)
        return JSONResponse(
            {
                "accepted": len(rows),
                "stored": inserted,
                "duplicates": len(rows) - inserted,
                "rejected": len(errors),
                "errors": [e.as_dict() for e in errors],
            }
        )

    @router.post("/v1/predictions")
    async def post_predictions(request: Request) -> JSONResponse:
        """Ingest a JSON array of prediction events."""
        return await ingest(request, "predictions", validate_predictions, insert_predictions)

    @router.post("/v1/labels")
    async def post_labels(request: Request) -> JSONResponse:
        """Ingest a JSON array of delayed ground-truth labels."""
        return await ingest(request, "labels", validate_labels, insert_labels)

    return router
