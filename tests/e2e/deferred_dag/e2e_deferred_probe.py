"""A task that reports the processes it runs under, then a deferrable sensor the triggerer resumes."""

from __future__ import annotations

import os

from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import dag, task


@dag(dag_id="e2e_deferred_probe", schedule=None, catchup=False, tags=["e2e"])
def e2e_deferred_probe() -> None:
    @task
    def whoami() -> dict:
        import psutil

        return {"pid": os.getpid(), "ancestors": [p.pid for p in psutil.Process().parents()]}

    in_four_seconds = (
        "{{ (macros.datetime.now(macros.dateutil.tz.UTC) + macros.timedelta(seconds=4)).isoformat() }}"
    )
    wait = DateTimeSensorAsync(task_id="wait", target_time=in_four_seconds)
    whoami() >> wait


e2e_deferred_probe()
