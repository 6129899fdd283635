"""Request bodies: NDJSON, gzip (and gzip bombs), and the context fields events may carry."""

from __future__ import annotations

import gzip
import json

import pytest
from collector_harness import ApiFactory, auth, prediction
from sqlalchemy import Engine, select

from collector.bodies import gunzip, parse_events
from collector.errors import PayloadError, PayloadTooLarge
from store.schema import predictions

NDJSON = {"Content-Type": "application/x-ndjson"}


def ndjson(events: list[dict]) -> bytes:
    return b"\n".join(json.dumps(e).encode() for e in events) + b"\n"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(json.dumps([prediction(0), prediction(1)]).encode(), {}, id="a JSON array"),
        pytest.param(ndjson([prediction(0), prediction(1)]), NDJSON, id="NDJSON lines"),
        pytest.param(
            gzip.compress(json.dumps([prediction(0), prediction(1)]).encode()),
            {"Content-Encoding": "gzip"},
            id="a gzip JSON array",
        ),
        pytest.param(
            gzip.compress(ndjson([prediction(0), prediction(1)])),
            {**NDJSON, "Content-Encoding": "gzip"},
            id="gzip NDJSON",
        ),
    ],
)
def test_every_body_format_is_accepted(
    sqlite_engine: Engine, make_api: ApiFactory, body: bytes, headers: dict[str, str]
) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post("/v1/predictions", content=body, headers={**auth(), **headers})
    assert response.status_code == 200
    assert response.json()["stored"] == 2


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        pytest.param(
            gzip.compress(b"[" + b" " * 200_000 + b"]"),
            {"Content-Encoding": "gzip"},
            413,
            "decompressed body is over the limit of 100000 bytes",
            id="a gzip bomb is 413 on its decompressed size",
        ),
        pytest.param(
            gzip.compress(json.dumps([prediction(0)]).encode())[:-12],
            {"Content-Encoding": "gzip"},
            400,
            "gzip body is truncated",
            id="truncated gzip is 400",
        ),
        pytest.param(
            b"not gzip at all",
            {"Content-Encoding": "gzip"},
            400,
            "body is not valid gzip",
            id="garbage declared as gzip is 400",
        ),
        pytest.param(
            b"[]", {"Content-Encoding": "br"}, 415, "Content-Encoding 'br'", id="brotli is 415"
        ),
        pytest.param(
            ndjson([prediction(0)]) + b"{oops\n",
            NDJSON,
            400,
            "line 2 is not valid JSON",
            id="a bad NDJSON line is named by number",
        ),
    ],
)
def test_bad_bodies_get_a_clear_error(
    sqlite_engine: Engine,
    make_api: ApiFactory,
    body: bytes,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    api = make_api(sqlite_engine, max_body_bytes=100_000)
    response = api.client.post("/v1/predictions", content=body, headers={**auth(), **headers})
    assert response.status_code == status
    assert message in response.json()["error"]


def test_gzip_inflation_stops_at_the_limit_without_inflating_the_rest() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(PayloadTooLarge):
        gunzip(bomb, limit=1_000_000)


def test_concatenated_gzip_members_are_one_body() -> None:
    assert gunzip(gzip.compress(b"[1,") + gzip.compress(b"2]"), limit=100) == b"[1,2]"


def test_blank_ndjson_lines_are_ignored() -> None:
    assert parse_events(b'\n{"a": 1}\n\n{"a": 2}', "application/x-ndjson; charset=utf-8") == [
        {"a": 1},
        {"a": 2},
    ]


def test_an_integer_too_long_to_parse_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="not valid JSON"):
        parse_events(b"[" + b"9" * 5000 + b"]", "application/json")


def test_experiment_context_is_stored_with_the_prediction(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    event = prediction(
        0,
        variant="challenger",
        experiment="exp-42",
        segment={"region": "eu", "channel": "web"},
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
    )
    by_event_id = prediction(1, event_id="evt-1")
    del by_event_id["request_id"]
    response = api.client.post("/v1/predictions", json=[event, by_event_id], headers=auth())
    assert response.status_code == 200 and response.json()["accepted"] == 2
    assert api.sink.force_flush(timeout=10)
    with engine.connect() as conn:
        rows = conn.execute(select(predictions).order_by(predictions.c.request_id)).mappings()
        stored = {row["request_id"]: dict(row) for row in rows}
    assert stored["r0"]["variant"] == "challenger"
    assert stored["r0"]["experiment"] == "exp-42"
    assert stored["r0"]["segment"] == {"region": "eu", "channel": "web"}
    assert stored["r0"]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert stored["evt-1"]["variant"] is None and stored["evt-1"]["segment"] is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param({"segment": {"region": 3}}, "segment.region", id="a numeric segment value"),
        pytest.param({"segment": ["eu"]}, "segment", id="a segment that is not an object"),
        pytest.param({"trace_id": "x" * 65}, "trace_id", id="a trace id over 64 characters"),
        pytest.param({"variant": ""}, "variant", id="an empty variant"),
    ],
)
def test_bad_context_fields_reject_only_their_event(
    sqlite_engine: Engine, make_api: ApiFactory, extra: dict, field: str
) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post(
        "/v1/predictions", json=[prediction(0), prediction(1, **extra)], headers=auth()
    )
    assert response.json()["accepted"] == 1
    assert response.json()["errors"][0]["field"] == field
