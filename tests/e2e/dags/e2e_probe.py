"""Stand-in for ``lineage_scan`` in the end-to-end tests until it lands: an integer Param, two tasks."""

from __future__ import annotations

import os
import socket

from airflow.sdk import Param, dag, task


@dag(
    dag_id="e2e_probe",
    schedule=None,
    catchup=False,
    params={
        "retention_days": Param(7, type="integer", minimum=0, description="Delete results older than this")
    },
    tags=["e2e"],
)
def e2e_probe() -> None:
    @task
    def scan(params: dict | None = None) -> dict:
        return {
            "retention_days": (params or {})["retention_days"],
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }

    @task
    def report(result: dict) -> str:
        return f"kept {result['retention_days']} days"

    report(scan())


e2e_probe()
