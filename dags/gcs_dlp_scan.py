"""Scan every object uploaded to a GCS bucket with Cloud DLP and alert Slack on sensitive data.

Replaces the seed's two Cloud Functions. An AssetWatcher pulls the bucket's OBJECT_FINALIZE
notifications from a Pub/Sub subscription (``MessageQueueTrigger(scheme="google+pubsub")``,
common-messaging provider); each batch of uploads becomes one DAG run that inspects every
object, waits for the jobs in the triggerer (no worker slot held), and posts one Slack
message per object whose findings reach the threshold. Start it by hand from the UI with the
``bucket`` and ``object`` params to scan one object. Set-up: README, "GCS DLP scanning".

Environment (read at parse time, no DB access): ``DLP_PROJECT_ID``, ``DLP_GCS_SUBSCRIPTION``,
``DLP_GCP_CONN_ID`` (default ``google_cloud_default``), ``DLP_SLACK_CONN_ID`` (``slack_default``),
``DLP_MIN_FINDINGS`` (1), ``DLP_POLL_SECONDS`` (30).
"""

from __future__ import annotations

import os
from typing import Any

from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
from airflow.sdk import DAG, Asset, AssetWatcher, Param, task

from airflow_provider_dataops.operators.dlp import DlpFindingsSlackOperator, DlpInspectOperator
from airflow_provider_dataops.sensors.dlp import DlpJobSensor

PROJECT_ID = os.environ.get("DLP_PROJECT_ID", "my-project")
SUBSCRIPTION = os.environ.get("DLP_GCS_SUBSCRIPTION", "gcs-uploads-dlp")
GCP_CONN_ID = os.environ.get("DLP_GCP_CONN_ID", "google_cloud_default")
SLACK_CONN_ID = os.environ.get("DLP_SLACK_CONN_ID", "slack_default")
MIN_FINDINGS = int(os.environ.get("DLP_MIN_FINDINGS", "1"))
POLL_SECONDS = float(os.environ.get("DLP_POLL_SECONDS", "30"))

uploads = Asset(
    "gcs_uploads_for_dlp",
    watchers=[
        AssetWatcher(
            name="gcs_object_finalize",
            trigger=MessageQueueTrigger(
                scheme="google+pubsub",
                project_id=PROJECT_ID,
                subscription=SUBSCRIPTION,
                max_messages=10,
                ack_messages=True,
                gcp_conn_id=GCP_CONN_ID,
                poke_interval=30.0,
            ),
        )
    ],
)

with DAG(
    dag_id="gcs_dlp_scan",
    schedule=[uploads],
    catchup=False,
    max_active_runs=8,
    params={
        "bucket": Param(
            None, type=["null", "string"], description="Bucket of the object to scan (manual runs)"
        ),
        "object": Param(None, type=["null", "string"], description="Object name, no wildcards (manual runs)"),
    },
    tags=["dlp", "gcs", "slack"],
    doc_md=__doc__,
):

    @task
    def objects_to_scan(params: dict[str, Any], triggering_asset_events: Any = None) -> list[str]:
        """gs:// URIs from the upload notifications, or from the params of a hand-started run."""
        from airflow_provider_dataops.dlp.events import object_uri_from_params, object_uris_from_events

        extras = [event.extra for events in (triggering_asset_events or {}).values() for event in events]
        uris = object_uris_from_events(extras)
        return uris or [object_uri_from_params(params.get("bucket"), params.get("object"))]

    inspect = DlpInspectOperator.partial(
        task_id="inspect", project_id=PROJECT_ID, gcp_conn_id=GCP_CONN_ID, retries=2
    ).expand(gcs_uri=objects_to_scan())
    wait = DlpJobSensor.partial(
        task_id="wait_for_scan",
        gcp_conn_id=GCP_CONN_ID,
        deferrable=True,
        poke_interval=POLL_SECONDS,
        timeout=6 * 3600,
    ).expand(job_name=inspect.output)
    DlpFindingsSlackOperator.partial(
        task_id="alert_slack", slack_webhook_conn_id=SLACK_CONN_ID, min_findings=MIN_FINDINGS, retries=3
    ).expand(summary=wait.output)
