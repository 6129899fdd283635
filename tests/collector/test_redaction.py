"""Features marked ``pii``: hashed or dropped before the spool, so neither disk holds them."""

from __future__ import annotations

from pathlib import Path

import pytest
from collector_harness import ApiFactory, auth
from pydantic import SecretStr
from sqlalchemy import Engine, select

from collector.redaction import missing_pii_key, pseudonym
from store.schema import predictions
from store.specs import FeatureSpec, ModelSpec

PII_KEY = "pii-key-for-tests-0123456789"
SSN = "123-45-6789"
EMAIL = "jane.doe@example.org"
PATIENTS = (
    ModelSpec(
        name="readmission",
        features=(
            FeatureSpec(name="ssn", type="categorical", pii="hash"),
            FeatureSpec(name="email", type="text", pii="drop"),
            FeatureSpec(name="age", type="numeric"),
        ),
    ),
)


def event(i: int) -> dict:
    return {
        "model": "readmission",
        "version": "v1",
        "request_id": f"r{i}",
        "timestamp": "2026-03-02T08:00:00Z",
        "features": {"ssn": SSN, "email": EMAIL, "age": 61},
    }


def bytes_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_pii_reaches_neither_the_spool_nor_the_database(
    sqlite_engine: Engine, make_api: ApiFactory, tmp_path: Path
) -> None:
    api = make_api(
        sqlite_engine,
        "spool",
        models=PATIENTS,
        pii_key=PII_KEY,
        writer_delay_seconds=60,  # keep the batch in the spool until the test flushes
    )
    response = api.client.post("/v1/predictions", json=[event(0), event(1)], headers=auth())
    assert response.status_code == 200 and response.json()["accepted"] == 2

    spooled = bytes_under(make_api.spool_dir)
    hashed = pseudonym(PII_KEY.encode(), SSN)
    assert hashed.encode() in spooled
    assert SSN.encode() not in spooled and EMAIL.encode() not in spooled

    api.flush()
    with sqlite_engine.connect() as conn:
        features = [row[0] for row in conn.execute(select(predictions.c.features))]
    assert features == [{"ssn": hashed, "age": 61.0}] * 2
    database = b"".join(p.read_bytes() for p in tmp_path.glob("vigil.db*"))
    assert SSN.encode() not in database and EMAIL.encode() not in database


def test_the_pseudonym_is_stable_per_value_and_depends_on_the_key() -> None:
    assert pseudonym(b"k1", SSN) == pseudonym(b"k1", SSN)
    assert pseudonym(b"k1", SSN) != pseudonym(b"k1", "987-65-4321")
    assert pseudonym(b"k1", SSN) != pseudonym(b"k2", SSN)
    assert pseudonym(b"k1", SSN).startswith("hmac-sha256:")


@pytest.mark.parametrize(
    "key",
    [pytest.param(None, id="no key"), pytest.param(SecretStr(""), id="an empty key")],
)
def test_hashing_without_a_key_is_refused_with_the_feature_path(
    sqlite_engine: Engine, make_api: ApiFactory, key: SecretStr | None
) -> None:
    assert missing_pii_key(PATIENTS, key) == ["models[0].features[0].pii"]
    with pytest.raises(ValueError, match=r"collector.pii_key must be set"):
        make_api(sqlite_engine, models=PATIENTS, pii_key=key)
