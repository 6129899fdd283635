"""API keys rotated without a restart: created and revoked by CLI and API, seen within the TTL.

A real uvicorn server runs the composed app; keys are created and revoked from "outside"
(``vigil keys`` on the same store, as an operator would from another machine) and through
``/v1/admin/keys``. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, inspect, text

from collector.auth import Authenticator, StoredKeys
from collector.config import hash_key
from collector.errors import AuthError
from collector.key_admin import KeyRequest, create_key
from store.audit import audit_entries
from store.db import upgrade
from vigil.app import build_app
from vigil.cli import main as vigil_main
from vigil.config import VigilConfig, load_config
from vigil.http_thread import ServerThread

ADMIN = "admin-key-0123456789abcdef"
READ = "reader-key-0123456789abcdef"
TTL = 0.5


def store_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def write_config(tmp_path: Path, engine: Engine) -> Path:
    path = tmp_path / "vigil.yaml"
    path.write_text(
        f"""
storage: {{url: "{store_url(engine)}"}}
collector:
  api_key_cache_seconds: {TTL}
  api_keys:
    - {{name: root, key: {ADMIN}, scopes: [admin]}}
    - {{name: partner, key: {READ}, scopes: [read]}}
models:
  - name: credit
    features: [{{name: income, type: numeric}}]
  - name: churn
    features: [{{name: tenure, type: numeric}}]
