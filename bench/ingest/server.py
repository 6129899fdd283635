"""The collector under benchmark: ``vigil serve``'s app, alone, in a process of its own.

Started by ``bench_ingest.py`` so that the load generator does not share its GIL. Builds
the same app as ``vigil serve`` (``vigil.app.build_app``) with one model of 20 numeric
features, opens the sink ``--durability`` asks for with the profiler ``vigil serve`` gives
it (``--no-profiles`` leaves it out), and serves on 127.0.0.1 until killed.
"""

from __future__ import annotations

import argparse
import signal
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from prometheus_client import CollectorRegistry

from collector.config import ApiKeyConfig, CollectorConfig
from collector.gc_policy import settle_heap
from collector.ingestion import open_ingestion
from collector.metrics import CollectorMetrics
from collector.profiles.profiler import Profiler
from store.db import create_store_engine, upgrade
from store.predictions import register_models
from store.specs import FeatureSpec, ModelSpec
from vigil.app import build_app
from vigil.config import VigilConfig

KEY = "bench-ingest-key-0123456789"
FEATURES = 20


def wall_clock() -> datetime:
    return datetime.now(UTC)


def bench_config(durability: str, spool_dir: Path) -> VigilConfig:
    """One model ``bench`` with features ``f0`` .. ``f19`` and one ingest key."""
    model = ModelSpec(
        name="bench",
        features=tuple(FeatureSpec(name=f"f{i}", type="numeric") for i in range(FEATURES)),
    )
    collector = CollectorConfig(
        api_keys=(ApiKeyConfig(name="bench", key=KEY),),
        durability=durability,  # type: ignore[arg-type]
        spool_dir=str(spool_dir),
    )
    return VigilConfig(models=(model,), collector=collector)


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the store")
    parser.add_argument("--durability", choices=("spool", "direct"), required=True)
    parser.add_argument("--spool", required=True, help="spool folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--no-profiles", action="store_true", help="store events without profiling them"
    )
    parser.add_argument(
        "--writer",
        choices=("process", "thread"),
        default="process",
        help="where the spool's writer runs (collector.writer; vigil serve's default: process)",
    )
    args = parser.parse_args()
    config = bench_config(args.durability, Path(args.spool))
    engine = create_store_engine(args.db)
    upgrade(engine)
    register_models(engine, [("bench", "binary_classification")], wall_clock())
    registry = CollectorRegistry()
    profiler = None
    if not args.no_profiles:  # as `vigil serve` does (vigil.serve.open_collector)
        profiler = Profiler(engine, config.models, config.collector.profiles, wall_clock)
    sink = open_ingestion(
        engine,
        config.collector,
        Path(args.spool),
        CollectorMetrics(registry),
        wall_clock,
        profiler=profiler,
        writer=args.writer,
    )
    sink.start()
    app = build_app(config, engine, registry, wall_clock, ingestion=sink)
    settle_heap()  # as `vigil serve` does (collector.gc_policy)
    signal.signal(signal.SIGTERM, _exit)
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    finally:
        sink.shutdown(timeout=10)
        if profiler is not None:
            profiler.flush()
        engine.dispose()


if __name__ == "__main__":
    main()
