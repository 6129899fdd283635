"""The ingestion endpoints: ``POST /v1/predictions``, ``/v1/labels`` and ``/v1/pipeline-runs``.

A request is answered 200 only once its valid rows are durable: fsynced to the spool
(``durability: spool``, the answer says ``spooled``) or committed to the store
(``durability: direct``, the answer says ``stored`` and ``duplicates``), after features
marked ``pii`` are hashed or dropped (:mod:`collector.redaction`). Row errors come
back in the same response; a batch with no valid row is 422. A full spool is 429 and an
unwritable spool or unreachable store (direct mode) is 503, both with ``Retry-After``.
Bodies are a JSON array or NDJSON, optionally gzip-compressed (see :mod:`collector.bodies`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from collector.auth import Authenticator, Principal
from collector.batches import Kind
from collector.bodies import read_events
from collector.config import CollectorConfig
from collector.errors import CollectorError
from collector.ingestion import DirectIngestion, Ingestion
from collector.metrics import CollectorMetrics
from collector.pipeline_runs import validate_pipeline_runs
from collector.prepared_events import prepared_predictions
from collector.redaction import Redactor
from collector.validation import Limits, RowError, validate_labels
from store.errors import StoreUnavailable
from store.predictions import MODEL
from store.specs import ModelSpec

#: Events, models, when they were received, limits -> rows ready for the sink, row errors.
Validator = Callable[
    [Sequence[Any], Mapping[str, ModelSpec], datetime, Limits],
    tuple[Sequence[Any], list[RowError]],
]


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    """The JSON error shape every 4xx/5xx of the API uses."""
    retry_after = extra.pop("retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _model_of(row: Any) -> str:
    """The model of a validated row: a dict, or a prediction's prepared row."""
    return row["model"] if isinstance(row, Mapping) else row[MODEL]


def _restrict_to_key_models(
    principal: Principal, rows: Sequence[Any], indexes: list[int]
) -> tuple[list[Any], list[RowError]]:
    kept, errors = [], []
    for index, row in zip(indexes, rows, strict=True):
        if principal.may_use(_model_of(row)):
            kept.append(row)
        else:
            errors.append(
                RowError(index, "model", f"key {principal.name!r} may not send for this model")
            )
    return kept, errors


def ingestion_router(
    engine: Engine,
    models: Sequence[ModelSpec],
    config: CollectorConfig,
    metrics: CollectorMetrics,
    clock: Callable[[], datetime],
    ingestion: Ingestion | None = None,
    auth: Authenticator | None = None,
) -> APIRouter:
    """Build the router; everything it needs is passed in, so tests and the demo compose freely.

    Without ``ingestion`` the router commits each batch directly to ``engine``; pass the
    sink from :func:`collector.ingestion.open_ingestion` to honour ``config.durability``.
    Raises ValueError when a feature is marked ``pii: hash`` and ``config.pii_key`` is unset.
    """
    router = APIRouter()
    by_name = {m.name: m for m in models}
    auth = auth if auth is not None else Authenticator(config.api_keys)
    limits = Limits(max_string_length=config.max_string_length)
    sink: Ingestion = ingestion if ingestion is not None else DirectIngestion(engine, metrics)
    redactor = Redactor(models, config.pii_key)

    validate_and_prepare_predictions = partial(prepared_predictions, redactor=redactor)

    async def ingest(
        request: Request, kind: Kind, validate: Validator, per_model: bool = True
    ) -> JSONResponse:
        try:
            principal = auth.authenticate(request.headers.get("authorization"))
            principal.require("ingest")
            sink.admit()
            events = await read_events(request, config)
        except CollectorError as exc:
            metrics.rejected.labels(kind, type(exc).__name__).inc()
            return error_response(exc.status_code, str(exc), retry_after=exc.retry_after)
        rows, errors = validate(events, by_name, clock(), limits)
        if per_model and principal.models is not None:  # a key limited to some models
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
        try:
            # Prediction rows come prepared and redacted; labels and runs carry no features.
            receipt = await run_in_threadpool(sink.accept, kind, list(rows))
        except CollectorError as exc:
            metrics.rejected.labels(kind, type(exc).__name__).inc(len(rows))
            return error_response(
                exc.status_code,
                f"{exc}; nothing from this batch was kept",
                retry_after=exc.retry_after,
            )
        except StoreUnavailable as exc:
            metrics.rejected.labels(kind, "store_unavailable").inc(len(rows))
            return error_response(
                503,
                f"{exc}; nothing from this batch was stored",
                retry_after=config.retry_after_seconds,
            )
        return JSONResponse(
            {
                **receipt.as_dict(),
                "rejected": len(errors),
                "errors": [e.as_dict() for e in errors],
            }
        )

    @router.post("/v1/predictions")
    async def post_predictions(request: Request) -> JSONResponse:
        """Ingest prediction events (JSON array or NDJSON, optionally gzip)."""
        return await ingest(request, "predictions", validate_and_prepare_predictions)

    @router.post("/v1/labels")
    async def post_labels(request: Request) -> JSONResponse:
        """Ingest delayed ground-truth labels (JSON array or NDJSON, optionally gzip)."""
        return await ingest(request, "labels", validate_labels)

    @router.post("/v1/pipeline-runs")
    async def post_pipeline_runs(request: Request) -> JSONResponse:
        """Report data-pipeline runs; a later report for the same run updates it."""
        return await ingest(request, "pipeline_runs", validate_pipeline_runs, per_model=False)

    return router
