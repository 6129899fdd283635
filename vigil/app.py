"""The one HTTP app: the routers each feature exposes, plus health and metrics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from alerting.actions_api import actions_router
from alerting.api import silences_router
from alerting.incidents_api import incidents_router
from alerting.pagerduty_webhook_api import pagerduty_webhook_router
from collector.api import ingestion_router
from collector.ingestion import DirectIngestion, Ingestion
from collector.keys_api import keys_router
from collector.metrics import CollectorMetrics
from collector.traces_api import traces_router
from vigil import __version__
from vigil.auth import build_authenticator, scope_dependency
from vigil.config import VigilConfig
from vigil.reports_api import reports_router
from vigil.telemetry import TracingMiddleware, fastapi_telemetry, fastapi_traces_requests


def build_app(
    config: VigilConfig,
    engine: Engine,
    registry: CollectorRegistry,
    clock: Callable[[], datetime],
    ingestion: Ingestion | None = None,
) -> FastAPI:
    """Compose the API. Everything stateful is passed in: tests build a fresh one each time.

    ``ingestion`` is the collector's sink, opened, started and shut down by the caller
    (``collector.ingestion.open_ingestion`` with ``registry``'s ``CollectorMetrics``);
    without one, batches are committed directly to ``engine`` before the answer.
    """
    app = FastAPI(
        title="Vigil",
        version=__version__,
        docs_url="/docs",
        redoc_url=None,
        **fastapi_telemetry(config.telemetry is not None),
    )
    if config.telemetry is not None and not fastapi_traces_requests():
        app.add_middleware(TracingMiddleware)
    sink = (
        ingestion if ingestion is not None else DirectIngestion(engine, CollectorMetrics(registry))
    )
    auth = build_authenticator(config.collector, engine, clock)
    app.include_router(
        ingestion_router(engine, config.models, config.collector, sink.metrics, clock, sink, auth)
    )
    app.include_router(traces_router(config.collector, sink.metrics, clock, sink, auth))

    require_scope = scope_dependency(auth)
    app.include_router(
        keys_router(
            engine,
            require_scope,
            clock,
            known_models=[m.name for m in config.models],
            config_names=[k.name for k in config.collector.api_keys],
            on_change=auth.stored.invalidate if auth.stored is not None else lambda: None,
        )
    )
    app.include_router(silences_router(engine, require_scope, clock))
    app.include_router(incidents_router(engine, require_scope, clock))
    app.include_router(actions_router(engine, require_scope, clock))
    app.include_router(reports_router(config, engine, require_scope, clock))
    app.include_router(pagerduty_webhook_router(engine, config.alerting.pagerduty_webhook, clock))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # ``ctx`` may hold the validator's exception object, which is not JSON.
        details = [{k: v for k, v in e.items() if k != "ctx"} for e in exc.errors()]
        return JSONResponse({"error": "invalid request", "details": details}, status_code=422)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """Liveness and store reachability."""
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
        except SQLAlchemyError as exc:
            return JSONResponse(
                {"status": "unavailable", "store": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Ready to accept traffic: the store answers and the collector's sink is writable."""
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            store = "ok"
        except SQLAlchemyError as exc:
            store = type(exc).__name__
        collector = sink.ready()
        ready = store == "ok" and bool(collector["ok"])
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "store": store, "collector": collector},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus exposition of Vigil's own metrics."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
