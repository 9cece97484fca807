"""Daily SQL lineage scan, one HOCON-configured task group per application.

Every ``config/lineage_scan/apps/*.conf`` includes the shared ``base.conf`` pipeline:
scan (``sql_lineage``: the application's SQL under ``config/lineage_scan/sql/APP`` to OpenLineage
events with column lineage) -> modify results (``lineage_facets``: application and DAG run as
facets) -> upload (``openlineage_emit``: to the OpenLineage backend Airflow is configured with, or,
without one, the lake folder) -> backup -> clean workspace -> delete backups older than
``retention_days`` (a DAG Param, settable from the trigger form). Without an OpenLineage
transport everything runs locally, under ``$DATAOPS_LINEAGE_ROOT`` (default:
``$AIRFLOW_HOME/dataops/lineage``, created mode 0700: a shared folder such as ``/tmp`` would let
another local user plant files there; the tasks refuse one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param

from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

CONFIG = Path(__file__).resolve().parent / "config" / "lineage_scan"
AIRFLOW_HOME = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
ROOT = os.environ.get("DATAOPS_LINEAGE_ROOT") or os.path.join(AIRFLOW_HOME, "dataops", "lineage")

with DAG(
    dag_id="lineage_scan",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # Each application's workspace is shared across runs: a second run at once would clean it away.
    max_active_runs=1,
    tags=["dataops", "hocon", "lineage"],
    params={
        "retention_days": Param(
            30,
            type="integer",
            minimum=0,
            title="Retention (days)",
            description="Backups older than this many days are deleted.",
        )
    },
    doc_md=__doc__,
):
    for app_config in sorted((CONFIG / "apps").glob("*.conf")):
        HoconTaskGroup(
            app_config.stem,
            app_config.relative_to(CONFIG.parent.parent),
            variables={"ROOT": ROOT},
            tooltip=f"lineage scan of {app_config.stem}",
        )
