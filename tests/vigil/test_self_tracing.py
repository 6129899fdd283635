"""Vigil's own spans, through opentelemetry-sdk's OTLP/HTTP exporter, from a real ``vigil serve``.

A subprocess ``vigil serve`` (spool on, SQLite) runs with a ``telemetry`` section pointing at
a local OTLP receiver: first a plain 127.0.0.1 HTTP server that decodes the protobuf
requests (to check names, attributes, parents and the resource), then a second Vigil's own
``/v1/traces`` (dogfooding) with an export interval longer than the test, so only the flush
at shutdown can deliver the spans. Without a ``telemetry`` section no span is recorded and
the exporter is never imported.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select

from store.db import create_store_engine, upgrade
from store.notifications import NewNotification, enqueue
from store.schema import spans as spans_table
from vigil.app import build_app
from vigil.config import parse_config
from vigil.http_thread import ServerThread

ROOT = Path(__file__).resolve().parents[2]
KEY = "ingest-and-read-key-0123456789"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class OtlpReceiver:
    """An OTLP/HTTP traces endpoint on 127.0.0.1 that keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest.FromString(body)
                with receiver._lock:
                    receiver.headers.append(dict(self.headers))
                    for resource_spans in request.resource_spans:
                        resource = {
                            a.key: _value(a.value) for a in resource_spans.resource.attributes
                        }
                        for scope_spans in resource_spans.scope_spans:
                            for span in scope_spans.spans:
                                receiver.spans.append(
                                    {
                                        "name": span.name,
                                        "trace_id": span.trace_id.hex(),
                                        "span_id": span.span_id.hex(),
                                        "parent_span_id": span.parent_span_id.hex(),
                                        "kind": span.kind,
                                        "status": span.status.code,
                                        "attributes": {
                                            a.key: _value(a.value) for a in span.attributes
                                        },
                                        "resource": resource,
                                        "scope": scope_spans.scope.name,
                                    }
                                )
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1/traces"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def named(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [s for s in self.spans if s["name"] == name]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(tmp_path: Path, port: int, telemetry: str) -> Path:
    path = tmp_path / "vigil.yaml"
    path.write_text(
        f"""
storage: {{url: "sqlite:///{tmp_path / "vigil.db"}"}}
collector:
  port: {port}
  spool_dir: spool
  writer_delay_seconds: 0.05
  api_keys:
    - {{name: svc, key: {KEY}, scopes: [ingest, read]}}
models:
  - name: credit
    features: [{{name: income, type: numeric}}]
alerting:
  route: {{receiver: audit}}
  receivers:
    - name: audit
      log_configs: [{{path: alerts.jsonl}}]
"""
        + telemetry
    )
    # A notification waiting in the outbox: the dispatcher's first tick sends it.
    engine = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    upgrade(engine)
    enqueue(
        engine,
        [NewNotification("audit", "log[0]", '{}:{alertname="Test"}', "firing", {"a": 1})],
        datetime.now(UTC),
    )
    engine.dispose()
    return path


class Serve:
    """``vigil serve`` in a subprocess; stopped with SIGTERM (graceful), killed at teardown."""

    def __init__(self, config: Path, port: int) -> None:
        self.log = config.parent / "serve.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vigil", "serve", "--config", str(config)],
            cwd=ROOT,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "vigil serve did not start within 30 s"
            time.sleep(0.1)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    server = OtlpReceiver()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def serves() -> Iterator[list[Serve]]:
    started: list[Serve] = []
    try:
        yield started
    finally:
        for serve in started:
            serve.kill()


def predictions(n: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "model": "credit",
            "version": "v1",
            "request_id": f"{prefix}-{i}",
            "timestamp": "2026-03-02T08:00:00Z",
            "features": {"income": float(i)},
            "score": 0.5,
        }
        for i in range(n)
    ]


def ancestors(receiver: OtlpReceiver, span: dict[str, Any]) -> list[str]:
    """The span ids above ``span``, nearest first."""
    by_id = {s["span_id"]: s for s in receiver.spans}
    found = []
    parent = span["parent_span_id"]
    while parent in by_id:
        found.append(parent)
        parent = by_id[parent]["parent_span_id"]
    return found


