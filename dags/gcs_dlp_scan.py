"""Scan every object uploaded to a GCS bucket with Cloud DLP, alert Slack, and gate it by the result.

Replaces the seed's two Cloud Functions. Each run inspects every object it is given, waits for
the jobs in the triggerer (no worker slot held), then, per object and in parallel: posts one
Slack message when the findings reach the threshold or the object could not be scanned, and
(when configured) moves the object under a quarantine prefix or, if clean, under a clean prefix,
which emits an asset event that downstream DAGs can schedule on (see ``dlp_clean_consumer``).
Set-up: README, "GCS DLP scanning".

**Manual runs** (always available): trigger with the ``bucket`` and ``object`` params.

**Upload events** (off until configured): an AssetWatcher pulls the bucket's OBJECT_FINALIZE
notifications from a Pub/Sub subscription (``MessageQueueTrigger(scheme="google+pubsub")``);
each batch of uploads becomes one run. It is defined only when both ``DLP_GCS_SUBSCRIPTION``
(the subscription id) and ``DLP_GCP_CONN_ID`` (an existing Google Cloud connection) are set in
the environment of the dag-processor and triggerer; otherwise the DAG is manual-only, so the
triggerer never retries a watcher it cannot run.

**Routing** (off until configured): ``DLP_QUARANTINE_URI`` (``gs://bucket/prefix``) turns the
gate on; ``DLP_CLEAN_URI`` is where clean objects go (without it they stay in place).

Environment (read at parse time, no DB access): ``DLP_PROJECT_ID``, ``DLP_GCS_SUBSCRIPTION``,
``DLP_GCP_CONN_ID`` (default ``google_cloud_default``), ``DLP_SLACK_CONN_ID`` (``slack_default``),
``DLP_MIN_FINDINGS`` (1), ``DLP_POLL_SECONDS`` (30), ``DLP_CLEAN_URI``, ``DLP_QUARANTINE_URI``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from airflow.sdk import DAG, Asset, AssetWatcher, Param, XComArg, task, task_group

from airflow_provider_dataops.operators.dlp import (
    DlpFindingsSlackOperator,
    DlpInspectOperator,
    DlpRouteObjectOperator,
)
from airflow_provider_dataops.sensors.dlp import DlpJobSensor

log = logging.getLogger(__name__)

PROJECT_ID = os.environ.get("DLP_PROJECT_ID", "my-project")
SUBSCRIPTION = os.environ.get("DLP_GCS_SUBSCRIPTION", "")
GCP_CONN_ID = os.environ.get("DLP_GCP_CONN_ID", "google_cloud_default")
SLACK_CONN_ID = os.environ.get("DLP_SLACK_CONN_ID", "slack_default")
MIN_FINDINGS = int(os.environ.get("DLP_MIN_FINDINGS", "1"))
POLL_SECONDS = float(os.environ.get("DLP_POLL_SECONDS", "30"))
CLEAN_URI = os.environ.get("DLP_CLEAN_URI") or None
QUARANTINE_URI = os.environ.get("DLP_QUARANTINE_URI") or None


def upload_watchers() -> list[AssetWatcher]:
    """The Pub/Sub watcher, only when its subscription and connection are configured."""
    missing = [name for name in ("DLP_GCS_SUBSCRIPTION", "DLP_GCP_CONN_ID") if not os.environ.get(name)]
    if missing:
        log.info("gcs_dlp_scan: upload events off, manual runs only (set %s)", " and ".join(missing))
        return []
    from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger

    trigger = MessageQueueTrigger(
        scheme="google+pubsub",
        project_id=PROJECT_ID,
        subscription=SUBSCRIPTION,
        max_messages=10,
        ack_messages=True,
        gcp_conn_id=GCP_CONN_ID,
        poke_interval=30.0,
    )
    return [AssetWatcher(name="gcs_object_finalize", trigger=trigger)]


watchers = upload_watchers()
uploads = Asset("gcs_uploads_for_dlp", watchers=watchers)
if CLEAN_URI and not QUARANTINE_URI:
    log.warning("gcs_dlp_scan: DLP_CLEAN_URI is set but DLP_QUARANTINE_URI is not; routing stays off")

with DAG(
    dag_id="gcs_dlp_scan",
    schedule=[uploads] if watchers else None,
    catchup=False,
    max_active_runs=8,
    params={
        "bucket": Param(
            None, type=["null", "string"], description="Bucket of the object to scan (manual runs)"
        ),
        "object": Param(
            None, type=["null", "string"], description="Object name, taken literally (manual runs)"
        ),
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

    @task_group
    def scan(gcs_uri: str) -> None:
        """Inspect -> wait, then alert and route in parallel (both run even when the scan failed)."""
        inspect = DlpInspectOperator(
            task_id="inspect", project_id=PROJECT_ID, gcs_uri=gcs_uri, gcp_conn_id=GCP_CONN_ID, retries=2
        )
        wait = DlpJobSensor(
            task_id="wait_for_scan",
            job_name=inspect.output,
            scanned_object=XComArg(inspect, key="scanned_object"),
            gcp_conn_id=GCP_CONN_ID,
            deferrable=True,
            poke_interval=POLL_SECONDS,
            timeout=6 * 3600,
        )
        DlpFindingsSlackOperator(
            task_id="alert_slack",
            summary=wait.output,
            gcs_uri=gcs_uri,
            slack_webhook_conn_id=SLACK_CONN_ID,
            min_findings=MIN_FINDINGS,
            retries=3,
        )
        if QUARANTINE_URI:
            DlpRouteObjectOperator(
                task_id="route",
                summary=wait.output,
                gcs_uri=gcs_uri,
                clean_uri=CLEAN_URI,
                quarantine_uri=QUARANTINE_URI,
                min_findings=MIN_FINDINGS,
                gcp_conn_id=GCP_CONN_ID,
                retries=3,
            )

    scan.expand(gcs_uri=objects_to_scan())
