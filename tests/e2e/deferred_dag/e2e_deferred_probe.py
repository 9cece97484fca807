"""A task that reports the processes it runs under, then this package's DLP sensor, deferred.

The inspect job goes to the fake DLP API that the test runs (connection ``dlp_fake`` from the
environment); the job takes a few seconds, so the sensor defers and the triggerer resumes it.
"""

from __future__ import annotations

import os

from airflow.sdk import dag, task

from airflow_provider_dataops.operators.dlp import DlpInspectOperator
from airflow_provider_dataops.sensors.dlp import DlpJobSensor


@dag(dag_id="e2e_deferred_probe", schedule=None, catchup=False, tags=["e2e"])
def e2e_deferred_probe() -> None:
    @task
    def whoami() -> dict:
        import psutil

        return {"pid": os.getpid(), "ancestors": [p.pid for p in psutil.Process().parents()]}

    inspect = DlpInspectOperator(
        task_id="inspect",
        project_id="test-project",
        gcs_uri="gs://uploads/report.csv",
        gcp_conn_id="dlp_fake",
        record_generation=False,  # no GCS here: this DAG probes the deferral, not the gate
    )
    wait = DlpJobSensor(
        task_id="wait", job_name=inspect.output, gcp_conn_id="dlp_fake", deferrable=True, poke_interval=1
    )
    whoami() >> inspect >> wait


e2e_deferred_probe()
