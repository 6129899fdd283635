"""What ``vigil replay`` reads: bad lines listed with their line numbers, late and
out-of-order events reported, gzip, directories, Parquet, every event type, ``--format md``,
``--store`` on SQLite and PostgreSQL; the replay completes whatever the input."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from replay_streams import MODEL, predictions, write_config, write_jsonl
from sqlalchemy import Engine

from store.pipeline_runs import get_pipeline_run
from store.predictions import count_labels, count_predictions
from store.spans import stored_spans
from vigil.cli import main
from vigil.config import load_config
from vigil.replay.run import ReplayOptions, replay

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _replay(workdir: Path, events: Path, **options: Any) -> dict[str, Any]:
    config = load_config(str(write_config(workdir, drift=False)))
    return replay(config, ReplayOptions(events=events, progress=False, **options)).timeline


def test_unparseable_lines_are_counted_and_listed_with_their_line_numbers(tmp_path: Path) -> None:
    good = [json.dumps(e) for e in predictions(T0, 3, 10)]
    lines = [
        good[0],
        "this is not json",
        json.dumps({"type": "bogus", "ts": T0.isoformat()}),
        json.dumps({"type": "prediction", "model": MODEL}),
        "[1, 2, 3]",
        json.dumps({"type": "label", "ts": "yesterday"}),
        "",
        *good[1:],
        json.dumps({**json.loads(good[0]), "request_id": "x", "model": "unknown-model"}),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    timeline = _replay(tmp_path, path)
    source = timeline["input"]
    assert source["unparseable"] == 5
    assert [b["where"] for b in source["unparseable_listed"]] == [
        "events.jsonl:2",
        "events.jsonl:3",
        "events.jsonl:4",
        "events.jsonl:5",
        "events.jsonl:6",
    ]
    reasons = [b["reason"] for b in source["unparseable_listed"]]
    assert reasons[0] == "not valid JSON"
    assert reasons[2] == "ts is required"
    assert "ts must be an RFC 3339 time" in reasons[4]
    # Valid JSON that the collector's validation refuses is reported as the API would.
    assert source["rejected"] == {"prediction": 1}
    (rejected,) = source["rejected_listed"]
    assert rejected["where"] == f"events.jsonl:{len(lines)}"
    assert (rejected["field"], rejected["reason"]) == ("model", "unknown model 'unknown-model'")
    assert source["accepted"] == {"predictions": 30}
    assert timeline["replay"]["steps"] >= 3


def test_out_of_order_events_are_sorted_within_the_window_and_late_ones_still_stored(
    tmp_path: Path,
) -> None:
    stream = predictions(T0, 30, 10)
    slightly = stream.pop(100)  # 10 minutes in; read 30 s later than its time
    stream.insert(105, slightly)
    very = stream.pop(20)  # 2 minutes in; read 20 minutes later than its time
    stream.insert(219, very)
    path = write_jsonl(tmp_path / "events.jsonl", stream)
    timeline = _replay(tmp_path, path, reorder_window=timedelta(minutes=5))
    source = timeline["input"]
    assert source["out_of_order"] == 2
    assert source["late_beyond_window"] == 1
    assert source["max_lateness_seconds"] == pytest.approx(1200 - 6, abs=6)
    assert source["late_listed"][0].startswith("events.jsonl:220 ")
    assert source["accepted"] == {"predictions": 300}  # the late one too


def _parquet(path: Path, events: list[dict[str, Any]]) -> Path:
    rows = [{**e, "ts": datetime.fromisoformat(e["ts"]), "features": e["features"]} for e in events]
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_gzip_directories_and_parquet_replay_like_json_lines(tmp_path: Path) -> None:
    stream = predictions(T0, 20, 30)
    plain = _replay(tmp_path, write_jsonl(tmp_path / "plain.jsonl", stream))
    folder = tmp_path / "folder"
    folder.mkdir()
    with gzip.open(folder / "part-1.jsonl.gz", "wt") as out:
        out.writelines(json.dumps(e) + "\n" for e in stream[:300])
    write_jsonl(folder / "part-2.jsonl", stream[300:])
    (folder / "README.txt").write_text("not an events file")
    from_folder = _replay(tmp_path, folder)
    from_parquet = _replay(tmp_path, _parquet(tmp_path / "events.parquet", stream))
    for other in (from_folder, from_parquet):
        assert other["input"]["accepted"] == plain["input"]["accepted"] == {"predictions": 600}
        assert other["input"]["unparseable"] == 0
        assert other["summary"] == plain["summary"]


def _span(ts: datetime, span_id: str, error: bool) -> dict[str, Any]:
    start = int(ts.timestamp() * 1e9)
    return {
        "type": "span",
        "ts": (ts + timedelta(seconds=1)).isoformat(),
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": span_id,
        "name": "predict",
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + 40_000_000),
        "status": {"code": 2 if error else 1},
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
    }


def test_every_event_type_reaches_the_store_when_its_time_comes(
    engine: Engine, tmp_path: Path
) -> None:
    stream: list[dict[str, Any]] = predictions(T0, 10, 10)
    labels = [
        {
            "type": "label",
            "ts": (T0 + timedelta(minutes=m)).isoformat(),
            "model": MODEL,
            "request_id": f"r{i:08d}",
            "label": 1,
        }
        for m, i in ((12, 0), (13, 1), (40, 2))  # the last arrives after --end
    ]
    runs = [
        {
            "type": "pipeline_run",
            "ts": (T0 + timedelta(minutes=5)).isoformat(),
            "pipeline": "features",
            "run_id": "2026-03-02",
            "status": "success",
            "started_at": T0.isoformat(),
            "finished_at": (T0 + timedelta(minutes=4)).isoformat(),
        }
    ]
    spans = [
        _span(T0 + timedelta(minutes=2), "051581bf3cb55c13", False),
        _span(T0 + timedelta(minutes=3), "051581bf3cb55c14", True),
        {**_span(T0, "00", False), "spanId": "zz"},
    ]  # not hex: rejected alone
    events = sorted(stream + labels + runs + spans, key=lambda e: e["ts"])
    path = write_jsonl(tmp_path / "events.jsonl", events)
    url = engine.url.render_as_string(hide_password=False)
    timeline = _replay(tmp_path, path, store_url=url, end=T0 + timedelta(minutes=30))
    source = timeline["input"]
    assert source["accepted"] == {"labels": 2, "pipeline_runs": 1, "predictions": 100, "spans": 2}
    assert source["rejected"] == {"span": 1}
    assert source["after_end"] == 1
    assert count_predictions(engine, MODEL) == 100 and count_labels(engine, MODEL) == 2
    run = get_pipeline_run(engine, "features", "2026-03-02")
    assert run is not None and run["status"] == "success"
    assert sorted(s["status"] for s in stored_spans(engine)) == ["error", "ok"]


def test_format_md_prints_a_readable_summary_and_still_writes_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    stream = predictions(T0, 70, 300, shift_at=T0 + timedelta(minutes=40))
    events = write_jsonl(tmp_path / "events.jsonl", stream)
    out = tmp_path / "timeline.json"
    argv = [
        "replay",
        "-c",
        str(config),
        "--events",
        str(events),
        "--format",
        "md",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Vigil replay")
    assert "**1 page(s)**" in captured.out
    assert "| oncall | 1 |" in captured.out
    assert "| FeatureDrift | scorer | 2026-03-02T00:50:00+00:00 | still firing |" in captured.out
    assert "replay" in captured.err  # the progress bar
    assert json.loads(out.read_text())["summary"]["pages"] == 1


def test_a_missing_events_file_is_a_usage_error(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert main(["replay", "-c", str(config), "--events", str(tmp_path / "nope.jsonl")]) == 2
