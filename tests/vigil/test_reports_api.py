"""``GET /v1/reports/drift``: Evidently's report of a stored window over HTTP, cached on disk."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from report_window import MODEL, store_window, write_reference
from sqlalchemy import Engine, create_engine, text

from vigil.app import build_app
from vigil.config import parse_config
from vigil.reports_api import CACHE_HEADER, ReportCache

pytest.importorskip("evidently", reason="evidently is in the reports and dev extras")

READ = "reader-key-0123456789"
INGEST = "ingest-key-0123456789"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client(engine: Engine, tmp_path: Path, t0: datetime) -> Iterator[TestClient]:
    store_window(engine, t0)
    reference = write_reference(tmp_path / "ref.csv")
    config = parse_config(
        f"""
collector:
  api_keys:
    - {{name: partner, key: {READ}, scopes: [read]}}
    - {{name: svc, key: {INGEST}, scopes: [ingest]}}
models:
  - name: {MODEL}
    reference: {{path: {reference}}}
    features:
      - {{name: income, type: numeric}}
      - {{name: purpose, type: categorical}}
  - name: no-reference
    features:
      - {{name: income, type: numeric}}
alerting:
  drift_reports: {{cache_dir: {tmp_path / "cache"}, max_files: 5}}
"""
    )
    now = t0 + timedelta(days=1)
    with TestClient(build_app(config, engine, CollectorRegistry(), lambda: now)) as test_client:
        yield test_client


def _query(model: str, start: datetime, end: datetime) -> dict[str, str]:
    return {"model": model, "start": start.isoformat(), "end": end.isoformat()}


def test_a_reader_gets_the_window_report_rendered_once_then_from_the_disk_cache(
    client: TestClient, t0: datetime, tmp_path: Path
) -> None:
    query = _query(MODEL, t0, t0 + timedelta(hours=1))
    first = client.get("/v1/reports/drift", params=query, headers=bearer(READ))
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("text/html")
    assert first.headers[CACHE_HEADER] == "miss"
    assert (
        "<title>Data drift of credit-risk: 2026-03-02 09:00 to 2026-03-02 10:00 UTC "
        "(300 predictions against 400 reference rows)</title>"
    ) in first.text
    assert "Dataset Drift is detected" in first.text
    cached = list((tmp_path / "cache").glob("drift-credit-risk-20260302T090000Z-*.html"))
    assert len(cached) == 1
    second = client.get("/v1/reports/drift", params=query, headers=bearer(READ))
    assert second.status_code == 200
    assert second.headers[CACHE_HEADER] == "hit"
    assert second.text == first.text


def test_the_report_needs_a_key_with_the_read_scope(client: TestClient, t0: datetime) -> None:
    query = _query(MODEL, t0, t0 + timedelta(hours=1))
    assert client.get("/v1/reports/drift", params=query).status_code == 401
    assert client.get("/v1/reports/drift", params=query, headers=bearer(INGEST)).status_code == 403


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("2026-03-02T10:00:00Z", "2026-03-02T09:00:00Z", "end must be after start"),
        ("yesterday", "2026-03-02T09:00:00Z", "start: not an ISO 8601 time"),
        ("2026-02-01T00:00:00Z", "2026-03-02T00:00:00Z", "longer than 7 days"),
    ],
    ids=["end before start", "start not a time", "window too long"],
)
def test_a_bad_window_is_422_with_the_reason(
    client: TestClient, start: str, end: str, reason: str
) -> None:
    answer = client.get(
        "/v1/reports/drift",
        params={"model": MODEL, "start": start, "end": end},
        headers=bearer(READ),
    )
    assert answer.status_code == 422
    assert reason in answer.json()["detail"]


def test_unknown_models_models_without_reference_and_empty_windows_are_404(
    client: TestClient, t0: datetime, tmp_path: Path
) -> None:
    hour = (t0, t0 + timedelta(hours=1))
    unknown = client.get("/v1/reports/drift", params=_query("nope", *hour), headers=bearer(READ))
    assert unknown.status_code == 404 and "unknown model 'nope'" in unknown.json()["detail"]
    bare = client.get(
        "/v1/reports/drift", params=_query("no-reference", *hour), headers=bearer(READ)
    )
    assert bare.status_code == 404 and "no reference" in bare.json()["detail"]
    later = (t0 + timedelta(hours=5), t0 + timedelta(hours=6))
    empty = client.get("/v1/reports/drift", params=_query(MODEL, *later), headers=bearer(READ))
    assert empty.status_code == 404 and "no rows" in empty.json()["detail"]
    assert not list((tmp_path / "cache").glob("*.html"))


def test_a_window_still_open_is_rendered_but_not_cached(
    client: TestClient, t0: datetime, tmp_path: Path
) -> None:
    query = _query(MODEL, t0, t0 + timedelta(days=2))  # ends after the server's "now"
    answer = client.get("/v1/reports/drift", params=query, headers=bearer(READ))
    assert answer.status_code == 200, answer.text
    assert answer.headers[CACHE_HEADER] == "bypass"
    assert not list((tmp_path / "cache").glob("*.html"))


def test_without_evidently_a_new_report_is_503_with_the_install_hint_and_cached_ones_still_serve(
    client: TestClient, t0: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = _query(MODEL, t0, t0 + timedelta(hours=1))
    assert client.get("/v1/reports/drift", params=cached, headers=bearer(READ)).status_code == 200
    monkeypatch.setitem(sys.modules, "evidently", None)  # ``import evidently`` now fails
    fresh = _query(MODEL, t0, t0 + timedelta(minutes=30))
    missing = client.get("/v1/reports/drift", params=fresh, headers=bearer(READ))
    assert missing.status_code == 503
    assert "pip install 'vigil[reports]'" in missing.json()["detail"]
    again = client.get("/v1/reports/drift", params=cached, headers=bearer(READ))
    assert again.status_code == 200 and again.headers[CACHE_HEADER] == "hit"


def _page(cache: ReportCache, t0: datetime, hours: int, size: int) -> Path:
    path = cache.path(MODEL, t0, t0 + timedelta(hours=hours), "v")
    cache.write(path, "x" * size)
    return path


def test_the_cache_drops_the_least_recently_read_pages_past_its_count(
    tmp_path: Path, t0: datetime
) -> None:
    cache = ReportCache(tmp_path, max_files=2, max_bytes=1_000_000)
    first = _page(cache, t0, 1, 100)
    second = _page(cache, t0, 2, 100)
    os.utime(first, (1, 1_000))  # read long ago
    os.utime(second, (1, 2_000))
    assert cache.read(first) is not None  # reading it makes it the most recent
    third = _page(cache, t0, 3, 100)
    assert sorted(p.name for p in tmp_path.glob("*.html")) == sorted([first.name, third.name])


def test_the_cache_keeps_its_total_size_under_the_bound_and_skips_oversized_pages(
    tmp_path: Path, t0: datetime
) -> None:
    cache = ReportCache(tmp_path, max_files=100, max_bytes=2_500)
    pages = []
    for hours in (1, 2, 3):
        pages.append(_page(cache, t0, hours, 1_000))
        os.utime(pages[-1], (1, 1_000 + hours))  # each written later than the one before
    kept = sorted(tmp_path.glob("*.html"))
    assert sum(p.stat().st_size for p in kept) <= 2_500
    assert kept == sorted(pages[1:])  # the oldest went when the third came
    huge = _page(cache, t0, 4, 5_000)
    assert not huge.exists()


def test_a_cache_file_is_named_by_model_and_window_and_differs_per_reference_version(
    tmp_path: Path, t0: datetime
) -> None:
    cache = ReportCache(tmp_path, 10, 10_000)
    end = t0 + timedelta(hours=1)
    a, b = cache.path("credit/risk", t0, end, "v1"), cache.path("credit/risk", t0, end, "v2")
    assert a.name.startswith("drift-credit_risk-20260302T090000Z-20260302T100000Z-")
    assert a != b and a.parent == b.parent == tmp_path


def test_a_model_whose_reference_is_a_sql_query_gets_its_report_too(
    sqlite_engine: Engine, tmp_path: Path, t0: datetime
) -> None:
    store_window(sqlite_engine, t0)
    reference_db = f"sqlite:///{tmp_path / 'warehouse.db'}"
    warehouse = create_engine(reference_db)
    rng = np.random.default_rng(3)
    with warehouse.begin() as conn:
        conn.execute(text("create table training (income real, purpose text)"))
        conn.execute(
            text("insert into training values (:income, :purpose)"),
            [{"income": float(rng.normal(50_000, 10_000)), "purpose": "car"} for _ in range(200)],
        )
    warehouse.dispose()
    config = parse_config(
        f"""
collector:
  api_keys: [{{name: partner, key: {READ}, scopes: [read]}}]
models:
  - name: {MODEL}
    reference: {{query: "select income, purpose from training", url: "{reference_db}"}}
    features:
      - {{name: income, type: numeric}}
      - {{name: purpose, type: categorical}}
alerting:
  drift_reports: {{cache_dir: {tmp_path / "cache"}}}
"""
    )
    now = t0 + timedelta(days=1)
    client = TestClient(build_app(config, sqlite_engine, CollectorRegistry(), lambda: now))
    answer = client.get(
        "/v1/reports/drift", params=_query(MODEL, t0, t0 + timedelta(hours=1)), headers=bearer(READ)
    )
    assert answer.status_code == 200, answer.text
    assert "(300 predictions against 200 reference rows)</title>" in answer.text
    assert "Dataset Drift is detected" in answer.text
