"""``POST /v1/traces``: OTLP/HTTP from the real OpenTelemetry SDK exporter, OTLP/JSON, errors."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from collector_harness import INGEST_KEY, KEYS, MODELS, NOW, OTHER_MODEL_KEY, READ_KEY, auth
from fastapi.testclient import TestClient
from google.rpc.status_pb2 import Status
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status as SpanStatus
from opentelemetry.trace import StatusCode
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine
from traces_harness import TRACE_ID, TracesAppFactory, json_request, json_span

from collector.config import CollectorConfig
from store.spans import stored_spans
from vigil.app import build_app
from vigil.config import VigilConfig
from vigil.http_thread import ServerThread

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def _send_with_the_sdk(url: str, compression: Compression = Compression.NoCompression) -> None:
    """Trace a request with a child model span and a failing span, exported span by span."""
    exporter = OTLPSpanExporter(
        endpoint=f"{url}/v1/traces",
        headers={"Authorization": f"Bearer {INGEST_KEY}"},
        timeout=5,
        compression=compression,
    )
    provider = TracerProvider(resource=Resource.create({"service.name": "scoring-api"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tests")
    try:
        with tracer.start_as_current_span("POST /score"):
            with tracer.start_as_current_span(
                "predict", attributes={"ml.model.name": "credit", "ml.model.version": "v3"}
            ):
                pass
            with tracer.start_as_current_span("fetch-features") as failing:
                failing.set_status(SpanStatus(StatusCode.ERROR, "feature store timeout"))
    finally:
        provider.shutdown()


def test_spans_from_the_opentelemetry_sdk_exporter_are_stored(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory, durability: str
) -> None:
    traces = make_traces_app(sqlite_engine, durability)
    with ServerThread(traces.app) as server:
        _send_with_the_sdk(server.url)
    traces.flush()
    rows = {row["operation"]: row for row in stored_spans(sqlite_engine)}
    assert set(rows) == {"POST /score", "predict", "fetch-features"}
    assert {row["trace_id"] for row in rows.values()} == {rows["predict"]["trace_id"]}
    assert rows["predict"]["parent_span_id"] == rows["POST /score"]["span_id"]
    assert rows["POST /score"]["parent_span_id"] is None
    assert (rows["predict"]["model"], rows["predict"]["model_version"]) == ("credit", "v3")
    assert rows["POST /score"]["model"] is None
    assert [rows[n]["status"] for n in ("POST /score", "predict", "fetch-features")] == [
        "ok",
        "ok",
        "error",
    ]
    assert {row["service"] for row in rows.values()} == {"scoring-api"}
    root = rows["POST /score"]
    expected_ms = (root["ended_at"] - root["started_at"]).total_seconds() * 1000
    assert root["duration_ms"] == pytest.approx(expected_ms, abs=0.002)


def test_a_gzip_compressed_sdk_export_is_stored(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    traces = make_traces_app(sqlite_engine)
    with ServerThread(traces.app) as server:
        _send_with_the_sdk(server.url, Compression.Gzip)
    assert len(stored_spans(sqlite_engine)) == 3


def test_an_otlp_json_request_is_answered_in_json_with_the_rejected_spans(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    traces = make_traces_app(sqlite_engine)
    body = json_request(
        json_span("eee19b7ec3c1b174", attributes=[]),
        json_span(
            "eee19b7ec3c1b175",
            name="score",
            status={"code": 2, "message": "boom"},
            parentSpanId="eee19b7ec3c1b174",
        ),
        json_span("eee19b7ec3c1b176", endTimeUnixNano="1"),
    )
    response = TestClient(traces.app).post(
        "/v1/traces", content=json.dumps(body), headers={**auth(), **JSON}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    partial = response.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "1"
    assert "span 2: end_time_unix_nano is before start_time_unix_nano" in partial["errorMessage"]
    rows = stored_spans(sqlite_engine, TRACE_ID)
    assert [(r["span_id"], r["status"], r["parent_span_id"]) for r in rows] == [
        ("eee19b7ec3c1b174", "ok", None),
        ("eee19b7ec3c1b175", "error", "eee19b7ec3c1b174"),
    ]
    assert rows[0]["started_at"] == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert rows[0]["duration_ms"] == pytest.approx(42.0)
    assert rows[1]["model"] == "credit"


def test_a_full_success_is_an_empty_response_and_a_retry_stores_nothing_twice(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    client = TestClient(make_traces_app(sqlite_engine).app)
    body = json.dumps(json_request(json_span("00000000000000a1")))
    for _ in range(2):
        response = client.post("/v1/traces", content=body, headers={**auth(), **JSON})
        assert (response.status_code, response.json()) == (200, {})
    assert len(stored_spans(sqlite_engine)) == 1


def test_model_attributes_are_read_from_the_configured_keys_and_the_resource(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    traces = make_traces_app(
        sqlite_engine,
        traces={"model_attribute": "app.model", "version_attribute": "app.model_version"},
    )
    body = json_request(
        json_span(
            "00000000000000b1", attributes=[{"key": "app.model", "value": {"stringValue": "churn"}}]
        )
    )
    resource = body["resourceSpans"][0]["resource"]["attributes"]
    resource.append({"key": "app.model_version", "value": {"intValue": "7"}})
    response = TestClient(traces.app).post(
        "/v1/traces", content=json.dumps(body), headers={**auth(), **JSON}
    )
    assert response.status_code == 200
    [row] = stored_spans(sqlite_engine)
    assert (row["model"], row["model_version"]) == ("churn", "7")


def test_a_protobuf_partial_success_is_a_protobuf_response(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    request = ExportTraceServiceRequest()
    spans = request.resource_spans.add().scope_spans.add()
    good = spans.spans.add(name="predict", start_time_unix_nano=10**18, end_time_unix_nano=10**18)
    good.trace_id, good.span_id = bytes(range(1, 17)), bytes(range(1, 9))
    bad = spans.spans.add(name="predict", start_time_unix_nano=10**18, end_time_unix_nano=10**18)
    bad.trace_id, bad.span_id = bytes(16), bytes(range(1, 9))
    response = TestClient(make_traces_app(sqlite_engine).app).post(
        "/v1/traces",
        content=gzip.compress(request.SerializeToString()),
        headers={**auth(), **PROTOBUF, "Content-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-protobuf"
    answer = ExportTraceServiceResponse.FromString(response.content)
    assert answer.partial_success.rejected_spans == 1
    assert "trace_id must be 16 bytes, not all zero" in answer.partial_success.error_message
    [row] = stored_spans(sqlite_engine)
    assert (row["service"], row["trace_id"]) == ("unknown_service", bytes(range(1, 17)).hex())


def test_a_span_of_a_model_the_key_may_not_send_for_is_rejected(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    body = json.dumps(json_request(json_span("00000000000000c1")))
    response = TestClient(make_traces_app(sqlite_engine).app).post(
        "/v1/traces", content=body, headers={**auth(OTHER_MODEL_KEY), **JSON}
    )
    assert response.json()["partialSuccess"]["rejectedSpans"] == "1"
    assert "may not send for model 'credit'" in response.json()["partialSuccess"]["errorMessage"]
    assert stored_spans(sqlite_engine) == []


@pytest.mark.parametrize(
    ("content", "headers", "status", "message"),
    [
        pytest.param(
            b"\xff\xff\xff not protobuf",
            PROTOBUF,
            400,
            "body is not an OTLP ExportTraceServiceRequest",
            id="undecodable protobuf is a 400 naming the message type",
        ),
        pytest.param(
            b'{"resourceSpans": [',
            JSON,
            400,
            "body is not valid JSON",
            id="truncated JSON is a 400 saying so",
        ),
        pytest.param(
            json.dumps(json_request(json_span("not-hex-at-all!"))).encode(),
            JSON,
            400,
            "resourceSpans[0].scopeSpans[0].spans[0].spanId is not hex",
            id="a span id that is not hex is a 400 with its JSON path",
        ),
        pytest.param(
            json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"name": 5}]}]}]}).encode(),
            JSON,
            400,
            "body is not an OTLP/JSON ExportTraceServiceRequest",
            id="a field of the wrong type is a 400 from the protobuf JSON mapping",
        ),
        pytest.param(
            b"resourceSpans",
            {"Content-Type": "text/plain"},
            415,
            "Content-Type must be application/x-protobuf or application/json",
            id="an unsupported content type is a 415",
        ),
    ],
)
def test_a_bad_payload_is_refused_with_a_status_that_says_why(
    sqlite_engine: Engine,
    make_traces_app: TracesAppFactory,
    content: bytes,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    response = TestClient(make_traces_app(sqlite_engine).app).post(
        "/v1/traces", content=content, headers={**auth(), **headers}
    )
    assert response.status_code == status
    if headers == PROTOBUF:
        answer = Status.FromString(response.content)
        got_message, code = answer.message, answer.code
    else:
        got_message, code = response.json()["message"], response.json()["code"]
    assert message in got_message
    assert code == 3  # INVALID_ARGUMENT
    assert stored_spans(sqlite_engine) == []


@pytest.mark.parametrize(
    ("key", "status"),
    [
        pytest.param(None, 401, id="a request without a key is 401"),
        pytest.param("not-a-valid-key-at-all", 401, id="an unknown key is 401"),
        pytest.param(READ_KEY, 403, id="a key without the ingest scope is 403"),
    ],
)
def test_traces_need_a_key_with_the_ingest_scope(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory, key: str | None, status: int
) -> None:
    headers = {**JSON, **(auth(key) if key else {})}
    body = json.dumps(json_request(json_span("00000000000000d1")))
    response = TestClient(make_traces_app(sqlite_engine).app).post(
        "/v1/traces", content=body, headers=headers
    )
    assert response.status_code == status
    assert response.json()["message"]
    assert stored_spans(sqlite_engine) == []


def test_more_spans_than_the_batch_limit_is_413(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    traces = make_traces_app(sqlite_engine, max_batch_rows=2)
    body = json_request(*(json_span(f"00000000000000e{i}") for i in range(3)))
    response = TestClient(traces.app).post(
        "/v1/traces", content=json.dumps(body), headers={**auth(), **JSON}
    )
    assert response.status_code == 413
    assert "3 spans is over the batch limit of 2" in response.json()["message"]


def test_the_composed_vigil_app_serves_otlp_traces(sqlite_engine: Engine) -> None:
    config = VigilConfig(models=MODELS, collector=CollectorConfig(api_keys=KEYS))
    app = build_app(config, sqlite_engine, CollectorRegistry(), lambda: NOW)
    body = json.dumps(json_request(json_span("00000000000000f1")))
    response = TestClient(app).post("/v1/traces", content=body, headers={**auth(), **JSON})
    assert (response.status_code, response.json()) == (200, {})
    assert [row["span_id"] for row in stored_spans(sqlite_engine)] == ["00000000000000f1"]


def test_an_unreachable_store_in_direct_mode_is_a_retryable_503(
    unreachable_store: tuple[Engine, Callable[[], None]], make_traces_app: TracesAppFactory
) -> None:
    engine, _repair = unreachable_store
    request = ExportTraceServiceRequest()
    span = (
        request.resource_spans.add()
        .scope_spans.add()
        .spans.add(name="predict", start_time_unix_nano=10**18, end_time_unix_nano=10**18 + 1)
    )
    span.trace_id, span.span_id = bytes(range(1, 17)), bytes(range(1, 9))
    response = TestClient(make_traces_app(engine).app).post(
        "/v1/traces", content=request.SerializeToString(), headers={**auth(), **PROTOBUF}
    )
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    answer = Status.FromString(response.content)
    assert answer.code == 14  # UNAVAILABLE: OTLP exporters retry it
    assert "nothing from this request was stored" in answer.message


def test_spans_that_would_overfill_the_spool_are_a_429_with_retry_after(
    sqlite_engine: Engine, make_traces_app: TracesAppFactory
) -> None:
    traces = make_traces_app(sqlite_engine, "spool", max_spool_bytes=1)
    body = json.dumps(json_request(json_span("00000000000000a9")))
    response = TestClient(traces.app).post("/v1/traces", content=body, headers={**auth(), **JSON})
    assert (response.status_code, response.headers["retry-after"]) == (429, "5")
    assert response.json()["code"] == 8  # RESOURCE_EXHAUSTED
    assert "retry later; nothing from this request was kept" in response.json()["message"]
    traces.flush()
    assert stored_spans(sqlite_engine) == []
