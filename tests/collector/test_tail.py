"""``vigil collect --tail``: every line of a rotated, truncated log is stored exactly once,
across restarts, through a real HTTP server; and the client's retry rules."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import httpx
import pytest
from collector_harness import INGEST_KEY, READ_KEY, ApiFactory, prediction
from sqlalchemy import Engine, select

from collector.errors import CollectorUnreachable, SendRefused
from collector.tail import Tailer
from collector.tail_client import IngestClient
from collector.tail_files import Follower
from collector.tail_state import TailState
from store.schema import predictions
from vigil.collect_cli import add_collect_command
from vigil.http_thread import ServerThread


def _write(path: Path, numbers: range) -> None:
    with path.open("a") as handle:
        for i in numbers:
            handle.write(json.dumps(prediction(i)) + "\n")


def _stored_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(predictions.c.request_id)).scalars())


class _Sidecar:
    """A tailer as ``vigil collect`` builds it; ``restart`` drops it and builds a new one."""

    def __init__(self, log: Path, url: str, key: str = INGEST_KEY) -> None:
        self.log, self.url, self.key = log, url, key
        self.state = TailState(log.with_name("state.json"), log)
        self._build()

    def _build(self) -> None:
        start = self.state.load()
        self.follower = Follower(self.log, start)
        self.client = IngestClient(self.url, self.key, sleep=lambda s: None, max_attempts=3)
        self.tailer = Tailer(self.follower, self.client, self.state, start, batch_lines=40)

    def drain(self) -> None:
        self.tailer.drain(max_steps=1000)

    def restart(self) -> None:
        self.close()
        self._build()

    def close(self) -> None:
        self.client.close()
        self.follower.close()


def test_every_line_is_stored_once_through_rotation_truncation_and_restarts(
    sqlite_engine: Engine, make_api: ApiFactory, tmp_path: Path
) -> None:
    api = make_api(sqlite_engine, "direct")
    log = tmp_path / "predictions.log"
    _write(log, range(0, 100))
    with ServerThread(api.client.app) as server:
        sidecar = _Sidecar(log, server.url)
        try:
            sidecar.drain()
            # Rename + new file, with lines written to the old file after the rename.
            _write(log, range(100, 120))
            with log.open("a") as old:
                os.rename(log, tmp_path / "predictions.log.1")
                old.write("".join(json.dumps(prediction(i)) + "\n" for i in range(120, 130)))
            _write(log, range(130, 180))
            sidecar.drain()
            # A restart in the middle of a rotation: it resumes in the renamed file.
            sidecar.close()
            _write(log, range(180, 200))
            os.replace(log, tmp_path / "predictions.log.1")
            _write(log, range(200, 220))
            sidecar.restart()
            sidecar.drain()
            # copytruncate: the file is emptied in place and written again.
            with log.open("w") as handle:
                handle.write(json.dumps(prediction(220)) + "\n")
            sidecar.drain()
            sidecar.restart()  # a restart with nothing new sends nothing
            sidecar.drain()
        finally:
            sidecar.close()
    assert _stored_ids(sqlite_engine) == sorted(f"r{i}" for i in range(221))
    assert api.metric("vigil_ingested_events_total", kind="predictions") == 221
    assert api.metric("vigil_duplicate_events_total", kind="predictions") == 0


def test_lines_that_are_not_json_objects_are_skipped_and_the_rest_is_stored(
    sqlite_engine: Engine, make_api: ApiFactory, tmp_path: Path
) -> None:
    api = make_api(sqlite_engine, "direct")
    log = tmp_path / "predictions.log"
    log.write_text(
        "\n".join(
            [
                json.dumps(prediction(1)),
                "not json",
                "[1, 2]",
                "",
                json.dumps(prediction(2, model="nope")),  # the collector rejects this row
                json.dumps(prediction(3)),
            ]
        )
        + "\n"
    )
    with ServerThread(api.client.app) as server:
        sidecar = _Sidecar(log, server.url)
        try:
            sidecar.drain()
        finally:
            sidecar.close()
    stats = sidecar.tailer.stats
    assert (stats.accepted, stats.rejected, stats.skipped) == (2, 1, 2)
    assert _stored_ids(sqlite_engine) == ["r1", "r3"]


def test_a_refused_key_stops_the_tailer_without_moving_the_checkpoint(
    sqlite_engine: Engine, make_api: ApiFactory, tmp_path: Path
) -> None:
    api = make_api(sqlite_engine, "direct")
    log = tmp_path / "predictions.log"
    _write(log, range(5))
    with ServerThread(api.client.app) as server:
        sidecar = _Sidecar(log, server.url, key=READ_KEY)
        try:
            with pytest.raises(SendRefused, match="403"):
                sidecar.drain()
        finally:
            sidecar.close()
    assert sidecar.state.load() is None
    assert _stored_ids(sqlite_engine) == []


def _client(handler: httpx.MockTransport, sleeps: list[float], **kwargs: int) -> IngestClient:
    return IngestClient(
        "http://collector", INGEST_KEY, transport=handler, sleep=sleeps.append, **kwargs
    )


def test_a_429_is_retried_after_the_retry_after_it_gives(tmp_path: Path) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "3"}, json={"error": "spool full"}),
            httpx.Response(503, json={"error": "store down"}),
            httpx.Response(200, json={"accepted": 2, "rejected": 0}),
        ]
    )
    sleeps: list[float] = []
    client = _client(httpx.MockTransport(lambda request: next(answers)), sleeps)
    delivery = client.send([b"{}", b"{}"])
    assert (delivery.status, delivery.accepted) == ("acknowledged", 2)
    assert sleeps == [3.0, 1.0]  # Retry-After, then the doubling backoff (0.5 s, 1 s, ...)


def test_an_unreachable_collector_is_given_up_after_max_attempts() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sleeps: list[float] = []
    client = _client(httpx.MockTransport(refuse), sleeps, max_attempts=3)
    with pytest.raises(CollectorUnreachable, match=r"3 attempts \(last: ConnectError"):
        client.send([b"{}"])
    assert sleeps == [0.5, 1.0]


def test_a_batch_refused_as_a_whole_is_split_until_the_bad_line_is_isolated(
    tmp_path: Path,
) -> None:
    sent: list[int] = []

    def collector(request: httpx.Request) -> httpx.Response:
        lines = request.content.split(b"\n")
        if any(b'"poison"' in line for line in lines):
            return httpx.Response(400, json={"error": "body contains an unpaired surrogate"})
        sent.extend(json.loads(line)["n"] for line in lines)
        return httpx.Response(200, json={"accepted": len(lines), "rejected": 0})

    log = tmp_path / "app.log"
    log.write_text(
        "".join(json.dumps({"n": i, "v": "poison" if i == 5 else "ok"}) + "\n" for i in range(8))
    )
    state = TailState(tmp_path / "state.json", log)
    follower = Follower(log, None)
    tailer = Tailer(follower, _client(httpx.MockTransport(collector), []), state, None)
    try:
        stats = tailer.drain(max_steps=10)
    finally:
        follower.close()
    assert sorted(sent) == [0, 1, 2, 3, 4, 6, 7]
    assert (stats.accepted, stats.rejected) == (7, 1)
    saved = state.load()
    assert saved is not None and saved.offset == log.stat().st_size


def test_the_collect_command_sends_the_log_once_and_reports_counts(
    sqlite_engine: Engine,
    make_api: ApiFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser(prog="vigil")
    add_collect_command(parser.add_subparsers())
    api = make_api(sqlite_engine, "direct")
    log = tmp_path / "predictions.log"
    _write(log, range(30))
    monkeypatch.setenv("TEST_VIGIL_KEY", INGEST_KEY)
    with ServerThread(api.client.app) as server:
        argv = ["collect", "--tail", str(log), "--url", server.url, "--key-env", "TEST_VIGIL_KEY"]
        for _ in range(2):  # the second run resumes from the checkpoint: nothing to send
            args = parser.parse_args([*argv, "--once", "--batch-lines", "7"])
            assert args.handler(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{log}: 30 events accepted, 0 rejected, 0 lines skipped, in 5 batches",
        f"{log}: 0 events accepted, 0 rejected, 0 lines skipped, in 0 batches",
    ]
    assert len(_stored_ids(sqlite_engine)) == 30
    assert (tmp_path / "predictions.log.vigil-tail.json").exists()


def test_a_tailer_waiting_for_its_log_saves_no_checkpoint(tmp_path: Path) -> None:
    log = tmp_path / "not-yet.log"
    state = TailState(tmp_path / "state.json", log)
    follower = Follower(log, None)
    tailer = Tailer(
        follower, _client(httpx.MockTransport(lambda r: httpx.Response(500)), []), state, None
    )
    try:
        assert tailer.step() is False
    finally:
        follower.close()
    assert not (tmp_path / "state.json").exists()


def test_a_200_that_is_not_a_vigil_receipt_stops_the_tailer() -> None:
    client = _client(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>")), [])
    with pytest.raises(SendRefused, match="without a Vigil receipt"):
        client.send([b"{}"])
