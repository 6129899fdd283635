"""A collector in a process of its own, for the kill -9 test.

``python spool_server.py DB_URL SPOOL_DIR WRITER_DELAY`` opens (and migrates) the store,
opens the spool (reporting how many records an earlier run left), starts the writer and
serves the ingestion API on a free 127.0.0.1 port. Predictions are stored with their
profiles, as ``vigil serve`` stores them. It prints ``PENDING <n>`` and then
``PORT <n>`` once the socket listens. It is meant to be killed, not stopped.
"""

from __future__ import annotations

import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from collector_harness import KEYS, MODELS
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from collector.api import ingestion_router
from collector.config import CollectorConfig
from collector.ingestion import open_ingestion
from collector.metrics import CollectorMetrics
from collector.profiles.profiler import Profiler
from store.db import create_store_engine, upgrade


def wall_clock() -> datetime:
    return datetime.now(UTC)


def main(db_url: str, spool_dir: str, writer_delay: str, writer: str = "thread") -> None:
    engine = create_store_engine(db_url)
    upgrade(engine)
    config = CollectorConfig(
        api_keys=KEYS, spool_dir=spool_dir, writer_delay_seconds=float(writer_delay)
    )
    registry = CollectorRegistry()
    metrics = CollectorMetrics(registry)
    sink = open_ingestion(
        engine,
        config,
        Path(spool_dir),
        metrics,
        wall_clock,
        Profiler(engine, MODELS, config.profiles, wall_clock),
        writer="process" if writer == "process" else "thread",
    )
    print(f"PENDING {int(registry.get_sample_value('vigil_spool_records') or 0)}", flush=True)
    sink.start()
    app = FastAPI()
    app.include_router(ingestion_router(engine, MODELS, config, metrics, wall_clock, sink))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    server.run(sockets=[sock])


if __name__ == "__main__":
    main(*sys.argv[1:5])
