"""The writer profiles the prepared rows it stores: the same profiles and samples as the
validated dicts those rows were prepared from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from collector.profiles.accumulator import profile_batch
from store.predictions import prepare_predictions
from store.profile_records import SketchSettings
from store.specs import FeatureSpec, ModelSpec

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
MODELS = {
    "credit": ModelSpec(
        name="credit",
        features=(
            FeatureSpec(name="income", type="numeric"),
            FeatureSpec(name="age", type="numeric"),
            FeatureSpec(name="purpose", type="categorical"),
            FeatureSpec(name="member", type="boolean"),
        ),
    ),
    "fraud": ModelSpec(name="fraud", features=(FeatureSpec(name="amount", type="numeric"),)),
}


def rows() -> list[dict]:
    out = []
    for i in range(900):
        model = "credit" if i % 3 else "fraud"
        features = (
            {
                "income": 10.0 * i + 0.25,
                "age": None if i % 7 == 0 else i % 90,
                "purpose": ["car", "home", None][i % 3],
                "member": i % 2 == 0,
            }
            if model == "credit"
            else {"amount": float(i) / 3}
        )
        out.append(
            {
                "model": model,
                "version": "v2" if i % 5 == 0 else "v1",
                "request_id": f"r{i}",
                "ts": T0 + timedelta(seconds=0.4 * i, microseconds=i % 2),
                "features": features,
                "prediction": {"label": i % 2} if i % 4 else None,
                "score": i / 900,
                "received_at": T0 + timedelta(minutes=10),
            }
        )
    return out


def test_prepared_rows_give_the_profiles_and_samples_their_dicts_give() -> None:
    settings = SketchSettings()
    edges = {("credit", "income"): np.array([0.0, 1000.0, 5000.0, 9000.0])}
    from_dicts = profile_batch(
        rows(), MODELS, edges, settings, np.random.default_rng(7), reservoir_size=50
    )
    from_prepared = profile_batch(
        prepare_predictions(rows()),
        MODELS,
        edges,
        settings,
        np.random.default_rng(7),
        reservoir_size=50,
    )
    assert len(from_dicts.profiles) > 20  # several models, versions and minutes
    assert from_prepared.profiles == from_dicts.profiles
    assert from_prepared.reservoirs == from_dicts.reservoirs
    sample = next(iter(from_prepared.reservoirs.values())).rows
    assert sample and all(isinstance(r["features"], dict) for r in sample)
