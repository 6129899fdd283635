"""Receivers are called only with ``--live``: without it, notifications are recorded and the
log receiver's file is never written; with it, the real receiver writes its lines."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from replay_streams import predictions, write_config, write_jsonl

from vigil.config import load_config
from vigil.replay.progress import PlainProgress
from vigil.replay.run import ReplayOptions, replay

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _to_the_log_receiver(workdir: Path) -> Path:
    path = write_config(workdir)
    text = path.read_text().replace(
        "  route:\n    receiver: oncall", "  route:\n    receiver: audit"
    )
    path.write_text(text)
    return path


def test_without_live_the_receiver_is_not_called_with_live_it_is(tmp_path: Path) -> None:
    config = load_config(str(_to_the_log_receiver(tmp_path)))
    stream = predictions(T0, 70, 300, shift_at=T0 + timedelta(minutes=40))
    events = write_jsonl(tmp_path / "events.jsonl", stream)
    log_file = tmp_path / "alerts.jsonl"

    dry = replay(config, ReplayOptions(events=events, progress=False)).timeline
    assert [(n["receiver"], n["outcome"]) for n in dry["notifications"]] == [("audit", "recorded")]
    assert not log_file.exists()

    live = replay(config, ReplayOptions(events=events, live=True, progress=False)).timeline
    assert live["replay"]["live"] is True
    assert [(n["receiver"], n["outcome"]) for n in live["notifications"]] == [("audit", "ok")]
    (line,) = log_file.read_text().splitlines()
    written = json.loads(line)
    assert written["receiver"] == "audit" and written["kind"] == "firing"
    assert written["payload"]["alerts"][0]["labels"]["alertname"] == "FeatureDrift"
    # Apart from the outcome, the live timeline is the dry one.
    assert live["alerts"] == dry["alerts"]


def test_the_plain_progress_bar_counts_steps_with_or_without_a_total() -> None:
    stream = io.StringIO()
    bar = PlainProgress(4, "replay", "steps", stream)
    for _ in range(4):
        bar.update(1)
    bar.close()
    assert stream.getvalue().rstrip().endswith("replay: 4/4 steps (100%)")
    unknown = io.StringIO()
    open_ended = PlainProgress(None, "replay", "steps", unknown)
    open_ended.update(7)
    open_ended.close()
    assert unknown.getvalue().rstrip().endswith("replay: 7 steps")


def test_the_build_context_wrapper_sees_every_integration_of_every_receiver(
    tmp_path: Path,
) -> None:
    from alerting.receivers import BuildContext, build_receivers
    from vigil.replay.recording import Recorder, RecordingNotifier

    config = load_config(str(write_config(tmp_path)))
    seen: list[tuple[str, str, str]] = []
    recorder = Recorder(lambda: T0)

    def wrap(receiver: str, integration: str, notifier: object) -> RecordingNotifier:
        seen.append((receiver, integration, type(notifier).__name__))
        return recorder.wrap(receiver, integration, notifier)  # type: ignore[arg-type]

    built = build_receivers(config.alerting.receivers, BuildContext(wrap=wrap))
    assert seen == [("oncall", "slack[0]", "SlackNotifier"), ("audit", "log[0]", "LogNotifier")]
    assert all(
        isinstance(n, RecordingNotifier)
        for integrations in built.values()
        for n in integrations.values()
    )
    # Without a wrapper nothing changes.
    plain = build_receivers(config.alerting.receivers, BuildContext())
    assert type(plain["audit"]["log[0]"]).__name__ == "LogNotifier"
