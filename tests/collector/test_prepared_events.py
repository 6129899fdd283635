"""The API's prediction path (events straight to prepared rows) gives exactly what the
dict path gives: validate, redact, then ``prepare_predictions``; the same errors too.

Hypothesis mixes plain events, every kind of damage (the strategies of
``test_ingest_validation``), rarer fields, PII models and UTC times in every text form the
time slicing of the fast path has to get right or leave alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from test_ingest_validation import LIMITS, MODELS, NOW, overrides, plain, same

from collector.prepared_events import prepared_predictions
from collector.redaction import PREFIX, Redactor
from collector.validation import validate_predictions
from collector.validation_fast import _time_text
from store.dml import sqlite_time
from store.predictions import FEATURES, prepare_predictions
from store.specs import FeatureSpec, ModelSpec

PII = ModelSpec(
    name="patients",
    features=(
        FeatureSpec(name="a", type="numeric"),
        FeatureSpec(name="zip", type="numeric", pii="hash"),
        FeatureSpec(name="dob", type="numeric", pii="drop"),
    ),
)
ALL_MODELS = {**MODELS, PII.name: PII}
REDACTOR = Redactor(list(ALL_MODELS.values()), SecretStr("k" * 32))


def by_dict_path(events: list[Any]) -> tuple[list[tuple[Any, ...]], list[Any]]:
    rows, errors = validate_predictions(events, ALL_MODELS, NOW, LIMITS)
    return prepare_predictions(REDACTOR.redact(rows)), errors


def assert_same_rows(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert type(g) is tuple and len(g) == len(w)
        assert all(same(a, b) for a, b in zip(g, w, strict=True)), (g, w)


instants = st.datetimes(
    min_value=datetime(1, 1, 1, 0, 0), max_value=datetime(9999, 12, 30, 0, 0)
).map(lambda d: d.replace(tzinfo=UTC))


@st.composite
def utc_texts(draw: st.DrawFn) -> str:
    """A UTC instant written the ways producers write one (and a few near misses)."""
    instant = draw(instants)
    naive = instant.replace(tzinfo=None)
    forms = [
        instant.isoformat(),  # +00:00, microseconds only when there are any
        instant.isoformat(timespec="microseconds"),
        naive.isoformat(timespec="milliseconds") + "Z",  # JavaScript's toISOString
        naive.isoformat(timespec="microseconds") + "Z",
        naive.isoformat(timespec="seconds") + "Z",
        naive.isoformat(sep=" ", timespec="milliseconds") + "Z",
        naive.isoformat(timespec="milliseconds").replace(".", ",") + "Z",
        naive.isoformat(timespec="milliseconds") + "+00:00",
        instant.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ"),
        naive.isoformat(timespec="milliseconds"),  # no offset: the slow path's UTC
        "2026-03-02T24:00:00.000Z",
        "2026-W10-1T08:00:00.123Z",  # a week date as long as a calendar date
        "2026-061T08:00:00.123456Z",  # an ordinal date
        "2026-03-02T08:00:00.123456+00:00",
        "2026-03-02T08:00:00.123-00:00",
    ]
    return draw(st.sampled_from(forms))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(overrides, min_size=1, max_size=6))
def test_any_event_gives_the_dict_paths_prepared_row_or_error(changes: list[dict]) -> None:
    events = [plain(i, **change) for i, change in enumerate(changes)]
    want_rows, want_errors = by_dict_path(events)
    rows, errors = prepared_predictions(events, ALL_MODELS, NOW, LIMITS, REDACTOR)
    assert errors == want_errors
    assert_same_rows(rows, want_rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(utc_texts(), min_size=1, max_size=8))
def test_times_in_every_text_form_become_the_stores_text(stamps: list[str]) -> None:
    events = [plain(i, timestamp=stamp) for i, stamp in enumerate(stamps)]
    want_rows, want_errors = by_dict_path(events)
    rows, errors = prepared_predictions(events, ALL_MODELS, NOW, LIMITS, REDACTOR)
    assert errors == want_errors
    assert_same_rows(rows, want_rows)


@given(instants)
def test_the_sliced_time_text_is_sqlite_time(instant: datetime) -> None:
    naive = instant.replace(tzinfo=None)
    for stamp in (
        naive.isoformat(timespec="milliseconds") + "Z",
        naive.isoformat(timespec="microseconds") + "Z",
        instant.isoformat(timespec="microseconds"),
    ):
        parsed = datetime.fromisoformat(stamp)
        assert _time_text(stamp, parsed) == sqlite_time(parsed)


def test_pii_features_are_hashed_or_dropped_before_the_row_is_prepared() -> None:
    event = plain(0, model="patients", features={"a": 1.0, "zip": 94110.0, "dob": 19800101.0})
    rows, errors = prepared_predictions([event], ALL_MODELS, NOW, LIMITS, REDACTOR)
    assert errors == []
    features = rows[0][FEATURES]
    assert "94110" not in features and "19800101" not in features and "dob" not in features
    assert PREFIX in features


def test_rarer_fields_and_a_plain_event_in_one_batch() -> None:
    events = [
        plain(0),
        plain(1, trace_id="4bf92f3577b34da6a3ce929d0e0e4736", segment={"region": "eu"}),
        plain(2, variant="b", experiment="exp-1", error="timeout", prediction="approve"),
        plain(3, timestamp=(NOW - timedelta(minutes=1)).isoformat()),
    ]
    want_rows, _ = by_dict_path(events)
    rows, errors = prepared_predictions(events, ALL_MODELS, NOW, LIMITS, REDACTOR)
    assert errors == []
    assert_same_rows(rows, want_rows)
    assert rows[1][-1] == "4bf92f3577b34da6a3ce929d0e0e4736" and rows[1][-2] == '{"region":"eu"}'
