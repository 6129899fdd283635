"""`vigil serve` as an operator runs it: a subprocess with a YAML file, the API, the spool
writer and the scheduler in one process, stopped with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np

from store.db import create_store_engine
from store.predictions import count_predictions
from store.profiles import window_reservoir
from store.signals import latest_signals

KEY = "serve-test-ingest-key-0001"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _config(tmp_path: Path, port: int) -> Path:
    reference = tmp_path / "reference.csv"
    reference.write_text("x,kind\n" + "".join(f"{i % 50},{'ab'[i % 2]}\n" for i in range(500)))
    path = tmp_path / "vigil.yaml"
    path.write_text(
        f"""
storage: {{url: "sqlite:///{tmp_path / "vigil.db"}"}}
collector:
  port: {port}
  api_keys: [{{name: svc, key: {KEY}}}]
models:
  - name: m
    reference: {{path: reference.csv}}
    features: [{{name: x, type: numeric}}, {{name: kind, type: categorical}}]
detectors:
  drift: {{interval: 1s, window: 1h, min_sample_size: 10}}
"""
    )
    return path


def test_serve_ingests_through_the_spool_runs_the_scheduler_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    port = _free_port()
    config = _config(tmp_path, port)
    process = subprocess.Popen(
        [sys.executable, "-m", "vigil", "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            try:
                return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        _wait_for(ready, 30, "/readyz")
        now = time.time()
        events = [
            {
                "model": "m",
                "version": "1",
                "request_id": f"r{i}",
                "timestamp": now - 60 + i * 0.1,
                "features": {"x": float(i % 50) + 40, "kind": "a"},
            }
            for i in range(200)
        ]
        answer = httpx.post(
            f"{base}/v1/predictions", json=events, headers={"Authorization": f"Bearer {KEY}"}
        )
        assert answer.status_code == 200 and answer.json()["spooled"] == 200

        engine = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
        _wait_for(lambda: count_predictions(engine, "m") == 200, 20, "the writer to store")
        _wait_for(
            lambda: any(s.signal.status == "breach" for s in latest_signals(engine, "m")),
            20,
            "the scheduled drift job to flag the shifted feature",
        )
        metrics = httpx.get(f"{base}/metrics").text
        assert 'vigil_ingested_events_total{kind="predictions"} 200.0' in metrics
        engine.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    # The raw-row sample taken since the last periodic flush is stored on the way out.
    engine = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    day = datetime.fromtimestamp(now, UTC) - timedelta(days=1)
    sample = window_reservoir(engine, "m", day, day + timedelta(days=2), np.random.default_rng(0))
    engine.dispose()
    assert sample is not None and sample.seen == 200
