"""The batch writer in a process of its own: the request path and the store writes stop
sharing one GIL.

In one process, every request thread (parse, validate, spool) and the writer thread
(insert, profile) take turns on one interpreter lock: the writer's bulk inserts and
profiles hold it for tens of milliseconds at a time, which caps what the collector
acknowledges and sets its p99 (``bench/README.md``, "Ingestion"). With
``collector.writer: process`` (``vigil serve``'s default) the collector process keeps the
spool (appends, fsync, 429s) and a child process runs the same
:class:`~collector.writer.BatchProcessor`, exporter and profiler on a
:class:`~collector.spool_tail.SpoolTail` of the same folder.

The two talk over a socket pair (``multiprocessing.connection`` framing), in order:

- collector -> writer: the :class:`WriterPlan`; then ``("end", segment, offset, rows)``
  after appends (the writer reads only fsynced records), ``("flush", timeout)`` and
  ``("stop", timeout)``;
- writer -> collector: ``("committed", segment, offset, records, reports)`` once a batch is
  stored and the checkpoint saved (the collector then deletes drained segments and applies
  the metric ``reports`` to its ``/metrics``), ``("reports", reports)`` every second while
  there are some, ``("stopped", drained, reports)`` at the end.

Nothing acknowledged depends on the writer: records are durable in the spool before the
answer, and the checkpoint only moves after the store has them. If the writer dies, the
collector starts another after ``restart_delay`` seconds, from the checkpoint (the store's
writes are idempotent, so a batch stored but not yet checkpointed is stored once). If the
collector dies, the kernel kills the writer (``PR_SET_PDEATHSIG``), so a restarted
collector never shares its spool with a stale writer.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.metrics import CollectorMetrics
from collector.spool import Spool
from collector.spool_files import Position
from collector.writer import spool_lag_seconds

if TYPE_CHECKING:
    from collector.profiles.config import ProfilesConfig
    from store.specs import ModelSpec

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
#: How often the writer process sends metric reports that no commit carried.
_REPORT_SECONDS = 1.0


@dataclass(frozen=True)
class WriterPlan:
    """Everything the writer process needs, sent to it (pickled) when it starts."""

    store_url: str
    spool_dir: str
    committed: Position
    max_batch_rows: int
    delay: float
    max_backoff: float
    #: Nice increment of the writer process (``collector.writer_nice``).
    nice: int = 0
    #: (models, profiles config) to profile stored predictions with, or None not to.
    profiles: tuple[tuple[ModelSpec, ...], ProfilesConfig] | None = None
    #: Called first in the writer process (``vigil serve`` installs its telemetry there);
    #: what it returns is shut down, if it can be, when the process ends.
    setup: Callable[[], Any] | None = None


class WriterProcess:
    """The collector's side: starts, feeds, restarts and stops the writer process.

    Offers what :class:`~collector.ingestion.SpoolIngestion` uses of a
    :class:`~collector.writer.BatchProcessor` (``start``, ``notify``, ``force_flush``,
    ``shutdown``, ``lag_seconds``).
    """

    def __init__(
        self,
        spool: Spool,
        plan: Callable[[Position], WriterPlan],
        metrics: CollectorMetrics,
        clock: Callable[[], datetime],
        *,
        restart_delay: float = 1.0,
    ) -> None:
        self._spool = spool
        self._plan = plan
        self._metrics = metrics
        self._clock = clock
        self._restart_delay = restart_delay
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._conn: Connection | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._stop_timeout = 0.0
        self.restarts = 0
        # One long-lived thread spawns every writer process: PR_SET_PDEATHSIG fires when
        # the *thread* that started the child ends, not only the process.
        self._supervisor = threading.Thread(
            target=self._supervise, name="vigil-writer-supervisor", daemon=True
        )

    def start(self) -> None:
        """Start the writer process; it first stores what an earlier run left spooled."""
        self._supervisor.start()

    def notify(self, rows: int) -> None:
        """``rows`` more rows were appended: tell the writer how far the spool is synced."""
        end = self._spool.end()
        self._send(("end", end.segment, end.offset, rows))

    def force_flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything spooled before this call is stored; False on timeout."""
        target = self._spool.end()
        deadline = time.monotonic() + timeout
        self._send(("end", target.segment, target.offset, 0))
        self._send(("flush", timeout))
        with self._cond:
            while self._spool.committed() < target:
                left = deadline - time.monotonic()
                if left <= 0 or self._stopping:
                    break
                self._cond.wait(left)
        return self._spool.committed() >= target

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Let the writer drain for at most ``timeout`` seconds, stop it, close the spool;
        True if everything spooled was stored."""
        with self._cond:
            self._stopping = True
            self._stop_timeout = timeout
            self._cond.notify_all()
        self._send(("stop", timeout))
        if self._supervisor.is_alive():
            self._supervisor.join(timeout + 10.0)
        process = self._process
        if process is not None and process.poll() is None:
            log.error("the writer process did not stop; killing it")
            process.kill()
            process.wait(5.0)
        drained = self._spool.committed() >= self._spool.end()
        self._spool.close()
        return drained

    def lag_seconds(self) -> float:
        """Age of the oldest spooled batch not yet stored; 0 when drained."""
        return spool_lag_seconds(self._spool, self._clock)

    def pid(self) -> int | None:
        """The running writer process's id (tests kill it), or None."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._send_lock:
            if self._conn is None:
                return  # between writers: the next one starts from the spool's end
            try:
                self._conn.send(message)
            except OSError:
                self._conn = None  # it died; the supervisor starts another

    def _supervise(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
            try:
                conn, process = self._spawn()
            except OSError as exc:  # no process could be started (or fed its plan)
                code: int | str = f"not started: {exc}"
            else:
                self._receive(conn)
                code = process.wait()
                with self._send_lock:
                    self._conn = None
                conn.close()
            with self._cond:
                self._cond.notify_all()
                if self._stopping:
                    return
                self.restarts += 1
                self._metrics.writer_restarts.inc()
                log.error(
                    "the writer process exited (%s); starting another in %.1f s",
                    code,
                    self._restart_delay,
                )
                self._cond.wait(self._restart_delay)

    def _spawn(self) -> tuple[Connection, subprocess.Popen[bytes]]:
        ours, theirs = socket.socketpair()
        with theirs:
            try:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "collector.writer_process",
                        str(theirs.fileno()),
                        str(os.getpid()),
                    ],
                    pass_fds=(theirs.fileno(),),
                )
            except OSError:
                ours.close()
                raise
        conn = Connection(ours.detach())
        with self._send_lock:
            self._process = process
            self._conn = conn
            end = self._spool.end()
            try:
                conn.send(self._plan(self._spool.committed()))
                conn.send(("end", end.segment, end.offset, 0))
                if self._stopping:  # shutdown() came while this one started
                    conn.send(("stop", self._stop_timeout))
            except OSError:
                self._conn = None  # it died at once: _receive sees the end, another starts
        return conn, process

    def _receive(self, conn: Connection) -> None:
        """Apply the writer's messages until its end of the socket closes."""
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            kind = message[0]
            if kind == "committed":
                _, segment, offset, records, reports = message
                self._spool.release(Position(segment, offset), records)
                self._metrics.replay(reports)
                with self._cond:
                    self._cond.notify_all()
            elif kind in ("reports", "stopped"):
                self._metrics.replay(message[-1])


