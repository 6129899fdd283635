"""``vigil audit export`` and ``vigil incidents``, run through their argparse wiring on an
SQLite store made for the test."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alerting.silences import expire, new_silence
from store.audit import AuditEntry, append_audit
from store.db import create_store_engine, upgrade
from store.incidents import IncidentEvent, open_incident
from vigil.incidents_cli import add_incidents_command


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="vigil")
    add_incidents_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Engine]:
    url = f"sqlite:///{tmp_path / 'vigil.db'}"
    config = tmp_path / "vigil.yaml"
    config.write_text(f"storage:\n  url: {url}\n")
    engine = create_store_engine(url)
    upgrade(engine)
    return config, engine


def test_audit_export_writes_json_lines_oldest_first_and_since_filters(
    store: tuple[Path, Engine], t0: datetime, tmp_path: Path
) -> None:
    config, engine = store
    silence = new_silence(
        engine,
        ['model="a"'],
        author="ana",
        comment="retraining",
        starts_at=None,
        ends_at=t0 + timedelta(hours=1),
        created_by="ops",
        now=t0,
    )
    expire(engine, silence.id, "ops", t0 + timedelta(minutes=5))
    append_audit(engine, AuditEntry(t0 + timedelta(minutes=9), "bo", "incident.note", "incident:1"))
    out = tmp_path / "audit.jsonl"
    assert run("audit", "export", "--config", str(config), "--output", str(out)) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["action"], e["actor"], e["target"]) for e in lines] == [
        ("silence.create", "ops", f"silence:{silence.id}"),
        ("silence.expire", "ops", f"silence:{silence.id}"),
        ("incident.note", "bo", "incident:1"),
    ]
    assert lines[0]["reason"] == "retraining"
    since = (t0 + timedelta(minutes=1)).isoformat()
    run("audit", "export", "-c", str(config), "--since", since, "-o", str(out))
    assert [json.loads(x)["action"] for x in out.read_text().splitlines()] == [
        "silence.expire",
        "incident.note",
    ]


def test_incident_commands_change_the_incident_or_exit_1_and_change_nothing(
    store: tuple[Path, Engine], t0: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    config, engine = store
    first = IncidentEvent(t0, "alert_fired", "vigil", "drift", {}, "alert:1:fired")
    incident = open_incident(engine, "g", "drift on a", "a", "warning", t0, first)
    ack = ("incidents", "acknowledge", str(incident.id), "-c", str(config), "--actor", "ana")
    assert run(*ack) == 0
    assert run(*ack) == 1
    assert run("incidents", "note", "999", "-c", str(config), "--actor", "ana", "hi") == 1
    run("incidents", "list", "-c", str(config))
    out = capsys.readouterr()
    assert "is acknowledged" in out.out and "acknowledged\twarning" in out.out
    assert "no incident with id 999" in out.err
