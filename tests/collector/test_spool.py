"""The spool on its own: framing, rotation, checkpoints, torn tails and replay after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.errors import SpoolUnavailable
from collector.spool import Spool
from collector.spool_files import Position, list_segments, segment_path


def payloads(spool: Spool, start: Position | None = None) -> list[bytes]:
    return [r.payload for r in spool.scan(start or spool.committed()) if r.payload is not None]


def test_records_come_back_in_order_with_the_position_after_each(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    ends = [spool.append(f"record {i}".encode()) for i in range(3)]
    records = [r for r in spool.scan(spool.committed()) if r.payload is not None]
    assert [r.payload for r in records] == [b"record 0", b"record 1", b"record 2"]
    assert [r.end for r in records] == ends
    assert spool.end() == ends[-1]
    assert spool.depth_records() == 3
    assert spool.depth_bytes() == ends[-1].offset


def test_segments_rotate_by_size_and_drained_ones_are_deleted(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=100)
    for i in range(10):
        spool.append(b"x" * 40 + str(i).encode())
    assert len(list_segments(tmp_path)) == 5
    records = list(spool.scan(spool.committed()))
    sixth = [r for r in records if r.payload is not None][5]
    spool.commit(sixth.end, records=6)
    assert len(list_segments(tmp_path)) == 3
    assert spool.depth_records() == 4
    assert payloads(spool) == [b"x" * 40 + str(i).encode() for i in range(6, 10)]


def test_a_restart_replays_exactly_what_was_not_committed(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    first = spool.append(b"stored")
    spool.append(b"not yet stored")
    spool.commit(first, records=1)
    spool.close()

    reopened = Spool(tmp_path, segment_bytes=1 << 20)
    assert payloads(reopened) == [b"not yet stored"]
    assert reopened.depth_records() == 1
    reopened.append(b"after the restart")
    assert payloads(reopened) == [b"not yet stored", b"after the restart"]


def test_a_torn_tail_left_by_a_crash_is_skipped_and_later_records_are_read(
    tmp_path: Path,
) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.append(b"acknowledged")
    spool.close()
    segment = segment_path(tmp_path, list_segments(tmp_path)[-1])
    with segment.open("ab") as handle:  # half a record: the process died inside write()
        handle.write(b"\x00\x00\x01\x00\xde\xad")

    reopened = Spool(tmp_path, segment_bytes=1 << 20)
    reopened.append(b"next")
    assert payloads(reopened) == [b"acknowledged", b"next"]
    assert reopened.depth_records() == 2


def test_a_flipped_bit_fails_the_crc_and_ends_that_segment(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.append(b"good")
    spool.append(b"damaged")
    spool.close()
    segment = segment_path(tmp_path, list_segments(tmp_path)[-1])
    data = bytearray(segment.read_bytes())
    data[-1] ^= 0x01
    segment.write_bytes(bytes(data))
    assert payloads(Spool(tmp_path, segment_bytes=1 << 20)) == [b"good"]


def test_a_lost_checkpoint_replays_from_the_oldest_segment(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.commit(spool.append(b"one"), records=1)
    spool.append(b"two")
    spool.close()
    (tmp_path / "checkpoint.json").write_text("{garbage")
    assert payloads(Spool(tmp_path, segment_bytes=1 << 20)) == [b"one", b"two"]


def test_committing_past_a_drained_restart_removes_the_old_segment(tmp_path: Path) -> None:
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.commit(spool.append(b"one"), records=1)
    spool.close()
    reopened = Spool(tmp_path, segment_bytes=1 << 20)
    steps = list(reopened.scan(reopened.committed()))
    assert [s.payload for s in steps] == [None]
    reopened.commit(steps[-1].end, records=0)
    assert len(list_segments(tmp_path)) == 1
    assert reopened.depth_bytes() == 0


def test_a_spool_folder_that_cannot_be_created_is_spool_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SpoolUnavailable, match="cannot open the spool"):
        Spool(blocker / "spool", segment_bytes=1 << 20)


def test_the_writability_probe_fails_once_the_folder_is_gone(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool", segment_bytes=1 << 20)
    assert spool.writable()
    for path in (tmp_path / "spool").iterdir():
        path.unlink()
    (tmp_path / "spool").rmdir()
    assert not spool.writable()


def test_a_second_collector_cannot_open_a_spool_in_use(tmp_path: Path) -> None:
    first = Spool(tmp_path, segment_bytes=1 << 20)
    with pytest.raises(SpoolUnavailable, match="in use by another collector"):
        Spool(tmp_path, segment_bytes=1 << 20)
    first.close()
    Spool(tmp_path, segment_bytes=1 << 20).close()
