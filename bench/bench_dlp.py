"""Benchmark: many DLP waits in one triggerer-like process vs the seed's busy loop.

The seed's second Cloud Function called ``get_dlp_job`` in a loop with no sleep until the job
finished, one function instance (here: one worker slot / process) per waiting job. The
deferrable ``DlpJobSensor`` hands the wait to ``DlpJobTrigger`` in the triggerer: this runs
N = 100 and 1,000 ``DlpJobTrigger.run()`` coroutines in one asyncio process (as the triggerer
does) against the local fake DLP REST API (tests/fixtures/dlp.py, in its own process), with the
real google-cloud-dlp client over REST. Measured in this run, not quoted:

* RSS per waiting job: seed = RSS of one process holding one busy wait; triggers = (peak RSS
  - RSS before the waits) / N.
* API calls per job-minute over the same window.
* worker slots held while waiting: seed N (one per wait), deferred 0 (triggerer only).

Usage: ``python bench/bench_dlp.py`` (``make bench``). Takes about two minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POLL_INTERVAL = 10.0
WINDOW = 30.0
BUSY_WINDOW = 10.0
SIZES = (100, 1000)
RSS_TARGET_MB = 300.0
CONN_ID = "dlp_bench"
CONFIG = {
    "storageConfig": {"cloudStorageOptions": {"fileSet": {"url": "gs://bench/object.csv"}}},
    "inspectConfig": {"infoTypes": [{"name": "EMAIL_ADDRESS"}], "minLikelihood": "LIKELY"},
}


def _rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local fake only)
        return json.loads(response.read())


def _calls(url: str) -> int:
    return int(_get_json(f"{url}/_fake/stats")["calls"].get("get", 0))


def _connection_env(url: str) -> dict[str, str]:
    conn = {
        "conn_type": "google_cloud_platform",
        "extra": {"is_anonymous": True, "project": "bench", "api_endpoint": url, "transport": "rest"},
    }
    return {f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(conn)}


def run_fake() -> None:
    """Child: the fake DLP API; jobs stay RUNNING for an hour. Prints its URL, runs until stdin closes."""
    from tests.fixtures.dlp import FakeDlp

    fake = FakeDlp(run_seconds=3600).start()
    print(fake.url, flush=True)
    sys.stdin.read()
    fake.stop()


def run_triggers(url: str, names: list[str]) -> dict[str, Any]:
    """Child: N DlpJobTrigger coroutines in one event loop, like the triggerer's TriggerRunner."""
    from airflow_provider_dataops.triggers.dlp import DlpJobTrigger, _shared_hook

    _shared_hook(CONN_ID, None)  # the client every trigger in the process shares
    base = _rss_mb()

    async def main() -> dict[str, Any]:
        async def consume(trigger: DlpJobTrigger) -> None:
            async for _event in trigger.run():
                return

        start_calls = _calls(url)
        tasks = [
            asyncio.create_task(
                consume(DlpJobTrigger(name, gcp_conn_id=CONN_ID, poll_interval=POLL_INTERVAL))
            )
            for name in names
        ]
        peak, started = base, time.monotonic()
        while time.monotonic() - started < WINDOW:
            await asyncio.sleep(0.5)
            peak = max(peak, _rss_mb())
        elapsed = time.monotonic() - started
        calls = await asyncio.to_thread(_calls, url) - start_calls
        finished = sum(task.done() for task in tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return {"base": base, "peak": peak, "calls": calls, "elapsed": elapsed, "finished_early": finished}

    return asyncio.run(main())


def run_busy(url: str, name: str) -> dict[str, Any]:
    """Child: the seed's wait, ``get_dlp_job`` in a loop with no sleep, in its own process."""
    from airflow_provider_dataops.hooks.dlp import DlpHook

    hook = DlpHook(gcp_conn_id=CONN_ID)
    hook.get_job(name)
    calls, started = 0, time.monotonic()
    while time.monotonic() - started < BUSY_WINDOW:
        hook.get_job(name)
        calls += 1
    return {"rss": _rss_mb(), "calls": calls, "elapsed": time.monotonic() - started}


def _child(args: list[str], env: dict[str, str], payload: Any = None) -> Any:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _create_jobs(url: str, count: int, prefix: str) -> list[str]:
    names: list[str] = []
    for i in range(count):
        body = json.dumps({"inspectJob": CONFIG, "jobId": f"{prefix}-{i}"}).encode()
        request = urllib.request.Request(  # noqa: S310 (local fake only)
            f"{url}/v2/projects/bench/dlpJobs", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            names.append(json.loads(response.read())["name"])
    return names


def main() -> None:
    fake = subprocess.Popen(
        [sys.executable, __file__, "fake"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert fake.stdout is not None
        url = fake.stdout.readline().strip()
        env = _connection_env(url)
        (busy_job,) = _create_jobs(url, 1, "busy")
        busy = _child(["busy", url, busy_job], env)
        busy_calls_per_min = busy["calls"] / busy["elapsed"] * 60
        rows: list[tuple[str, str, str, str, str]] = []
        for n in SIZES:
            names = _create_jobs(url, n, f"n{n}")
            result = _child(["triggers", url], env, names)
            per_job = max(result["peak"] - result["base"], 0.0) / n
            calls_per_min = result["calls"] / n / (result["elapsed"] / 60)
            seed_total = busy["rss"] * n
            rows += [
                (
                    f"RSS per waiting job, MB (N={n})",
                    f"{busy['rss']:.1f}",
                    f"{per_job:.3f}",
                    f"{per_job / busy['rss']:.5f}",
                    "<< 1",
                ),
                (
                    f"RSS of all N waits, MB (N={n})",
                    f"{seed_total:.0f} ({n} procs)",
                    f"{result['peak']:.0f} (1 proc)",
                    f"{result['peak'] / seed_total:.4f}",
                    f"< {RSS_TARGET_MB:.0f} MB" if n == 1000 else "-",
                ),
                (
                    f"API calls per job-minute (N={n})",
                    f"{busy_calls_per_min:.0f}",
                    f"{calls_per_min:.2f}",
                    f"{calls_per_min / busy_calls_per_min:.5f}",
                    f"~{60 / POLL_INTERVAL:.0f} (poll {POLL_INTERVAL:.0f} s)",
                ),
                (f"worker slots held (N={n})", f"{n}", "0", "0", "0"),
            ]
            if result["finished_early"]:
                raise SystemExit(f"{result['finished_early']} triggers ended early (errors?)")
            if n == 1000 and result["peak"] >= RSS_TARGET_MB:
                print(
                    f"WARNING: 1,000 waits took {result['peak']:.0f} MB RSS, "
                    f"over the {RSS_TARGET_MB:.0f} MB target"
                )
    finally:
        if fake.stdin:
            fake.stdin.close()
        fake.wait(timeout=30)
    widths = [36, 18, 16, 9, 18]
    header = ("metric", "seed busy loop", "DlpJobTrigger", "ratio", "target")
    print(f"DLP waits: deferred triggers in one process vs the seed's busy loop (window {WINDOW:.0f} s)")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "main"
    if mode == "fake":
        run_fake()
    elif mode == "triggers":
        print(json.dumps(run_triggers(sys.argv[2], json.loads(sys.stdin.read()))))
    elif mode == "busy":
        print(json.dumps(run_busy(sys.argv[2], sys.argv[3])))
    else:
        main()
