"""Daily cloud inventory: a StackQL query -> Parquet -> Snowflake.

Counts the Google Compute Engine instances of one project and zone per status with StackQL (the
seed notebook's query), writes the result as Parquet, and appends it to Snowflake's
``INSTANCES_BY_STATUS`` table. ``project``, ``zone`` and ``output_dir`` (local, ``gs://`` or
``s3://``) are DAG params; values reach the query as psycopg2 parameters, never pasted into SQL.
Connections: ``stackql_default`` (a StackQL server, ``stackql --pgsrv.port=5444 srv``) and
``snowflake_default``.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag

from airflow_provider_dataops.operators.parquet_to_snowflake import ParquetToSnowflakeOperator
from airflow_provider_dataops.operators.stackql import StackQLToParquetOperator

INSTANCES_PER_STATUS = """
SELECT status, COUNT(*) AS num_instances, %(project)s AS project, %(zone)s AS zone, %(ds)s AS snapshot_date
FROM google.compute.instances
WHERE project = %(project)s AND zone = %(zone)s
GROUP BY status
"""
# Under AIRFLOW_HOME, not a shared temp folder another local user could plant files or symlinks in.
AIRFLOW_HOME = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
DEFAULT_OUTPUT_DIR = os.path.join(AIRFLOW_HOME, "dataops", "cloud_inventory")
# The run's logical date, or when it was queued for runs without one (`airflow dags trigger`, REST with
# a null logical_date, asset events); both are fixed per run, so a retry writes the same snapshot.
RUN_DATE = "{{ (dag_run.logical_date or dag_run.run_after) | ds }}"


@dag(
    dag_id="cloud_inventory",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["dataops", "stackql", "snowflake"],
    params={
        "project": Param("stackql-demo", type="string", description="Google Cloud project"),
        "zone": Param("australia-southeast1-a", type="string", description="Compute Engine zone"),
        "output_dir": Param(DEFAULT_OUTPUT_DIR, type="string", description="local, gs:// or s3:// folder"),
    },
)
def cloud_inventory() -> None:
    export = StackQLToParquetOperator(
        task_id="export_instances_by_status",
        sql=INSTANCES_PER_STATUS,
        parameters={"project": "{{ params.project }}", "zone": "{{ params.zone }}", "ds": RUN_DATE},
        output_path="{{ params.output_dir }}/" + RUN_DATE + "/instances_by_status.parquet",
        stackql_conn_id="stackql_default",
    )
    load = ParquetToSnowflakeOperator(
        task_id="load_to_snowflake",
        source="{{ ti.xcom_pull(task_ids='export_instances_by_status')['path'] }}",
        table="INSTANCES_BY_STATUS",
        if_exists="append",
    )
    export >> load


cloud_inventory()
