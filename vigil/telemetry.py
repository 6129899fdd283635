"""Vigil's own traces: the ``telemetry`` section, the SDK set-up, and the HTTP server spans.

Features instrument themselves with the OpenTelemetry *API* only
(``trace.get_tracer(__name__)``): ingestion requests, spool appends, writer flushes and
store writes, scheduled job runs, notification sends. Until :func:`setup_telemetry`
installs an SDK ``TracerProvider`` those calls are the API's no-ops: without a
``telemetry`` section Vigil records no span and never imports the SDK or the exporter.

With one, spans go through a ``BatchSpanProcessor`` (a bounded queue, exported every
``export_interval_seconds``; a full queue drops spans, never blocks a request) to an
``OTLPSpanExporter`` (OTLP/HTTP protobuf) at ``otlp_endpoint``: an OpenTelemetry Collector,
Jaeger, Tempo, or another Vigil's ``/v1/traces``. Pointing it at this same Vigil works, but
each export then makes a span of its own: prefer a second collector.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from vigil import __version__

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TelemetryConfig(BaseModel):
    """Where Vigil sends its own spans (``telemetry:`` in ``vigil.yaml``; absent: nowhere)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    otlp_endpoint: str = Field(
        description="OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces"
    )
    service_name: str = Field(default="vigil", min_length=1, description="service.name")
    sample_ratio: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="share of new traces recorded; a caller's sampled traceparent is followed",
    )
    headers: Mapping[str, SecretStr] = Field(
        default_factory=dict,
        description="sent with every export, e.g. Authorization: Bearer ${VIGIL_OTLP_KEY}",
    )
    resource_attributes: Mapping[str, str] = Field(
        default_factory=dict, description="added to the resource, e.g. deployment.environment"
    )
    export_interval_seconds: float = Field(
        default=5.0, gt=0, le=300, description="the batch processor exports this often"
    )
    timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="per export")
    max_queue_size: int = Field(
        default=2048, gt=0, description="spans waiting for export; more are dropped"
    )

    @field_validator("otlp_endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or len(value) < 10:
            raise ValueError("must be an http:// or https:// URL (OTLP/HTTP)")
        return value


class Telemetry:
    """The installed provider; :meth:`shutdown` exports what is queued (``vigil serve`` exit)."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider

    def force_flush(self, timeout_seconds: float = 10.0) -> bool:
        return bool(self.provider.force_flush(int(timeout_seconds * 1000)))

    def shutdown(self) -> None:
        self.provider.shutdown()


def build_provider(config: TelemetryConfig) -> TracerProvider:
    """A TracerProvider exporting to ``config.otlp_endpoint`` in batches (SDK imported here)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    resource = Resource.create(
        {
            "service.name": config.service_name,
            "service.version": __version__,
            "service.instance.id": f"{socket.gethostname()}:{os.getpid()}",
            **config.resource_attributes,
        }
    )
    provider = TracerProvider(
        resource=resource, sampler=ParentBased(TraceIdRatioBased(config.sample_ratio))
    )
    exporter = OTLPSpanExporter(
        endpoint=config.otlp_endpoint,
        headers={k: v.get_secret_value() for k, v in config.headers.items()},
        timeout=config.timeout_seconds,
    )
    provider.add_span_processor(
        BatchSpanProcessor(
            exporter,
            max_queue_size=config.max_queue_size,
            schedule_delay_millis=config.export_interval_seconds * 1000,
            export_timeout_millis=config.timeout_seconds * 1000,
        )
    )
    return provider


def setup_telemetry(config: TelemetryConfig | None) -> Telemetry | None:
    """Install the global TracerProvider ``config`` asks for; None (and no import) without one.

    Called once per process, by ``vigil serve``: OpenTelemetry allows one global provider.
    """
    if config is None:
        return None
    from opentelemetry import trace

    provider = build_provider(config)
    trace.set_tracer_provider(provider)
    return Telemetry(provider)


def fastapi_traces_requests() -> bool:
    """Whether this FastAPI makes HTTP server spans itself (``FastAPI(telemetry=...)``)."""
    import importlib.util

    return importlib.util.find_spec("fastapi.telemetry") is not None


def fastapi_telemetry(enabled: bool) -> dict[str, Any]:
    """``FastAPI()`` keyword arguments: its own request spans on only with ``telemetry:``.

    Metrics stay Prometheus' (``/metrics``) and logs Python's; older FastAPIs get nothing
    here and :class:`TracingMiddleware` instead.
    """
    if not fastapi_traces_requests():
        return {}
    return {"telemetry": {"tracing": enabled, "metrics": False, "logs": False}}


class TracingMiddleware:
    """An ASGI middleware making one SERVER span per HTTP request, named ``METHOD /route``.

    For FastAPI versions without native tracing. It follows a caller's W3C ``traceparent``,
    so a model service's trace shows the collector's handling of its batch. Pure ASGI (no
    response buffering); added to the app only when telemetry is configured.
    """

    def __init__(self, app: ASGIApp, tracer_provider: TracerProvider | None = None) -> None:
        from opentelemetry import propagate, trace

        self.app = app
        self._tracer = trace.get_tracer("vigil.http", tracer_provider=tracer_provider)
        self._extract = propagate.extract

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from opentelemetry.trace import SpanKind, Status, StatusCode

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        status: dict[str, Any] = {}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        with self._tracer.start_as_current_span(
            method,  # renamed ``METHOD /route`` once routed; raw paths are unbounded
            context=self._extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        ) as span:
            try:
                await self.app(scope, receive, send_and_note)
            except Exception:
                status.setdefault("code", 500)  # what Starlette's error middleware answers
                raise
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                code = status.get("code")
                if code is not None:
                    span.set_attribute("http.response.status_code", code)
                    if code >= 500:
                        span.set_status(Status(StatusCode.ERROR))
