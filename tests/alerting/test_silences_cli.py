"""``vigil silences add|list|expire`` through ``vigil``'s main, on an SQLite store made for the
test. The commands read the wall clock, so silences made here end in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alerting.silences import expire, new_silence
from store.audit import audit_entries
from store.db import create_store_engine, upgrade
from store.silences import get_silence, list_silences
from vigil.cli import main

#: A time long past, for silences that have already ended when the CLI runs.
PAST = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'vigil.db'}"
    config = tmp_path / "vigil.yaml"
    config.write_text(f"storage:\n  url: {url}\n")
    engine = create_store_engine(url)
    upgrade(engine)
    return str(config), engine


def add(config: str, *extra: str) -> int:
    return main(
        [
            "silences",
            "add",
            "--config",
            config,
            "--author",
            "ana",
            "--comment",
            "retraining",
            *extra,
        ]
    )


def test_add_stores_the_silence_through_the_api_rules_and_prints_its_id(
    store: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    config, engine = store
    code = add(
        config,
        "--matcher",
        'alertname="FeatureDrift"',
        "--matcher",
        "model=~credit-.*",
        "--duration",
        "2h",
    )
    assert code == 0
    silence_id = capsys.readouterr().out.strip()
    record = get_silence(engine, silence_id)
    assert record is not None
    assert record.matchers == ('alertname="FeatureDrift"', 'model=~"credit-.*"')
    assert (record.author, record.comment) == ("ana", "retraining")
    assert record.ends_at - record.starts_at == timedelta(hours=2)
    [entry] = audit_entries(engine, None)
    assert (entry.action, entry.actor) == ("silence.create", "ana")


def test_add_with_ends_at_ends_the_silence_then(store: tuple[str, Engine]) -> None:
    config, engine = store
    assert add(config, "--matcher", 'model="a"', "--ends-at", "2099-01-01T00:00:00Z") == 0
    [record] = list_silences(engine, PAST)
    assert record.ends_at == datetime(2099, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--matcher", 'alertname=="x"', "--duration", "1h"], "matcher", id="a bad matcher"
        ),
        pytest.param(
            ["--matcher", 'model=~".*"', "--duration", "1h"],
            "empty string",
            id="matchers that would silence everything",
        ),
        pytest.param(
            ["--matcher", 'model="a"', "--ends-at", "2020-01-01T00:00:00Z"],
            "in the past",
            id="an end in the past",
        ),
        pytest.param(
            ["--matcher", 'model="a"', "--duration", "two hours"], "duration", id="a bad duration"
        ),
    ],
)
def test_add_refuses_what_the_api_refuses_with_exit_2(
    store: tuple[str, Engine],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    config, engine = store
    assert add(config, *argv) == 2
    assert message in capsys.readouterr().err
    assert list_silences(engine, PAST) == []


def test_an_ends_at_that_is_not_a_time_is_a_usage_error(store: tuple[str, Engine]) -> None:
    config, _ = store
    with pytest.raises(SystemExit) as exit_:
        add(config, "--matcher", 'model="a"', "--ends-at", "tomorrow")
    assert exit_.value.code == 2


def silence(engine: Engine, model: str, ends_at: datetime, *, expired: bool = False) -> str:
    record = new_silence(
        engine,
        [f'model="{model}"'],
        author="bo",
        comment=f"quiet {model}",
        starts_at=None,
        ends_at=ends_at,
        created_by="bo",
        now=PAST,
    )
    if expired:
        expire(engine, record.id, "bo", PAST + timedelta(minutes=1))
    return record.id


def test_list_shows_the_current_silences_and_all_adds_the_expired(
    store: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    config, engine = store
    current = silence(engine, "a", datetime(2099, 1, 1, tzinfo=UTC))
    ended = silence(engine, "b", PAST + timedelta(hours=1), expired=True)
    assert main(["silences", "list", "--config", config]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "STATE", "STARTS", "ENDS", "AUTHOR", "MATCHERS", "COMMENT"]
    assert [row.split()[:2] for row in rows] == [[current, "active"]]
    assert 'model="a"' in rows[0] and "quiet a" in rows[0]
    assert main(["silences", "list", "--config", config, "--all"]) == 0
    _, *rows = capsys.readouterr().out.splitlines()
    assert [row.split()[:2] for row in rows] == [[current, "active"], [ended, "expired"]]


def test_expire_ends_the_silence_now_and_records_who(
    store: tuple[str, Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    config, engine = store
    silence_id = silence(engine, "a", datetime(2099, 1, 1, tzinfo=UTC))
    assert main(["silences", "expire", silence_id, "--config", config, "--author", "cy"]) == 0
    assert capsys.readouterr().out.strip() == f"expired {silence_id}"
    record = get_silence(engine, silence_id)
    assert record is not None and record.expired_by == "cy"
    assert record.ends_at < datetime(2099, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expired", "message"),
    [
        pytest.param(None, "no silence", id="an unknown id"),
        pytest.param(True, "already expired", id="a silence that has already expired"),
    ],
)
def test_expire_refuses_with_exit_2(
    store: tuple[str, Engine],
    capsys: pytest.CaptureFixture[str],
    expired: bool | None,
    message: str,
) -> None:
    config, engine = store
    silence_id = "nope" if expired is None else silence(engine, "a", PAST + timedelta(hours=1))
    if expired:
        expire(engine, silence_id, "bo", PAST + timedelta(minutes=1))
    before = len(list(audit_entries(engine, None)))
    assert main(["silences", "expire", silence_id, "--config", config, "--author", "cy"]) == 2
    assert message in capsys.readouterr().err
    assert len(list(audit_entries(engine, None))) == before
