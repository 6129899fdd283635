"""A PostgreSQL outage mid-load loses nothing: the spool takes the load and drains afterwards.

The test starts a throwaway PostgreSQL server of its own (``initdb`` and ``pg_ctl`` in a temp
folder, on a free port), runs ``vigil serve`` against it in a subprocess (spool on), and
sends batches with unique request ids from two threads. Mid-load it stops the server with
``pg_ctl stop -m immediate`` (a crash: no checkpoint, connections cut): ingestion must go
on answering 200 into the spool while ``/readyz`` says the store is down and the spool is
writable. Then it starts the server again: the writer drains the spool and every
acknowledged request id is in the database exactly once. Bounded: a few seconds of load,
each wait has a deadline, well under a minute in all.

Without PostgreSQL's server binaries the test skips, except under ``CI=true``, where it
must run (as the shared PostgreSQL fixture does).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from collector_harness import auth, prediction
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
BATCH = 25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` that has initdb, or one on the PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


class Postgres:
    """A PostgreSQL server in a temp folder. As root, it runs as the ``postgres`` user
    (initdb refuses root)."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"{tool} failed: {done.stdout}{done.stderr}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=40"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options,
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def crash(self) -> None:
        """``pg_ctl stop -m immediate``: no shutdown checkpoint, clients cut off."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    bin_dir = postgres_bin()
    message = None
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql"
    elif os.geteuid() == 0 and not (_has_user("postgres") and shutil.which("runuser")):
        message = "running as root, and no 'postgres' user or runuser to run initdb as"
    if message is not None:
        if IN_CI:
            pytest.fail(message + " (CI=true: the outage test must run)")
        pytest.skip(message)
    assert bin_dir is not None
    # Not under pytest's tmp_path: its parents are private to root, and the server runs
    # as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="vigil-pg-outage-"))
    server = Postgres(bin_dir, folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


class Serve:
    """``vigil serve`` in a subprocess on the throwaway server; killed at teardown."""

    def __init__(self, folder: Path, db_url: str) -> None:
        self.port = free_port()
        config = folder / "vigil.yaml"
        config.write_text(
            f"""
storage: {{url: "{db_url}"}}
collector:
  port: {self.port}
  spool_dir: spool
  writer_delay_seconds: 0.05
  writer_retry_max_seconds: 0.5
  api_keys:
    - {{name: svc, key: ingest-key-0123456789, scopes: [ingest]}}
models:
  - name: credit
    features: [{{name: income, type: numeric}}]
"""
        )
        self.log = folder / "serve.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vigil", "serve", "--config", str(config)],
            cwd=ROOT,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            assert time.monotonic() < deadline, "vigil serve was not ready within 30 s"
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def serve_on() -> Iterator[list[Serve]]:
    started: list[Serve] = []
    try:
        yield started
    finally:
        for serve in started:
            serve.kill()


class Load:
    """Two threads sending batches of unique ids; what was acknowledged, and every answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.acked: list[str] = []
        self.statuses: dict[int | str, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._send, args=(w,)) for w in range(2)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)

    def _send(self, worker: int) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            number = 0
            while not self._stop.is_set():
                ids = [f"w{worker}-b{number}-{i}" for i in range(BATCH)]
                events = [prediction(0) | {"request_id": rid} for rid in ids]
                try:
                    status: int | str = client.post(
                        "/v1/predictions", json=events, headers=auth()
                    ).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with self._lock:
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                    if status == 200:
                        self.acked.extend(ids)
                number += 1
                time.sleep(0.005)

    def count(self) -> int:
        with self._lock:
            return len(self.acked)


def stored_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("select request_id from predictions"))]


def metric(url: str, name: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric {name}")


@pytest.mark.slow
def test_a_postgresql_outage_mid_load_loses_no_acknowledged_event(
    postgres: Postgres, serve_on: list[Serve], tmp_path: Path
) -> None:
    started = time.monotonic()
    serve = Serve(tmp_path, postgres.url)
    serve_on.append(serve)
    engine = create_engine(postgres.url, pool_pre_ping=True)
    try:
        with Load(serve.url) as load:
            deadline = time.monotonic() + 10
            while load.count() < 2000 and time.monotonic() < deadline:
                time.sleep(0.05)
            stored_before = len(stored_ids(engine))
            engine.dispose()
            postgres.crash()
            crashed_at = load.count()
            outage_started = time.monotonic()

            # The store is down: ingestion goes on into the spool, /readyz says why.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (
                load.count() < crashed_at + 1500 or time.monotonic() - outage_started < 2
            ):
                time.sleep(0.05)
            ready = httpx.get(f"{serve.url}/readyz", timeout=10)
            assert ready.status_code == 503
            assert ready.json()["store"] != "ok"
            assert ready.json()["collector"]["spool_writable"] is True
            assert metric(serve.url, "vigil_spool_records") > 0
            acked_in_outage = load.count() - crashed_at
            outage_seconds = time.monotonic() - outage_started

            postgres.start()
            time.sleep(0.5)  # some load after the restart too
        assert acked_in_outage >= 1000, f"only {acked_in_outage} events acknowledged in the outage"
        assert set(load.statuses) == {200}, f"answers besides 200: {load.statuses}"

        acknowledged = set(load.acked)
        assert len(acknowledged) == len(load.acked)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ids = stored_ids(engine)
            if acknowledged <= set(ids):
                break
            time.sleep(0.2)
        ids = stored_ids(engine)
        missing = acknowledged - set(ids)
        assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
        assert len(ids) == len(set(ids)), "an event was stored twice"
        assert len(ids) == len(acknowledged)  # nothing unacknowledged sneaked in either
        assert httpx.get(f"{serve.url}/readyz", timeout=10).status_code == 200
        drained_by = time.monotonic() + 10
        while metric(serve.url, "vigil_spool_records") > 0 and time.monotonic() < drained_by:
            time.sleep(0.1)
        assert metric(serve.url, "vigil_spool_records") == 0
    finally:
        engine.dispose()
    elapsed = time.monotonic() - started
    assert elapsed < 60
    print(
        f"PostgreSQL outage: {len(load.acked)} events acknowledged ({stored_before} stored "
        f"before the crash, {acked_in_outage} during {outage_seconds:.1f} s of outage), all "
        f"stored exactly once after the restart; test took {elapsed:.1f} s"
    )