# The writer process.


def _die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when the collector dies; exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def run_writer(conn: Connection, plan: WriterPlan) -> None:
    """Drain the spool into the store until told to stop or the collector goes away."""
    from collector.exporter import StoreExporter
    from collector.gc_policy import settle_heap
    from collector.metrics import RelayedWriterMetrics
    from collector.profiles.profiler import Profiler
    from collector.spool_tail import SpoolTail
    from collector.writer import BatchProcessor
    from store.db import create_store_engine

    if plan.nice:
        os.nice(plan.nice)
    telemetry = plan.setup() if plan.setup is not None else None
    engine = create_store_engine(plan.store_url)
    reports = RelayedWriterMetrics()
    send_lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with send_lock, contextlib.suppress(OSError):
            conn.send(message)

    def committed(position: Position, records: int) -> None:
        send(("committed", position.segment, position.offset, records, reports.take()))

    tail = SpoolTail(Path(plan.spool_dir), plan.committed, committed)
    profiler = None
    if plan.profiles is not None:
        models, profiles = plan.profiles
        profiler = Profiler(engine, models, profiles, _wall_clock)
    processor = BatchProcessor(
        tail,
        StoreExporter(engine, reports, profiler=profiler),
        reports,
        _wall_clock,
        max_batch_rows=plan.max_batch_rows,
        delay=plan.delay,
        max_backoff=plan.max_backoff,
    )
    settle_heap()  # as the collector does (collector.gc_policy)
    processor.start()
    timeout = 0.0  # if the collector is gone, stop at once: its successor replays the rest
    try:
        while True:
            if not conn.poll(_REPORT_SECONDS):
                pending = reports.take()
                if pending:
                    send(("reports", pending))
                continue
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            kind = message[0]
            if kind == "end":
                _, segment, offset, rows = message
                tail.advance(Position(segment, offset))
                processor.notify(rows)
            elif kind == "flush":
                threading.Thread(
                    target=processor.force_flush, args=(message[1],), daemon=True
                ).start()
            elif kind == "stop":
                timeout = message[1]
                break
    finally:
        drained = processor.shutdown(timeout)
        if profiler is not None:
            profiler.flush()
        send(("stopped", drained, reports.take()))
        engine.dispose()
        if telemetry is not None and hasattr(telemetry, "shutdown"):
            telemetry.shutdown()


def main(argv: list[str]) -> None:
    """``python -m collector.writer_process FD PARENT_PID`` (started by :class:`WriterProcess`)."""
    fd, parent = int(argv[0]), int(argv[1])
    _die_with_parent(parent)
    # Ctrl-C, or a service manager signalling the whole group, reaches the collector too;
    # it drains and stops this process (and if it dies, PR_SET_PDEATHSIG ends this one).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s vigil-writer %(levelname)s %(name)s: %(message)s"
    )
    conn = Connection(fd)
    try:
        plan = conn.recv()
    except (EOFError, OSError):
        return
    run_writer(conn, plan)


if __name__ == "__main__":
    main(sys.argv[1:])
