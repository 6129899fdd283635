"""Benchmark of ``vigil replay``: a day of traffic at 1M predictions/day, 20 features.

Generates the events file once with a fixed seed (cached in ``--workdir``), then replays it
through the whole loop (drift, quality and SLO jobs every 5 minutes / every minute, rules,
router, recording receivers) with one-minute clock steps, and reports events per second and
where the time went. Target: the whole replay in under 2 minutes on the reference machine.

    python bench/replay/bench_replay.py                        # 1M predictions, 24 h
    python bench/replay/bench_replay.py --predictions 100000   # a quick look
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

START = datetime(2026, 3, 2, tzinfo=UTC)

CONFIG = """\
version: vigil/v1
models:
  - name: bench
    task: binary_classification
    team: bench
    reference: {{path: reference.csv}}
    features:
{features}
detectors:
  drift: {{enabled: {drift}, source: {source}, interval: 5m, window: 1h}}
  quality: {{enabled: {quality}, interval: 5m, window: 1h}}
  performance: {{enabled: false}}
  estimated_performance: {{enabled: false}}
  fairness: {{enabled: false}}
slos:
  - {{name: bench-availability, model: bench, sli: {{kind: availability}}, objective: 99.9,
      window: 30d}}
alerting:
  evaluation_interval: 1m
  runbooks_dir: {runbooks}
  rules:
    - {{alert: FeatureDrift, detector: drift, severity: warning, runbook: feature-drift}}
    - {{alert: DataQualityDegraded, detector: quality, severity: warning, runbook: data-quality}}
    - {{alert: SLOErrorBudgetBurn, detector: slo, severity: critical, runbook: slo-burn}}
  route: {{receiver: oncall, group_by: [alertname, model], group_wait: 0s}}
  receivers:
    - name: oncall
      log_configs: [{{path: alerts.jsonl}}]
"""


def write_inputs(
    workdir: Path, predictions: int, features: int, hours: int, seed: int, drift: str, quality: bool
) -> Path:
    """The config, the reference and the events file (reused when already generated)."""
    import orjson

    workdir.mkdir(parents=True, exist_ok=True)
    names = [f"x{i:02d}" for i in range(features)]
    rng = np.random.default_rng(seed)
    reference = rng.normal(0, 1, size=(20_000, features))
    lines = [",".join(names)] + [",".join(f"{v:.5f}" for v in row) for row in reference]
    (workdir / "reference.csv").write_text("\n".join(lines) + "\n")
    listed = "\n".join(f"      - {{name: {n}, type: numeric}}" for n in names)
    (workdir / "vigil.yaml").write_text(
        CONFIG.format(
            features=listed,
            runbooks=ROOT / "runbooks",
            drift="false" if drift == "off" else "true",
            source="raw" if drift == "off" else drift,
            quality="true" if quality else "false",
        )
    )
    events = workdir / f"events-{predictions}-{features}-{hours}h-{seed}.jsonl"
    if events.exists():
        return events
    spacing = timedelta(hours=hours) / predictions
    with events.open("wb") as out:
        for chunk in range(0, predictions, 50_000):
            size = min(50_000, predictions - chunk)
            values = np.round(rng.normal(0, 1, size=(size, features)), 5).tolist()
            failed = rng.random(size) < 0.001
            for i in range(size):
                n = chunk + i
                event = {
                    "type": "prediction",
                    "ts": (START + n * spacing).isoformat(),
                    "model": "bench",
                    "version": "v1",
                    "request_id": f"r{n:09d}",
                    "features": dict(zip(names, values[i], strict=True)),
                    "latency_ms": 25.0,
                }
                if failed[i]:
                    event["error"] = "timeout"
                else:
                    event["score"] = 0.25
                    event["prediction"] = 0
                out.write(orjson.dumps(event) + b"\n")
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--predictions", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vigil-bench-replay"))
    parser.add_argument("--profile", action="store_true", help="cProfile; print the top 25")
    parser.add_argument(
        "--drift",
        choices=("profiles", "raw", "off"),
        default="profiles",
        help="drift from the collector's profiles (default), from raw rows, or off",
    )
    parser.add_argument("--quality", action="store_true", help="also the quality job (raw rows)")
    args = parser.parse_args()

    from vigil.config import load_config
    from vigil.replay.run import ReplayOptions, replay

    moment = time.perf_counter()
    events = write_inputs(
        args.workdir,
        args.predictions,
        args.features,
        args.hours,
        args.seed,
        drift=args.drift,
        quality=args.quality,
    )
    print(f"events file {events} ready in {time.perf_counter() - moment:.1f} s", file=sys.stderr)
    config = load_config(str(args.workdir / "vigil.yaml"))
    options = ReplayOptions(events=events, progress=False)
    cpu = time.process_time()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(replay, config, options)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    else:
        result = replay(config, options)
    total = result.seconds["total"]
    cpu = time.process_time() - cpu
    source = result.timeline["input"]
    report = {
        "predictions": args.predictions,
        "features": args.features,
        "hours": args.hours,
        "drift": args.drift,
        "quality": args.quality,
        "steps": result.timeline["replay"]["steps"],
        "accepted": source["accepted"],
        "rejected": source["rejected"],
        "seconds_total": round(total, 1),
        "cpu_seconds": round(cpu, 1),
        "events_per_second": round(source["events"] / total),
        "seconds": {k: round(v, 1) for k, v in sorted(result.seconds.items())},
        "pages": result.timeline["summary"]["pages"],
        "alerts_by_name": result.timeline["summary"]["alerts_by_name"],
        "target_met": total < 120,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
