"""Fuzzing the ingestion endpoints: whatever arrives, the answer is never a 5xx and the
server keeps serving (the test client re-raises any exception the app lets escape)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from collector_harness import Api, ApiFactory, auth, prediction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

ENDPOINTS = st.sampled_from(["/v1/predictions", "/v1/labels", "/v1/pipeline-runs"])
CONTENT_TYPES = st.sampled_from(
    [None, "application/json", "application/x-ndjson", "text/plain", "application/x-ndjson; x"]
)
ENCODINGS = st.sampled_from([None, "gzip", "identity", "br", "GZIP", ""])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["\x00", "\ud800", "x" * 300, "\ud83d\ude00"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
times = st.one_of(
    json_values,
    st.floats(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-03-02"]),
)
events = st.fixed_dictionaries(
    {},
    optional={
        "model": st.one_of(st.just("credit"), json_values),
        "version": json_values,
        "request_id": json_values,
        "event_id": json_values,
        "timestamp": times,
        "features": st.one_of(st.dictionaries(st.just("income"), json_values), json_values),
        "prediction": json_values,
        "score": st.one_of(json_values, st.floats()),
        "latency_ms": json_values,
        "label": json_values,
        "segment": json_values,
        "trace_id": json_values,
        "pipeline": json_values,
        "run_id": json_values,
        "status": st.one_of(st.sampled_from(["running", "success", "failed"]), json_values),
        "started_at": times,
        "finished_at": times,
        "rows": json_values,
        "output_freshness": times,
    },
)


def encode_events(batch: list[Any], ndjson: bool) -> bytes:
    if ndjson:
        return b"\n".join(json.dumps(e).encode() for e in batch)
    return json.dumps(batch).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(encode_events, st.lists(events, max_size=5), st.booleans()),
    st.builds(
        lambda raw, cut: gzip.compress(raw)[:cut] if cut else gzip.compress(raw),
        st.binary(max_size=200)
        | st.builds(encode_events, st.lists(events, max_size=3), st.booleans()),
        st.integers(min_value=0, max_value=40),
    ),
)


@pytest.fixture
def spool_api(engine: Engine, make_api: ApiFactory) -> Iterator[Api]:
    """One spool-mode app, shared by every example of the test (that is the point).

    At the end its writer must drain: an accepted row the store refuses would block it.
    """
    api = make_api(engine, "spool", max_body_bytes=20_000)
    yield api
    api.flush()
    assert api.metric("vigil_writer_store_failures_total") == 0


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=ENDPOINTS,
    body=bodies,
    content_type=CONTENT_TYPES,
    encoding=ENCODINGS,
)
def test_no_body_makes_the_collector_answer_5xx_or_stop_serving(
    spool_api: Api,
    endpoint: str,
    body: bytes,
    content_type: str | None,
    encoding: str | None,
) -> None:
    api = spool_api
    headers = auth()
    if content_type is not None:
        headers["Content-Type"] = content_type
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    response = api.client.post(endpoint, content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert "error" in response.json() or response.status_code == 200
    still = api.client.post("/v1/predictions", json=[prediction(0)], headers=auth())
    assert still.status_code == 200
