"""Labels for unknown request ids: counted, kept for the grace period, joined when the
prediction arrives, orphaned (moved, counted) after it. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select

from detectors.performance_config import LabelsConfig
from detectors.performance_labels_job import LabelMetrics, LabelsRunner
from store.label_orphans import expire_unmatched, orphaned_totals, unmatched_labels
from store.labelled import labelled_window
from store.predictions import insert_labels, insert_predictions
from store.schema import labels, metadata, orphaned_labels
from store.signals import signal_history
from store.specs import ModelSpec

SPEC = ModelSpec.model_validate({"name": "credit", "features": [{"name": "x", "type": "numeric"}]})
GRACE = LabelsConfig.model_validate({"interval": "1h", "grace_period": "2d"})


def label(request_id: str, at: datetime, value: int = 1) -> dict[str, Any]:
    return {"model": "credit", "request_id": request_id, "label": value, "ts": at,
            "received_at": at}  # fmt: skip


def prediction(request_id: str, ts: datetime, received_at: datetime) -> dict[str, Any]:
    return {"model": "credit", "version": "v1", "request_id": request_id, "ts": ts,
            "features": {"x": 1.0}, "prediction": 1, "score": 0.8, "received_at": received_at}  # fmt: skip


def runner(engine: Engine, config: LabelsConfig = GRACE) -> tuple[LabelsRunner, CollectorRegistry]:
    registry = CollectorRegistry()
    return LabelsRunner(engine, (SPEC,), config, LabelMetrics(registry)), registry


def by_subject(signals: list[Any]) -> dict[str, Any]:
    return {s.subject: s for s in signals}


def test_a_label_before_its_prediction_is_counted_then_joined_when_the_prediction_arrives(
    engine: Engine, t0: datetime
) -> None:
    insert_labels(engine, [label("early", t0)])
    run, registry = runner(engine)
    first = by_subject(run(t0 + timedelta(hours=1)))
    assert first["unmatched"].value == 1 and first["orphaned"].value == 0
    assert first["unmatched"].details["oldest_received_at"] == t0.isoformat()
    assert registry.get_sample_value("vigil_labels_unmatched", {"model": "credit"}) == 1
    # The prediction comes a day later (within the 2-day grace period), for a time before.
    insert_predictions(
        engine, [prediction("early", t0 - timedelta(minutes=5), t0 + timedelta(days=1))]
    )
    window = labelled_window(engine, "credit", t0 - timedelta(hours=1), t0)
    assert window.labelled == 1 and list(window.label) == [1]
    second = by_subject(run(t0 + timedelta(days=1, hours=1)))
    assert second["unmatched"].value == 0 and second["orphaned"].value == 0
    assert registry.get_sample_value("vigil_labels_unmatched", {"model": "credit"}) == 0
    assert orphaned_totals(engine) == {}


def test_a_label_still_unmatched_after_the_grace_period_is_orphaned_and_no_longer_joined(
    engine: Engine, t0: datetime
) -> None:
    insert_labels(engine, [label("lost", t0), label("recent", t0 + timedelta(days=2))])
    run, registry = runner(engine)
    found = by_subject(run(t0 + timedelta(days=2, hours=1)))
    assert found["orphaned"].value == 1 and found["orphaned"].details["total"] == 1
    assert found["unmatched"].value == 1  # "recent" still waits
    assert registry.get_sample_value("vigil_labels_orphaned_total", {"model": "credit"}) == 1
    with engine.connect() as conn:
        kept = conn.execute(select(labels.c.request_id)).scalars().all()
        moved = conn.execute(select(orphaned_labels)).one()
    assert kept == ["recent"]
    assert (moved.request_id, moved.label, moved.received_at) == ("lost", 1, t0)
    assert moved.orphaned_at == t0 + timedelta(days=2, hours=1)
    # A prediction arriving after the grace period is not joined to the orphaned label.
    insert_predictions(engine, [prediction("lost", t0, t0 + timedelta(days=3))])
    assert (
        labelled_window(engine, "credit", t0 - timedelta(hours=1), t0 + timedelta(hours=1)).labelled
        == 0
    )
    stored = {s.signal.subject: s.signal for s in signal_history(engine, "credit", "labels")}
    assert stored["orphaned"].value == 1 and stored["unmatched"].value == 1


def test_matched_labels_are_never_orphaned_however_old(engine: Engine, t0: datetime) -> None:
    insert_predictions(engine, [prediction("ok", t0 - timedelta(days=30), t0 - timedelta(days=30))])
    insert_labels(engine, [label("ok", t0 - timedelta(days=20))])
    assert expire_unmatched(engine, t0, t0) == {}
    assert unmatched_labels(engine) == {}
    assert labelled_window(engine, "credit", t0 - timedelta(days=31), t0).labelled == 1


def test_re_running_orphans_nothing_twice_and_a_resent_label_is_counted_once_in_the_total(
    engine: Engine, t0: datetime
) -> None:
    insert_labels(engine, [label("lost", t0)])
    later = t0 + timedelta(days=3)
    assert expire_unmatched(engine, later, later) == {"credit": 1}
    assert expire_unmatched(engine, later, later) == {}
    insert_labels(engine, [label("lost", later)])  # the feed sends it again: it waits again
    assert unmatched_labels(engine)["credit"].count == 1
    assert expire_unmatched(engine, later + timedelta(days=3), later + timedelta(days=3)) == {
        "credit": 1
    }
    assert orphaned_totals(engine) == {"credit": 1}


def test_orphaning_more_than_max_orphaned_in_one_run_breaches(engine: Engine, t0: datetime) -> None:
    insert_labels(engine, [label(f"wrong-id-{i}", t0) for i in range(5)])
    config = LabelsConfig.model_validate({"grace_period": "1d", "max_orphaned": 3})
    run, _ = runner(engine, config)
    found = by_subject(run(t0 + timedelta(days=1, minutes=1)))
    assert (found["orphaned"].status, found["orphaned"].value, found["orphaned"].threshold) == (
        "breach",
        5,
        3,
    )
    assert found["unmatched"].status == "ok"
    quiet = by_subject(run(t0 + timedelta(days=1, hours=2)))
    assert quiet["orphaned"].status == "ok" and quiet["orphaned"].details["total"] == 5


def test_every_monitored_model_gets_signals_even_with_no_labels(
    engine: Engine, t0: datetime
) -> None:
    run, _ = runner(engine)
    found = run(t0)
    assert [(s.model, s.subject, s.value) for s in found] == [
        ("credit", "unmatched", 0.0), ("credit", "orphaned", 0.0)
    ]  # fmt: skip


def test_migration_0010_creates_exactly_what_the_schema_declares(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "orphaned_labels" in repr(d)] == []


@pytest.mark.parametrize(
    ("value", "message"),
    [("0s", "must be longer than zero"), ("soon", "duration")],
    ids=["zero grace period", "not a duration"],
)
def test_a_bad_grace_period_fails_at_load_with_its_yaml_path(
    tmp_path: Path, value: str, message: str
) -> None:
    from vigil.config import load_config
    from vigil.errors import VigilError

    path = tmp_path / "vigil.yaml"
    path.write_text(
        "version: vigil/v1\nmodels:\n  - name: credit\n    features: [{name: x, type: numeric}]\n"
        f"detectors:\n  labels:\n    grace_period: {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(VigilError) as error:
        load_config(path)
    assert "detectors.labels.grace_period" in str(error.value)
    assert message in str(error.value).lower()


def test_serve_schedules_the_labels_job_unless_disabled(tmp_path: Path) -> None:
    from prometheus_client import CollectorRegistry as Registry

    from store.db import create_store_engine
    from vigil.config import load_config
    from vigil.jobs import build_jobs

    engine = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    names = []
    for enabled in ("true", "false"):
        path = tmp_path / f"vigil-{enabled}.yaml"
        path.write_text(
            "version: vigil/v1\nmodels:\n  - name: credit\n    features: [{name: x, type: numeric}]\n"
            f"detectors:\n  labels: {{enabled: {enabled}, interval: 30m}}\n",
            encoding="utf-8",
        )
        jobs = build_jobs(load_config(path), engine, Registry())
        names.append({job.name: job.interval for job in jobs})
    assert names[0]["labels"] == timedelta(minutes=30)
    assert "labels" not in names[1]
