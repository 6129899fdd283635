"""Load for the ingestion benchmark: events, a collector process, and two load shapes.

- :func:`closed_loop`: ``concurrency`` threads post pre-encoded batches back to back;
  measures how many events per second the collector acknowledges at saturation.
- :func:`open_loop`: batches are sent on a fixed schedule (an offered load) whatever the
  answers; the latency of each is measured from its *scheduled* send time, so a stalled
  server is not hidden by a client that waits for it (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

SERVER = Path(__file__).with_name("server.py")
KEY = "bench-ingest-key-0123456789"
HEADERS = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}


def event(i: int, run: str, features: int = 20) -> dict[str, Any]:
    """Prediction ``i`` of a run: 20 numeric features, a score, a unique request id, and
    its own timestamp (one per millisecond, as a busy model service would send)."""
    seconds, millis = divmod(i, 1000)
    minutes, seconds = divmod(seconds, 60)
    return {
        "model": "bench",
        "version": "v1",
        "request_id": f"{run}-{i}",
        "timestamp": f"2026-03-02T08:{minutes % 60:02d}:{seconds:02d}.{millis:03d}Z",
        "features": {f"f{j}": ((i * 7 + j) % 1000) / 10 for j in range(features)},
        "score": (i % 100) / 100,
        "latency_ms": 12.5,
    }


def bodies(run: str, batches: int, batch_size: int) -> list[bytes]:
    """Pre-encoded JSON bodies, so the load generator spends no time encoding."""
    return [
        json.dumps([event(b * batch_size + k, run) for k in range(batch_size)]).encode()
        for b in range(batches)
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (the collector's writer process, if it runs one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _own_peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib(pid: int) -> float:
    """The peak resident set (VmHWM) of a live process plus its children's, in MiB
    (an upper bound of the peak of the whole: each may peak at a different time)."""
    return sum(_own_peak_rss_mib(p) for p in [pid, *_children(pid)])


def _own_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a live process (all its threads) and its live children
    (the writer process) have used so far."""
    return sum(_own_cpu_seconds(p) for p in [pid, *_children(pid)])


@contextmanager
def collector(
    db_url: str, durability: str, spool: Path, profiles: bool = True, writer: str = "process"
) -> Iterator[tuple[str, int]]:
    """Run ``server.py`` in its own process; yield its URL and pid; stop it afterwards."""
    port = _free_port()
    argv = [sys.executable, str(SERVER), "--db", db_url, "--durability", durability]
    argv += ["--writer", writer]
    if not profiles:
        argv.append("--no-profiles")
    proc = subprocess.Popen([*argv, "--spool", str(spool), "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the collector did not start within 30 s")
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def spool_records(url: str) -> float:
    """``vigil_spool_records`` from the collector's ``/metrics`` (0 in direct mode)."""
    for line in httpx.get(f"{url}/metrics", timeout=5).text.splitlines():
        if line.startswith("vigil_spool_records "):
            return float(line.split()[1])
    return 0.0


def closed_loop(url: str, payloads: list[bytes], concurrency: int, timeout: float) -> float:
    """Post every payload with ``concurrency`` threads; return the seconds it took.

    Each thread keeps one ``http.client`` connection: the load generator shares the two
    cores with the collector, and httpx's client cost 4-6 us of CPU per event here, a
    fifth of what the collector itself spends (``http.client``: ~1 us).
    """
    lock = threading.Lock()
    queue = iter(payloads)
    failures: list[str] = []
    deadline = time.monotonic() + timeout
    address = urlsplit(url)

    def worker() -> None:
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            while time.monotonic() < deadline:
                with lock:
                    body = next(queue, None)
                if body is None:
                    return
                conn.request("POST", "/v1/predictions", body=body, headers=HEADERS)
                response = conn.getresponse()
                answer = response.read()
                if response.status != 200:
                    failures.append(f"{response.status} {answer[:200]!r}")
                    return
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 60)
    elapsed = time.perf_counter() - started
    if failures or next(queue, None) is not None:
        raise RuntimeError(f"closed loop incomplete: {failures[:1] or 'timed out'}")
    return elapsed


async def _open_loop(url: str, payloads: list[bytes], interval: float) -> list[float]:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        latencies: list[float] = []

        async def send(body: bytes, scheduled: float) -> None:
            response = await client.post("/v1/predictions", content=body, headers=HEADERS)
            latencies.append(time.perf_counter() - scheduled)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} {response.text[:200]}")

        start = time.perf_counter() + 0.1
        tasks = []
        for n, body in enumerate(payloads):
            scheduled = start + n * interval
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            tasks.append(asyncio.create_task(send(body, scheduled)))
        await asyncio.gather(*tasks)
        return latencies


@contextmanager
def gc_pauses() -> Iterator[list[float]]:
    """Seconds of each garbage collection in this process (the load generator) while the
    block runs: a long one stalls the sender, and its requests' latency would be charged
    to the collector."""
    pauses: list[float] = []
    started: list[float] = []

    def hook(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(hook)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(hook)


def open_loop(url: str, payloads: list[bytes], interval: float) -> list[float]:
    """Send one payload every ``interval`` seconds; return each one's latency in seconds."""
    return asyncio.run(_open_loop(url, payloads, interval))
