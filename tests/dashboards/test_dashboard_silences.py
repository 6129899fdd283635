"""The Silences page, run by Streamlit's AppTest, and its pure view functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from alerting.silences import new_silence
from collector.config import hash_key
from dashboards.launch import APP_PATH, DATABASE_URL_ENV, OPERATOR_KEYS_ENV
from dashboards.silence_view import (
    check_operator,
    matcher_lines,
    operator_keys,
    prefill,
    silence_rows,
)
from store.audit import audit_entries
from store.db import create_store_engine
from store.silences import list_silences

OPERATE_KEY = "operate-key-0123456789"
READ_KEY = "read-only-key-0123456789"
KEYS = json.dumps(
    [
        {"name": "oncall", "sha256": hash_key(OPERATE_KEY), "scopes": ["operate"]},
        {"name": "viewer", "sha256": hash_key(READ_KEY), "scopes": ["read"]},
    ]
)
DRIFT = 'alertname="FeatureDrift"'
CREDIT = 'model="credit-risk"'


def _seed_silence(url: str, now: datetime, *, starts_in: timedelta = timedelta(0)) -> str:
    engine = create_store_engine(url)
    record = new_silence(
        engine,
        [DRIFT],
        author="ana",
        comment="retraining",
        starts_at=now + starts_in if starts_in else None,
        ends_at=now + starts_in + timedelta(hours=2),
        created_by="cli",
        now=now,
    )
    engine.dispose()
    return record.id


def _open(
    monkeypatch: pytest.MonkeyPatch, url: str, *, query: dict[str, list[str]] | None = None
) -> AppTest:
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    monkeypatch.setenv(OPERATOR_KEYS_ENV, KEYS)
    app = AppTest.from_file(str(APP_PATH), default_timeout=30)
    for name, values in (query or {}).items():
        app.query_params[name] = values
    app.run()
    app.switch_page("ui/silences.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _enter_key(app: AppTest, key: str) -> AppTest:
    app.text_input(key="operator_key").input(key).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_everyone_sees_active_and_pending_silences_but_may_not_change_them(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    now = datetime.now(UTC)
    _seed_silence(empty_url, now)
    _seed_silence(empty_url, now, starts_in=timedelta(hours=1))
    app = _open(monkeypatch, empty_url)
    table = app.dataframe[0].value
    assert list(table["state"]) == ["active", "pending"]
    assert list(table["matchers"]) == [DRIFT, DRIFT]
    assert all(b.disabled for b in app.button)
    assert "operate scope" in app.info[0].value


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param("not-a-key-at-all-000", "This key is not valid.", id="an unknown key"),
        pytest.param(READ_KEY, "it lacks the operate scope", id="a read-only key"),
    ],
)
def test_a_key_that_may_not_operate_leaves_the_form_disabled_and_says_why(
    monkeypatch: pytest.MonkeyPatch, empty_url: str, key: str, message: str
) -> None:
    _seed_silence(empty_url, datetime.now(UTC))
    app = _enter_key(_open(monkeypatch, empty_url), key)
    assert message in app.info[0].value
    assert all(b.disabled for b in app.button)
    assert app.text_area[0].disabled


def test_an_operator_creates_a_silence_recorded_in_the_store_and_the_audit_log(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    app = _enter_key(_open(monkeypatch, empty_url), OPERATE_KEY)
    assert app.success[0].value == "Acting as oncall."
    app.text_area[0].input(f"{DRIFT}\n\n{CREDIT}\n")
    app.text_input[1].input("ana")
    app.text_input[2].input("retraining credit-risk")
    app.button[0].click().run()
    assert not app.exception, [e.message for e in app.exception]
    engine = create_store_engine(empty_url)
    [record] = list_silences(engine, datetime.now(UTC), "active")
    [entry] = list(audit_entries(engine))
    engine.dispose()
    assert record.matchers == (DRIFT, CREDIT)
    assert record.created_by == "oncall"
    assert (entry.actor, entry.action, entry.target) == (
        "oncall",
        "silence.create",
        f"silence:{record.id}",
    )
    assert f"Silence {record.id} created." in [s.value for s in app.success]


def test_an_invalid_silence_is_refused_with_the_api_s_reason(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    app = _enter_key(_open(monkeypatch, empty_url), OPERATE_KEY)
    app.text_area[0].input(DRIFT)
    app.button[0].click().run()
    assert app.error[0].value == "Not created: a silence needs an author and a comment"


def test_an_operator_expires_a_silence_and_the_audit_log_says_who(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    silence_id = _seed_silence(empty_url, datetime.now(UTC))
    app = _enter_key(_open(monkeypatch, empty_url), OPERATE_KEY)
    app.button(key=f"expire-{silence_id}").click().run()
    assert not app.exception, [e.message for e in app.exception]
    engine = create_store_engine(empty_url)
    remaining = list_silences(engine, datetime.now(UTC), "active")
    actions = [(e.actor, e.action) for e in audit_entries(engine)]
    engine.dispose()
    assert remaining == []
    assert actions == [("cli", "silence.create"), ("oncall", "silence.expire")]
    assert "No active or pending silences." in [i.value for i in app.info]


def test_matchers_are_prefilled_from_the_link_s_query_parameters(
    monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    app = _open(monkeypatch, empty_url, query={"matchers": [DRIFT, CREDIT]})
    assert app.text_area[0].value == f"{DRIFT}\n{CREDIT}"


T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_rows_drop_expired_silences_and_list_active_ones_first(empty_url: str) -> None:
    engine = create_store_engine(empty_url)
    for start, end in (
        (T0 + timedelta(hours=1), T0 + timedelta(hours=3)),
        (None, T0 + timedelta(hours=5)),
    ):
        new_silence(
            engine,
            [DRIFT],
            author="a",
            comment="c",
            starts_at=start,
            ends_at=end,
            created_by="cli",
            now=T0,
        )
    records = list_silences(engine, T0)
    engine.dispose()
    assert [r.state for r in silence_rows(records, T0)] == ["active", "pending"]
    assert silence_rows(records, T0 + timedelta(hours=6)) == []


@pytest.mark.parametrize(
    ("typed", "who", "message"),
    [
        pytest.param("", None, "Enter an API key", id="no key asks for one"),
        pytest.param(OPERATE_KEY, "oncall", "Acting as oncall.", id="an operate key acts by name"),
        pytest.param(READ_KEY, None, "lacks the operate scope", id="a read key is refused"),
    ],
)
def test_check_operator(typed: str, who: str | None, message: str) -> None:
    check = check_operator(operator_keys(KEYS), typed)
    assert (check.principal.name if check.principal else None) == who
    assert message in check.message


def test_matchers_text_is_split_by_line_and_prefilled_from_query_values() -> None:
    assert matcher_lines(f" {DRIFT}\n\n{CREDIT} \n") == [DRIFT, CREDIT]
    assert prefill([DRIFT, " ", CREDIT]) == f"{DRIFT}\n{CREDIT}"
    assert operator_keys(None) == []
