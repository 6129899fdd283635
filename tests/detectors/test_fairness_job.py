"""The fairness job on a migrated store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from detectors.fairness_job import fairness_job
from detectors.performance_config import FairnessConfig
from store.predictions import insert_labels, insert_predictions
from store.signals import signal_history
from store.specs import ModelSpec

SPEC = ModelSpec.model_validate(
    {"name": "loans", "features": [{"name": "sex", "type": "categorical"}],
     "protected": ["sex", "age_band"]}
)  # fmt: skip
CONFIG = FairnessConfig(interval="1h", window="1h", reevaluate=2, intersections=True)


def _traffic(t0: datetime, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Approvals that favour men; ``age_band`` comes in the segment, a rare band included."""
    rng = np.random.default_rng(12)
    sex = rng.choice(["f", "m"], n)
    age = np.where(np.arange(n) % 50 == 0, "90+", rng.choice(["young", "old"], n))
    y_true = rng.random(n) < 0.4
    approve = rng.random(n) < np.where(sex == "m", 0.6, 0.3)
    predictions = [
        {"model": "loans", "version": "v1", "request_id": f"r{i}", "received_at": t0,
         "ts": t0 - timedelta(seconds=3000 * (i + 1) / n), "features": {"sex": str(sex[i])},
         "prediction": bool(approve[i]), "score": None, "segment": {"age_band": str(age[i])}}
        for i in range(n)
    ]  # fmt: skip
    labels = [
        {"model": "loans", "request_id": f"r{i}", "label": int(y_true[i]), "ts": t0,
         "received_at": t0}
        for i in range(n)
    ]  # fmt: skip
    return predictions, labels


def test_a_model_favouring_one_group_breaches_the_four_fifths_rule(
    engine: Engine, t0: datetime
) -> None:
    predictions, labels = _traffic(t0, 1000)
    insert_predictions(engine, predictions)
    insert_labels(engine, labels)
    fairness_job(engine, (SPEC,), CONFIG).run(t0)
    stored = {s.signal.subject: s.signal for s in signal_history(engine, "loans", "fairness")}
    assert {s.split("/")[1] for s in stored} == {"sex", "age_band", "sex&age_band"}
    ratio = stored["demographic_parity_ratio/sex"]
    assert ratio.status == "breach" and ratio.threshold == 0.8
    assert ratio.value is not None and 0.4 < ratio.value < 0.6
    groups = ratio.details["groups"]
    assert groups["f"]["size"] + groups["m"]["size"] == 1000 == ratio.sample_size
    age = stored["demographic_parity_ratio/age_band"]
    assert age.details["small_groups"] == ["90+"] and "90+" in age.details["groups"]
    assert age.sample_size == 980


def test_models_without_protected_attributes_are_not_checked(engine: Engine, t0: datetime) -> None:
    plain = SPEC.model_copy(update={"protected": ()})
    assert fairness_job(engine, (plain,), CONFIG).run(t0) == []


def test_an_unknown_fairness_metric_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown fairness metric 'parity'"):
        FairnessConfig.model_validate({"metrics": {"parity": {"max": 0.1}}})
