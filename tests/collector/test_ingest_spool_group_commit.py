"""Group commit in the spool: one fsync covers concurrent appends, and none returns early.

``os.fsync`` is replaced in :mod:`collector.spool` by a slower, observable one (it can be
held, and it records how many bytes the file had when it started), so the tests can see
when each record became durable relative to when its ``append`` returned.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from collector import spool as spool_module
from collector.errors import SpoolUnavailable
from collector.spool import Spool
from collector.spool_files import Position

REAL_FSYNC = os.fsync


class SlowFsync:
    """Stands in for ``os.fsync``: waits, may be held or made to fail, logs what it covered.

    (``os`` is one module, so the folder fsyncs of :mod:`collector.spool_files` come here
    too; they are counted like the others.)
    """

    def __init__(self, pause: float = 0.02) -> None:
        self.pause = pause
        self.calls = 0
        self.covered: list[int] = []  # file size at the start of each successful fsync
        self.gate = threading.Event()
        self.gate.set()
        self.fail_next = 0
        self._lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        size = os.fstat(fd).st_size
        self.gate.wait(10)
        time.sleep(self.pause)
        with self._lock:
            self.calls += 1
            if self.fail_next:
                self.fail_next -= 1
                raise OSError(errno.EIO, "Input/output error")
            self.covered.append(size)
        REAL_FSYNC(fd)


@pytest.fixture
def fsync(monkeypatch: pytest.MonkeyPatch) -> SlowFsync:
    slow = SlowFsync()
    monkeypatch.setattr(spool_module.os, "fsync", slow)
    return slow


def payloads(spool: Spool) -> list[bytes]:
    return [r.payload for r in spool.scan(spool.committed()) if r.payload is not None]


def append_concurrently(spool: Spool, threads: int, each: int) -> dict[bytes, Position]:
    ends: dict[bytes, Position] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        start.wait()
        for n in range(each):
            payload = f"w{worker}-{n}".encode()
            try:
                ends[payload] = spool.append(payload)
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(30)
    assert not failures, failures[:1]
    return ends


def test_concurrent_appends_share_fsyncs_and_each_is_read_once(
    tmp_path: Path, fsync: SlowFsync
) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    ends = append_concurrently(spool, threads=8, each=10)
    assert len(ends) == 80
    assert fsync.calls < 80 / 2, f"{fsync.calls} fsyncs for 80 appends: no group commit"
    records = [r for r in spool.scan(spool.committed()) if r.payload is not None]
    assert sorted(r.payload for r in records) == sorted(ends)
    assert {r.payload: r.end for r in records} == ends
    assert spool.depth_records() == 80
    assert spool.end() == max(ends.values())


def test_an_append_returns_only_after_an_fsync_that_covers_its_record(
    tmp_path: Path, fsync: SlowFsync
) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    late: list[tuple[int, int]] = []

    def work(worker: int) -> None:
        for n in range(10):
            end = spool.append(f"w{worker}-{n}".encode() * 50)
            durable = max(fsync.covered, default=0)
            if durable < end.offset:
                late.append((end.offset, durable))

    pool = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(30)
    assert late == []


def test_readers_do_not_see_a_record_before_its_fsync_completes(
    tmp_path: Path, fsync: SlowFsync
) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.append(b"durable")
    fsync.gate.clear()
    writer = threading.Thread(target=spool.append, args=(b"in flight",))
    writer.start()
    deadline = time.monotonic() + 5
    while (
        os.path.getsize(next(tmp_path.glob("*.seg"))) < 2 * 8 + 16 and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    assert payloads(spool) == [b"durable"]
    assert spool.depth_records() == 1
    fsync.gate.set()
    writer.join(10)
    assert payloads(spool) == [b"durable", b"in flight"]


def test_a_failed_fsync_fails_its_group_cuts_it_off_and_later_appends_work(
    tmp_path: Path, fsync: SlowFsync
) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.append(b"before")
    fsync.fail_next = 1
    with pytest.raises(SpoolUnavailable, match="Input/output error"):
        spool.append(b"lost")
    assert payloads(spool) == [b"before"]
    spool.append(b"after")
    assert payloads(spool) == [b"before", b"after"]
    spool.close()
    assert payloads(Spool(tmp_path, segment_bytes=1 << 20)) == [b"before", b"after"]


def test_rotation_under_concurrent_appends_loses_nothing(tmp_path: Path, fsync: SlowFsync) -> None:
    fsync.pause = 0.005
    spool = Spool(tmp_path, segment_bytes=400)
    ends = append_concurrently(spool, threads=6, each=15)
    assert sorted(payloads(spool)) == sorted(ends)
    spool.close()
    assert sorted(payloads(Spool(tmp_path, segment_bytes=400))) == sorted(ends)
