"""Following a log file: whole lines only, through rotation, truncation and restarts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collector.errors import TailError
from collector.tail_files import Follower
from collector.tail_state import TailState


def _append(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)


def _read_all(follower: Follower, max_lines: int = 100) -> list[bytes]:
    """Every line available now (bounded: at most 50 reads)."""
    lines: list[bytes] = []
    for _ in range(50):
        chunk = follower.read(max_lines)
        lines += chunk.lines
        if not chunk.lines and chunk.position == follower.position():
            again = follower.read(max_lines)
            lines += again.lines
            if not again.lines:
                return lines
    raise AssertionError("the follower kept producing lines")


def test_a_line_is_read_only_once_its_newline_is_written(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "one\ntw")
    follower = Follower(log, None)
    assert _read_all(follower) == [b"one"]
    _append(log, "o\n")
    assert _read_all(follower) == [b"two"]


def test_a_chunk_holds_at_most_max_lines_and_the_position_after_them(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "a\nbb\nccc\n")
    follower = Follower(log, None)
    chunk = follower.read(2)
    assert (chunk.lines, chunk.position.offset) == ([b"a", b"bb"], 5)
    assert follower.read(2).lines == [b"ccc"]


def test_after_rename_the_old_file_is_finished_before_the_new_one_is_followed(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    _append(log, "1\n")
    follower = Follower(log, None)
    assert _read_all(follower) == [b"1"]
    with log.open("a") as old:
        old.write("2\n")
        os.rename(log, tmp_path / "app.log.1")
        old.write("3\n4-unterminated")  # the writer still had the old file open
    _append(log, "5\n")
    assert _read_all(follower) == [b"2", b"3", b"4-unterminated", b"5"]


def test_a_truncated_file_is_followed_again_from_its_start(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "first line\nsecond line\n")
    follower = Follower(log, None)
    assert len(_read_all(follower)) == 2
    with log.open("w") as handle:
        handle.write("new\n")
    assert _read_all(follower) == [b"new"]


def test_a_restart_resumes_in_the_rotated_file_of_its_checkpoint(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "1\n2\n")
    first = Follower(log, None)
    chunk = first.read(1)
    first.close()
    os.rename(log, tmp_path / "app.log.1")
    _append(log, "3\n")
    assert _read_all(Follower(log, chunk.position)) == [b"2", b"3"]


def test_a_checkpoint_whose_file_is_gone_restarts_at_the_current_file(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "old\n")
    chunk = Follower(log, None).read(10)
    log.unlink()
    _append(log, "new\n")
    assert _read_all(Follower(log, chunk.position)) == [b"new"]


def test_a_line_longer_than_the_read_limit_comes_back_in_pieces(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "x" * 10 + "\nok\n")
    assert _read_all(Follower(log, None, max_bytes=4)) == [b"xxxx", b"xxxx", b"xx", b"ok"]


def test_the_checkpoint_round_trips_and_refuses_another_logs_state(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    _append(log, "1\n")
    position = Follower(log, None).read(10).position
    state = TailState(tmp_path / "state.json", log)
    assert state.load() is None
    state.save(position)
    assert state.load() == position
    with pytest.raises(TailError, match="give each log its own --state file"):
        TailState(tmp_path / "state.json", tmp_path / "other.log").load()


def test_a_log_that_does_not_exist_yet_is_followed_once_it_appears(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    follower = Follower(log, None)
    assert follower.read(10).lines == []
    _append(log, "first\n")
    assert _read_all(follower) == [b"first"]