def wait_for(receiver: OtlpReceiver, names: list[str], within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(receiver.named(n) for n in names):
            return
        time.sleep(0.1)
    missing = [n for n in names if not receiver.named(n)]
    got = sorted({s["name"] for s in receiver.spans})
    raise AssertionError(f"no span named {missing} within {within} s; got {got}")


@pytest.mark.slow
def test_vigil_serve_exports_its_spans_with_names_and_attributes(
    tmp_path: Path, receiver: OtlpReceiver, serves: list[Serve]
) -> None:
    port = free_port()
    config = write_config(
        tmp_path,
        port,
        f"""
telemetry:
  otlp_endpoint: {receiver.url}
  service_name: vigil-under-test
  export_interval_seconds: 0.2
  headers: {{x-vigil-test: hello}}
  resource_attributes: {{deployment.environment: test}}
""",
    )
    serve = Serve(config, port)
    serves.append(serve)
    answer = httpx.post(
        f"{serve.url}/v1/predictions",
        json=predictions(20, "traced"),
        headers={
            "Authorization": f"Bearer {KEY}",
            "traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01",
        },
    )
    assert answer.status_code == 200, answer.text
    assert httpx.get(f"{serve.url}/v1/predictions").status_code == 405
    names = [
        "POST /v1/predictions",
        "vigil.spool.append",
        "vigil.writer.flush",
        "vigil.store.write",
        "vigil.job.run",
        "vigil.notification.send",
    ]
    wait_for(receiver, names, within=20)

    (request,) = [s for s in receiver.named("POST /v1/predictions") if s["trace_id"] == TRACE_ID]
    assert request["parent_span_id"] == PARENT_ID  # follows the caller's traceparent
    assert request["kind"] == 2  # SERVER
    assert (
        request["attributes"].items()
        >= {
            "http.request.method": "POST",
            "url.path": "/v1/predictions",
            "http.route": "/v1/predictions",
            "http.response.status_code": 200,
        }.items()
    )
    assert request["resource"]["service.name"] == "vigil-under-test"
    assert request["resource"]["deployment.environment"] == "test"
    (append,) = receiver.named("vigil.spool.append")
    assert request["span_id"] in ancestors(receiver, append)  # inside the request's handling
    assert append["attributes"]["vigil.rows"] == 20 and append["attributes"]["vigil.bytes"] > 0
    flush = receiver.named("vigil.writer.flush")[0]
    assert flush["attributes"]["vigil.rows"] == 20 and flush["attributes"]["vigil.stored"] is True
    write = [s for s in receiver.named("vigil.store.write") if s["trace_id"] == flush["trace_id"]]
    assert write[0]["parent_span_id"] == flush["span_id"]
    assert write[0]["attributes"] == {"vigil.kind": "predictions", "vigil.rows": 20}
    jobs = {s["attributes"]["vigil.job.name"] for s in receiver.named("vigil.job.run")}
    assert {"alerting.dispatch", "alerting.incidents"} <= jobs
    (send,) = receiver.named("vigil.notification.send")
    assert send["attributes"]["vigil.receiver"] == "audit"
    assert send["attributes"]["vigil.integration"] == "log[0]"
    assert send["attributes"]["vigil.notification.outcome"] == "ok"
    dispatch = [
        s for s in receiver.named("vigil.job.run") if s["span_id"] == send["parent_span_id"]
    ]
    assert dispatch and dispatch[0]["attributes"]["vigil.job.name"] == "alerting.dispatch"
    deadline = time.monotonic() + 10
    while True:
        refusals = [
            s
            for s in list(receiver.spans)
            if s["attributes"].get("http.response.status_code") == 405
        ]
        if refusals or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    (refused,) = refusals
    assert refused["attributes"]["http.request.method"] == "GET"
    assert all(h.get("x-vigil-test") == "hello" for h in receiver.headers)
    assert serve.stop() == 0


@pytest.mark.slow
def test_spans_reach_another_vigils_traces_endpoint_when_serve_stops(
    tmp_path: Path, serves: list[Serve]
) -> None:
    """Dogfooding: a second Vigil stores the first one's spans; only the exit flush sends them."""
    sink_engine = create_store_engine(f"sqlite:///{tmp_path / 'sink.db'}")
    upgrade(sink_engine)
    sink_config = parse_config(
        f"collector: {{api_keys: [{{name: vigil-a, key: {KEY}, scopes: [ingest]}}]}}"
    )
    app = build_app(sink_config, sink_engine, CollectorRegistry(), lambda: datetime.now(UTC))
    with ServerThread(app) as sink:
        port = free_port()
        config = write_config(
            tmp_path,
            port,
            f"""
telemetry:
  otlp_endpoint: {sink.url}/v1/traces
  service_name: vigil-a
  export_interval_seconds: 300
  headers: {{Authorization: "Bearer {KEY}"}}
""",
        )
        serve = Serve(config, port)
        serves.append(serve)
        for batch in range(3):
            answer = httpx.post(
                f"{serve.url}/v1/predictions",
                json=predictions(10, f"b{batch}"),
                headers={"Authorization": f"Bearer {KEY}"},
            )
            assert answer.status_code == 200
        time.sleep(0.5)
        assert stored_operations(sink_engine) == []  # the batch processor holds them
        assert serve.stop() == 0  # SIGTERM: the provider's shutdown exports the queue
        operations = stored_operations(sink_engine)
    sink_engine.dispose()
    assert operations.count(("vigil-a", "POST /v1/predictions")) == 3
    assert operations.count(("vigil-a", "vigil.spool.append")) == 3
    assert ("vigil-a", "vigil.writer.flush") in operations
    assert ("vigil-a", "vigil.job.run") in operations


def stored_operations(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(spans_table.c.service, spans_table.c.operation)).all()
    return [(r[0], r[1]) for r in rows]


def test_without_telemetry_no_span_is_recorded_and_no_exporter_is_imported(
    tmp_path: Path,
) -> None:
    """In a fresh interpreter: build and use the app and a job tick as ``vigil serve`` does."""
    script = textwrap.dedent(
        f"""
        import json, sys
        from datetime import UTC, datetime
        from fastapi.testclient import TestClient
        from opentelemetry import trace
        from prometheus_client import CollectorRegistry
        from store.db import create_store_engine, upgrade
        from vigil.app import build_app
        from vigil.config import parse_config
        from vigil.serve import _tick, setup_telemetry
        from store.scheduling import ScheduledJob
        from datetime import timedelta

        config = parse_config(
            "collector: {{api_keys: [{{name: s, key: {KEY}, scopes: [ingest]}}]}}\\n"
            "models: [{{name: credit, features: [{{name: income, type: numeric}}]}}]"
        )
        assert setup_telemetry(config.telemetry) is None
        engine = create_store_engine("sqlite:///{tmp_path / "v.db"}")
        upgrade(engine)
        client = TestClient(build_app(config, engine, CollectorRegistry(), lambda: datetime.now(UTC)))
        recording = []
        def job(now):
            recording.append(trace.get_current_span().is_recording())
        _tick(ScheduledJob("probe", timedelta(seconds=1), job))
        answer = client.post(
            "/v1/predictions",
            json=[{{"model": "credit", "version": "v1", "request_id": "r1",
                   "timestamp": "2026-03-02T08:00:00Z", "features": {{"income": 1.0}}}}],
            headers={{"Authorization": "Bearer {KEY}"}},
        )
        print(json.dumps({{
            "status": answer.status_code,
            "recording": recording,
            "provider": type(trace.get_tracer_provider()).__name__,
            "middleware": [m.cls.__name__ for m in client.app.user_middleware],
            "loaded": sorted(m for m in sys.modules if m.startswith(("opentelemetry.sdk", "opentelemetry.exporter"))),
        }}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {
        "status": 200,
        "recording": [False],
        "provider": "ProxyTracerProvider",
        "middleware": [],
        "loaded": [],
    }


def test_a_bad_telemetry_section_fails_at_load_with_its_path() -> None:
    from vigil.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_config("telemetry: {otlp_endpoint: 'grpc://x:4317', sample_ratio: 2}")
    text = str(caught.value)
    assert "telemetry.otlp_endpoint" in text and "telemetry.sample_ratio" in text


def test_the_fallback_middleware_makes_one_server_span_per_request() -> None:
    """For FastAPIs without native tracing; checked here on its own provider, not the global."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from vigil.telemetry import TracingMiddleware, fastapi_telemetry

    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    app = FastAPI(**fastapi_telemetry(False))

    @app.get("/v1/things/{name}")
    def thing(name: str) -> dict[str, str]:
        if name == "boom":
            raise RuntimeError("boom")
        return {"name": name}

    app.add_middleware(TracingMiddleware, tracer_provider=provider)
    client = TestClient(app, raise_server_exceptions=False)
    assert (
        client.get(
            "/v1/things/a", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}
        ).status_code
        == 200
    )
    assert client.get("/nowhere").status_code == 404
    assert client.get("/v1/things/boom").status_code == 500
    ok, missing, failed = exported.get_finished_spans()
    assert f"{ok.context.trace_id:032x}" == TRACE_ID
    assert ok.parent is not None and f"{ok.parent.span_id:016x}" == PARENT_ID
    assert ok.name == "GET /v1/things/{name}"
    assert dict(ok.attributes or {}) == {
        "http.request.method": "GET",
        "url.path": "/v1/things/a",
        "http.route": "/v1/things/{name}",
        "http.response.status_code": 200,
    }
    assert missing.name == "GET"  # an unrouted path does not name the span
    assert dict(missing.attributes or {})["http.response.status_code"] == 404
    assert failed.name == "GET /v1/things/{name}"
    assert dict(failed.attributes or {})["http.response.status_code"] == 500
    assert failed.status.status_code.name == "ERROR"
    assert [e.name for e in failed.events] == ["exception"]
