"""Kill -9 mid-load: every acknowledged event is stored exactly once after a restart,
and profiled exactly once.

A collector runs in a subprocess (spool on, SQLite store). Two client threads send
batches with unique request ids and remember which batches were answered 200. The test
SIGKILLs the collector while they send, restarts it on the same spool and database, lets
the writer replay and drain, and compares. Bounded: at most ~8000 acknowledged events,
each wait has a deadline, the whole test takes a few seconds.
"""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from collector_harness import auth, prediction, process_alive
from sqlalchemy import Engine
from sqlalchemy import select as sql_select
from sqlalchemy.exc import SQLAlchemyError

from store.db import create_store_engine
from store.profiles import window_profiles
from store.schema import predictions

SERVER = Path(__file__).with_name("spool_server.py")
ROOT = Path(__file__).resolve().parents[2]
TARGET_ACKED = 8000
BATCH = 25


def first_stored(db_url: str) -> bool:
    """Whether the store holds a prediction yet (False while its tables do not exist)."""
    engine = create_store_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sql_select(predictions.c.id).limit(1)).first() is not None
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


class Collector:
    """The subprocess, with what it printed at start.

    Registered in ``running`` before anything can fail, so the fixture always kills it.
    Its stdout is read unbuffered: a buffered reader could swallow the second line where
    ``select`` no longer sees it.
    """

    def __init__(
        self,
        db_url: str,
        spool_dir: Path,
        writer_delay: float,
        running: list[Collector],
        writer: str = "thread",
    ) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), db_url, str(spool_dir), str(writer_delay), writer],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        running.append(self)
        self.pending = int(self._expect("PENDING"))
        self.url = f"http://127.0.0.1:{self._expect('PORT')}"

    def _expect(self, word: str, timeout: float = 20.0) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.process.stdout], [], [], max(left, 0))
            assert ready, f"the collector did not print {word} within {timeout} s"
            byte = self.process.stdout.read(1)
            assert byte, f"the collector exited before printing {word}"
            line += byte
        parts = line.decode().split()
        assert parts and parts[0] == word, f"expected {word}, got {parts}"
        return parts[1]

    def children(self) -> list[int]:
        """Processes whose parent is the collector (its writer process, if it has one)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def send_until_stopped(url: str, worker: int, acked: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=5) as client:
        batch_number = 0
        while not stop.is_set():
            ids = [f"w{worker}-b{batch_number}-{i}" for i in range(BATCH)]
            events = [prediction(0) | {"request_id": rid} for rid in ids]
            try:
                response = client.post("/v1/predictions", json=events, headers=auth())
            except httpx.HTTPError:
                return  # the collector is gone; this batch was never acknowledged
            if response.status_code == 200:
                acked.extend(ids)
            batch_number += 1


def stored_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(sql_select(predictions.c.request_id))]


@pytest.fixture
def collectors() -> Iterator[list[Collector]]:
    started: list[Collector] = []
    try:
        yield started
    finally:
        for collector in started:
            if collector.process.poll() is None:
                collector.kill()


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["thread", "process"])
def test_every_acknowledged_event_survives_kill_9_and_is_stored_exactly_once(
    tmp_path: Path, collectors: list[Collector], writer: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'vigil.db'}"
    spool_dir = tmp_path / "spool"
    # A writer that drains every 0.25 s: the kill finds some batches stored, some spooled.
    first = Collector(db_url, spool_dir, writer_delay=0.25, running=collectors, writer=writer)
    acked: list[str] = []
    stop = threading.Event()
    senders = [
        threading.Thread(target=send_until_stopped, args=(first.url, w, acked, stop))
        for w in range(2)
    ]
    started = time.monotonic()
    for sender in senders:
        sender.start()
    deadline = started + 15
    while len(acked) < TARGET_ACKED and time.monotonic() < deadline:
        time.sleep(0.01)
    # A writer process starts slower than the load (it imports the profiler's sketches):
    # wait for its first stored batch, so the kill finds some batches stored.
    while not first_stored(db_url) and time.monotonic() < deadline:
        time.sleep(0.05)
    writers = first.children()
    assert len(writers) == (1 if writer == "process" else 0)
    first.kill()
    load_seconds = time.monotonic() - started
    # The kernel kills a writer process with its collector (PR_SET_PDEATHSIG): a restarted
    # collector never shares its spool with a stale writer.
    gone_by = time.monotonic() + 10
    while any(process_alive(pid) for pid in writers) and time.monotonic() < gone_by:
        time.sleep(0.05)
    assert not any(process_alive(pid) for pid in writers), (
        "the writer process outlived its collector"
    )
    stop.set()
    for sender in senders:
        sender.join(timeout=10)
    acknowledged = set(acked)
    assert len(acknowledged) == len(acked) >= BATCH
    engine = create_store_engine(db_url)
    stored_at_kill = len(stored_ids(engine))
    assert 0 < stored_at_kill < len(acked), "the kill should land mid-load"

    second = Collector(db_url, spool_dir, writer_delay=0.05, running=collectors, writer=writer)
    assert second.pending > 0, "the kill should leave acknowledged batches in the spool"
    try:
        drained_by = time.monotonic() + 15
        while time.monotonic() < drained_by:
            ids = stored_ids(engine)
            if acknowledged <= set(ids):
                break
            time.sleep(0.1)
        ids = stored_ids(engine)
        # Profiles commit with their rows: the batches the restart stored again (stored
        # before the kill, not yet checkpointed) are not counted twice.
        minute = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        profiled = window_profiles(engine, "credit", minute, minute + timedelta(minutes=1))
    finally:
        engine.dispose()

    missing = acknowledged - set(ids)
    assert not missing, f"{len(missing)} acknowledged events were lost, e.g. {sorted(missing)[:3]}"
    assert len(ids) == len(set(ids)), "an event was stored twice"
    assert profiled["income"].count == len(ids), "profiles must count each stored event once"
    print(
        f"kill -9: {len(acked)} events acknowledged in {load_seconds:.2f} s "
        f"({len(acked) / load_seconds:.0f} events/s); {stored_at_kill} stored at the kill, "
        f"{second.pending} spool records replayed, {len(ids)} stored after the restart"
    )
