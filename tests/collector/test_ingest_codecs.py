"""Bodies and spool records through orjson: the same events, the same errors, the same rows.

Request bodies are parsed by orjson with the standard library as the fallback, and spool
records are written by orjson unless it cannot. These tests pin that nothing a client or
a spool written by an earlier version relied on changed.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from collector.batches import Batch, CorruptRecord, decode, encode, spooled_at
from collector.bodies import parse_events
from collector.errors import PayloadError
from store.predictions import prepare_predictions

T0 = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)


def prediction_row(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "model": "credit",
        "version": "v1",
        "request_id": f"r{i}",
        "ts": T0 + timedelta(seconds=i),
        "features": {"income": 1.5 * i, "purpose": "car", "emb": [0.5, -1.0]},
        "prediction": "approve",
        "score": 0.5,
        "latency_ms": None,
        "error": None,
        "received_at": T0,
        "variant": None,
        "experiment": None,
        "segment": {"region": "eu"},
        "trace_id": None,
        **extra,
    }


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'[{"a": 1.5, "b": "\\u00e9\\ud83d\\ude00", "c": [1, null, true]}]', id="escapes"
        ),
        pytest.param(
            b'[{"x": 1e999}, {"x": NaN}, {"x": -Infinity}]', id="non-finite (stdlib only)"
        ),
        pytest.param(b"[1, 2.0, -0.0, 18446744073709551615]", id="numbers"),
        pytest.param(b'[{"k": 1, "k": 2}]', id="duplicate keys"),
        pytest.param('[{"name": "naïve 日本"}]'.encode(), id="UTF-8"),
    ],
)
def test_a_json_body_parses_to_what_the_standard_library_gives(body: bytes) -> None:
    got = parse_events(body, "application/json")
    want = json.loads(body)
    assert json.dumps(got, allow_nan=True) == json.dumps(want, allow_nan=True)


def test_non_finite_numbers_still_reach_validation_rather_than_failing_the_body() -> None:
    events = parse_events(b'[{"x": 1e999}, {"x": 2.0}]\n', "application/json")
    assert math.isinf(events[0]["x"]) and events[1]["x"] == 2.0
    lines = parse_events(b'{"x": NaN}\n{"x": 1}\n', "application/x-ndjson")
    assert math.isnan(lines[0]["x"]) and lines[1] == {"x": 1}


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        pytest.param(
            b"{not json",
            "application/json",
            "body is not valid JSON: Expecting property name",
            id="malformed",
        ),
        pytest.param(
            b'{"a": 1}\n{oops}\n',
            "application/x-ndjson",
            "line 2 is not valid JSON: Expecting property name",
            id="bad NDJSON line",
        ),
        pytest.param(
            b'["\\ud800"]', "application/json", "unpaired UTF-16 surrogate", id="lone surrogate"
        ),
        pytest.param(
            b'{"a": "\\udc00"}\n',
            "application/x-ndjson",
            "unpaired UTF-16 surrogate",
            id="lone surrogate in NDJSON",
        ),
        pytest.param(b'{"a": 1}', "application/json", "must be a JSON array", id="an object"),
        pytest.param(
            b"[" * 5000 + b"]" * 5000,
            "application/json",
            "body is not valid JSON",
            id="deep nesting",
        ),
    ],
)
def test_bad_bodies_get_the_standard_library_error_message(
    body: bytes, content_type: str, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_events(body, content_type)


def test_predictions_are_spooled_as_the_stores_prepared_rows() -> None:
    rows = [prediction_row(i) for i in range(3)]
    batch = decode(encode(Batch("predictions", [dict(r) for r in rows], T0)))
    assert batch.kind == "predictions" and batch.spooled_at == T0
    assert batch.rows == [list(r) for r in prepare_predictions(rows)]
    first = batch.rows[0]
    assert first[3] == "2026-03-02 09:00:00.123456"  # UTC text, as SQLite stores it
    assert json.loads(first[4]) == rows[0]["features"]
    assert first[12] == '{"region":"eu"}'


def test_prepared_rows_given_to_encode_are_spooled_unchanged() -> None:
    prepared = prepare_predictions([prediction_row(i) for i in range(2)])
    assert decode(encode(Batch("predictions", prepared, T0))).rows == [list(r) for r in prepared]


def test_times_in_other_zones_are_prepared_as_utc() -> None:
    local = T0.astimezone(timezone(timedelta(hours=-5)))
    (row,) = prepare_predictions([prediction_row(0, ts=local, received_at=local)])
    assert row[3] == row[9] == "2026-03-02 09:00:00.123456"
    with pytest.raises(ValueError, match="naive"):
        prepare_predictions([prediction_row(0, ts=T0.replace(tzinfo=None))])


def test_an_integer_beyond_64_bits_is_spooled_by_the_standard_library_and_kept_exact() -> None:
    rows = [prediction_row(0, prediction=10**30, score=2**70), prediction_row(1)]
    payload = encode(Batch("predictions", rows, T0))
    back = decode(payload).rows
    assert json.loads(back[0][5]) == 10**30
    assert back[0][6] == 2**70 and isinstance(back[0][6], int)


def test_predictions_spooled_as_dicts_by_an_earlier_version_decode_as_prepared_rows() -> None:
    rows = [prediction_row(i) for i in range(2)]
    old = json.dumps(
        {
            "kind": "predictions",
            "spooled_at": T0.isoformat(),
            "rows": [
                {k: (v.isoformat() if k in ("ts", "received_at") else v) for k, v in r.items()}
                for r in rows
            ],
        },
        separators=(",", ":"),
    ).encode()
    assert decode(old).rows == prepare_predictions(rows)
    assert decode(b" " + old).rows == prepare_predictions(rows)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param('[["credit"]]', id="short row"),
        pytest.param('[{"model": "credit"}]', id="a dict"),
        pytest.param('["credit"]', id="not a row"),
    ],
)
def test_a_prepared_record_with_malformed_rows_is_a_corrupt_record(rows: str) -> None:
    payload = (
        '{"kind":"predictions","spooled_at":"2026-03-02T09:00:00+00:00",'
        f'"format":"prepared","rows":{rows}}}'
    ).encode()
    with pytest.raises(CorruptRecord):
        decode(payload)


def test_a_record_of_the_previous_version_still_decodes() -> None:
    """Earlier versions wrote the same document with the standard library."""
    old = json.dumps(
        {
            "kind": "labels",
            "spooled_at": "2026-03-02T09:00:00+00:00",
            "rows": [
                {
                    "model": "credit",
                    "request_id": "r1",
                    "label": 1,
                    "ts": "2026-03-02T08:59:00.000005+00:00",
                    "received_at": "2026-03-02T09:00:00+00:00",
                }
            ],
        },
        separators=(",", ":"),
    ).encode()
    batch = decode(old)
    assert batch.rows[0]["ts"] == datetime(2026, 3, 2, 8, 59, 0, 5, tzinfo=UTC)
    assert batch.rows[0]["label"] == 1


def test_other_kinds_keep_the_standard_library_and_its_refusal_of_nan() -> None:
    run = {
        "pipeline": "p",
        "run_id": "1",
        "status": "success",
        "started_at": T0,
        "finished_at": None,
        "output_freshness": T0.astimezone(timezone(timedelta(hours=2))),
        "rows": 10,
        "received_at": T0,
    }
    back = decode(encode(Batch("pipeline_runs", [run], T0))).rows[0]
    assert back["output_freshness"] == T0 and back["finished_at"] is None
    with pytest.raises(ValueError):
        encode(Batch("pipeline_runs", [{**run, "rows": float("nan")}], T0))


@pytest.mark.parametrize(
    "payload",
    [
        b"{}",
        b'{"kind": "nope", "rows": []}',
        b" [1]",
        b'{"kind":"labels","spooled_at":"x","rows":[]}',
        b"\xff",
    ],
)
def test_an_undecodable_record_is_a_corrupt_record(payload: bytes) -> None:
    with pytest.raises(CorruptRecord):
        decode(payload)


@pytest.mark.parametrize("kind", ["predictions", "pipeline_runs"])
def test_the_spool_time_is_read_from_a_record_head_alone(kind: str) -> None:
    rows = [prediction_row(0)] if kind == "predictions" else []
    payload = encode(Batch(kind, rows, T0))  # type: ignore[arg-type]
    assert spooled_at(payload) == T0
    assert spooled_at(payload[:80]) == T0  # the rows are not read
    with pytest.raises(CorruptRecord):
        spooled_at(b'{"kind":"labels","spooled_at":"not a time","rows":[]}')