"""
    )
    return path


def vigil(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = vigil_main(list(args))
    return code, out.getvalue(), err.getvalue()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def batch(n: int, model: str = "credit") -> list[dict[str, object]]:
    return [
        {
            "model": model,
            "version": "v1",
            "request_id": f"req-{time.monotonic_ns()}-{i}",
            "timestamp": "2026-03-02T08:00:00Z",
            "features": {"income" if model == "credit" else "tenure": float(i)},
            "score": 0.5,
        }
        for i in range(n)
    ]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def served(engine: Engine, tmp_path: Path) -> Iterator[tuple[httpx.Client, Path, Clock]]:
    """The composed app on a real port, its vigil.yaml (same store) and its clock."""
    path = write_config(tmp_path, engine)
    config = load_config(path)
    clock = Clock()
    app = build_app(config, engine, CollectorRegistry(), clock)
    with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client, path, clock


def wait_for_status(
    send: Callable[[], httpx.Response], status: int, within: float
) -> tuple[float, httpx.Response]:
    """Send until the answer has ``status``; the seconds it took and the last answer."""
    started = time.monotonic()
    while True:
        response = send()
        elapsed = time.monotonic() - started
        if response.status_code == status or elapsed > within:
            return elapsed, response
        time.sleep(0.02)


def test_rotation_new_key_accepted_old_key_refused_within_the_ttl_without_restart(
    served: tuple[httpx.Client, Path, Clock], engine: Engine
) -> None:
    client, config_path, _ = served
    assert client.get("/v1/admin/keys", headers=bearer(ADMIN)).json() == {"keys": []}
    code, old_key, err = vigil(
        "keys", "create", "--config", str(config_path), "--name", "svc-2026-09",
        "--scopes", "ingest", "--actor", "ana",
    )  # fmt: skip
    assert code == 0, err
    old_key = old_key.strip()
    assert old_key.startswith("vgl_") and "only time" in err

    def send(key: str) -> Callable[[], httpx.Response]:
        return lambda: client.post("/v1/predictions", json=batch(3), headers=bearer(key))

    # Created by another process: the server sees it once its cache expires.
    seen_after, answer = wait_for_status(send(old_key), 200, within=TTL + 2)
    assert answer.status_code == 200, answer.text
    assert seen_after <= TTL + 1.0

    # Rotation step 1: a new key through the admin API; this server drops its cache at once.
    created = client.post(
        "/v1/admin/keys",
        json={"name": "svc-2026-12", "scopes": ["ingest"], "reason": "quarterly rotation"},
        headers=bearer(ADMIN),
    )
    assert created.status_code == 201, created.text
    new_key = created.json()["key"]
    assert created.json()["state"] == "active" and "key_sha256" not in created.json()
    assert send(new_key)().status_code == 200
    assert send(old_key)().status_code == 200  # both valid while the new one is deployed

    # Rotation step 2: revoke the old key from the CLI; no restart, refused within the TTL.
    code, _, err = vigil(
        "keys", "revoke", "--config", str(config_path), "svc-2026-09", "--reason", "rotated"
    )
    assert code == 0, err
    refused_after, answer = wait_for_status(send(old_key), 401, within=TTL + 2)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid API key"
    assert refused_after <= TTL + 1.0
    assert send(new_key)().status_code == 200

    listed = client.get("/v1/admin/keys", headers=bearer(ADMIN)).json()["keys"]
    assert {k["name"]: k["state"] for k in listed} == {
        "svc-2026-09": "revoked",
        "svc-2026-12": "active",
    }
    # Revoking through the API takes effect on this server at once.
    revoked = client.delete("/v1/admin/keys/svc-2026-12", headers=bearer(ADMIN))
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "key:root"
    assert send(new_key)().status_code == 401

    audit = [(e.action, e.target, e.actor, e.reason) for e in audit_entries(engine)]
    assert audit == [
        ("api_key.create", "api_key:svc-2026-09", "cli:ana", ""),
        ("api_key.create", "api_key:svc-2026-12", "key:root", "quarterly rotation"),
        ("api_key.revoke", "api_key:svc-2026-09", f"cli:{_os_user()}", "rotated"),
        ("api_key.revoke", "api_key:svc-2026-12", "key:root", ""),
    ]
    print(
        f"key rotation ({engine.dialect.name}): new key accepted after {seen_after:.2f} s, "
        f"revoked key refused after {refused_after:.2f} s (cache TTL {TTL} s)"
    )


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def test_only_an_admin_key_manages_keys(served: tuple[httpx.Client, Path, Clock]) -> None:
    client, _, _ = served
    body = {"name": "sneaky", "scopes": ["admin"]}
    assert client.post("/v1/admin/keys", json=body).status_code == 401
    assert client.post("/v1/admin/keys", json=body, headers=bearer(READ)).status_code == 403
    assert client.get("/v1/admin/keys", headers=bearer(READ)).status_code == 403
    assert client.delete("/v1/admin/keys/x", headers=bearer(READ)).status_code == 403
    made = client.post(
        "/v1/admin/keys", json={"name": "ingester", "scopes": ["ingest"]}, headers=bearer(ADMIN)
    )
    assert made.status_code == 201
    # A run-time key without the admin scope cannot make itself an admin one either.
    assert (
        client.post("/v1/admin/keys", json=body, headers=bearer(made.json()["key"])).status_code
        == 403
    )
    assert client.get("/v1/admin/keys", headers=bearer(ADMIN)).json()["keys"][0]["name"] == (
        "ingester"
    )


def test_bad_key_requests_are_refused_with_the_reason(
    served: tuple[httpx.Client, Path, Clock],
) -> None:
    client, config_path, _ = served
    cases = [
        ({"name": "x", "scopes": ["ingest"], "models": ["nope"]}, 422, "unknown model"),
        ({"name": "root", "scopes": ["ingest"]}, 422, "collector.api_keys"),
        ({"name": "x", "scopes": ["superuser"]}, 422, "scopes"),
        ({"name": "x", "scopes": ["ingest"], "expires_in": "soon"}, 422, "invalid duration"),
        ({"name": "42", "scopes": ["ingest"]}, 422, "not only digits"),
    ]
    for body, status, reason in cases:
        answer = client.post("/v1/admin/keys", json=body, headers=bearer(ADMIN))
        assert answer.status_code == status and reason in answer.text, (body, answer.text)
    assert (
        client.post(
            "/v1/admin/keys", json={"name": "dup", "scopes": ["read"]}, headers=bearer(ADMIN)
        ).status_code
        == 201
    )
    again = client.post(
        "/v1/admin/keys", json={"name": "dup", "scopes": ["read"]}, headers=bearer(ADMIN)
    )
    assert again.status_code == 409
    assert client.delete("/v1/admin/keys/missing", headers=bearer(ADMIN)).status_code == 404
    assert client.delete("/v1/admin/keys/root", headers=bearer(ADMIN)).status_code == 422
    code, _, err = vigil(
        "keys", "create", "-c", str(config_path), "--name", "dup", "--scopes", "read"
    )
    assert code == 2 and "exists already" in err
    code, _, err = vigil("keys", "revoke", "-c", str(config_path), "partner")
    assert code == 2 and "collector.api_keys" in err
    code, _, err = vigil(
        "keys",
        "create",
        "-c",
        str(config_path),
        "--name",
        "m",
        "--scopes",
        "ingest",
        "--models",
        "nope",
    )
    assert code == 2 and "unknown model" in err


def test_a_key_limited_to_a_model_and_an_expiring_key(
    served: tuple[httpx.Client, Path, Clock],
) -> None:
    client, config_path, clock = served
    code, churn_key, err = vigil(
        "keys", "create", "-c", str(config_path), "--name", "churn-svc", "--scopes", "ingest",
        "--models", "churn", "--expires-in", "30d",
    )  # fmt: skip
    assert code == 0, err
    churn_key = churn_key.strip()
    _, answer = wait_for_status(
        lambda: client.post("/v1/predictions", json=batch(1, "churn"), headers=bearer(churn_key)),
        200,
        within=TTL + 2,
    )
    assert answer.status_code == 200
    denied = client.post("/v1/predictions", json=batch(1, "credit"), headers=bearer(churn_key))
    assert denied.status_code == 422 and "may not send for this model" in denied.text

    clock.now += timedelta(days=30, seconds=1)
    expired = client.post("/v1/predictions", json=batch(1, "churn"), headers=bearer(churn_key))
    assert expired.status_code == 401 and "expired" in expired.json()["error"]
    code, out, _ = vigil("keys", "list", "-c", str(config_path), "--all")
    assert code == 0
    assert "churn-svc" in out and "ingest" in out  # listed; its state is read at the wall clock
    code, out, _ = vigil("keys", "list", "-c", str(config_path))
    assert "churn-svc" in out  # still active by the wall clock: only the app's clock moved


def _all_database_text(engine: Engine, tmp_path: Path) -> bytes:
    """SQLite: the bytes of the database files. PostgreSQL: every row of every table as text."""
    if engine.dialect.name == "sqlite":
        engine.dispose()  # let SQLite checkpoint; the WAL is scanned too in case it did not
        files = list(tmp_path.glob("vigil.db*"))
        assert files
        return b"".join(f.read_bytes() for f in files)
    chunks = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for (row,) in conn.execute(text(f'SELECT CAST(t AS text) FROM "{table}" t')):
                chunks.append(row.encode())
    return b"\n".join(chunks)


def test_secrets_are_never_stored_in_clear(
    served: tuple[httpx.Client, Path, Clock], engine: Engine, tmp_path: Path
) -> None:
    client, config_path, _ = served
    secrets = []
    for i in range(3):
        made = client.post(
            "/v1/admin/keys", json={"name": f"api-{i}", "scopes": ["ingest"]}, headers=bearer(ADMIN)
        )
        secrets.append(made.json()["key"])
    code, out, _ = vigil(
        "keys", "create", "-c", str(config_path), "--name", "cli", "--scopes", "read"
    )
    assert code == 0
    secrets.append(out.strip())
    client.delete("/v1/admin/keys/api-0", headers=bearer(ADMIN))
    assert (
        client.post("/v1/predictions", json=batch(2), headers=bearer(secrets[1])).status_code == 200
    )
    dump = _all_database_text(engine, tmp_path)
    for secret in secrets:
        assert secret.encode() not in dump
        assert secret[4:].encode() not in dump  # not even without its prefix
        assert hash_key(secret).encode() in dump  # the scan does see the table
    assert ADMIN.encode() not in dump


def test_stored_keys_are_cached_and_outlive_a_store_outage(
    unreachable_store: tuple[Engine, Callable[[], None]],
) -> None:
    engine, repair = unreachable_store
    repair()
    seconds = [0.0]
    stored = StoredKeys(engine, ttl=5.0, timer=lambda: seconds[0], background=False)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    auth = Authenticator((), stored, lambda: now)
    made = create_key(
        engine,
        KeyRequest(name="svc", scopes=("ingest",)),
        actor="test",
        now=now,
        known_models=(),
        config_names=(),
    )
    assert auth.authenticate(f"Bearer {made.secret}").name == "svc"
    # A second key within the TTL is not seen yet: no query per request.
    later = create_key(
        engine,
        KeyRequest(name="svc2", scopes=("ingest",)),
        actor="test",
        now=now,
        known_models=(),
        config_names=(),
    )
    with pytest.raises(AuthError):
        auth.authenticate(f"Bearer {later.secret}")
    seconds[0] = 5.0
    assert auth.authenticate(f"Bearer {later.secret}").name == "svc2"
    # The database goes away: the keys last read stay valid, nothing raises.
    engine.dispose()
    folder = Path(engine.url.database or "").parent
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    folder.write_text("gone")
    seconds[0] = 11.0
    assert auth.authenticate(f"Bearer {made.secret}").name == "svc"
    folder.unlink()
    folder.mkdir()
    upgrade(engine)  # an empty store again: its keys are gone, and after the TTL so are ours
    seconds[0] = 17.0
    with pytest.raises(AuthError):
        auth.authenticate(f"Bearer {made.secret}")


def test_a_stale_cache_answers_at_once_and_refreshes_in_the_background(
    sqlite_engine: Engine,
) -> None:
    seconds = [0.0]
    stored = StoredKeys(sqlite_engine, ttl=5.0, timer=lambda: seconds[0])
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    auth = Authenticator((), stored, lambda: now)
    with pytest.raises(AuthError):
        auth.authenticate("Bearer " + "x" * 30)  # the first lookup reads the table inline
    made = create_key(
        sqlite_engine,
        KeyRequest(name="svc", scopes=("ingest",)),
        actor="test",
        now=now,
        known_models=(),
        config_names=(),
    )
    seconds[0] = 6.0
    with pytest.raises(AuthError):  # stale: answered from the cache, a refresh starts
        auth.authenticate(f"Bearer {made.secret}")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            assert auth.authenticate(f"Bearer {made.secret}").name == "svc"
            break
        except AuthError:
            time.sleep(0.01)
    else:
        raise AssertionError("the background refresh did not bring the new key within 5 s")


def test_config_keys_work_without_a_store(tmp_path: Path) -> None:
    config = VigilConfig.model_validate(
        {"collector": {"api_keys": [{"name": "svc", "key": "k" * 20, "scopes": ["ingest"]}]}}
    )
    auth = Authenticator(config.collector.api_keys)
    assert auth.authenticate("Bearer " + "k" * 20).name == "svc"
