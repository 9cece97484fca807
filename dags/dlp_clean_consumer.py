"""Runs on clean data only: each object the ``gcs_dlp_scan`` gate published under ``DLP_CLEAN_URI``.

``DlpRouteObjectOperator`` moves an object DLP found clean under ``DLP_CLEAN_URI`` and emits an
asset event for ``Asset(DLP_CLEAN_URI)`` whose extra names the moved object (``object``), where
it came from (``source``) and the DLP job (``job_name``). This DAG is scheduled on that asset, so
it never sees an object that had findings or was not scanned. Without ``DLP_CLEAN_URI`` it has
no schedule (manual runs only, and then nothing to process).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from airflow.sdk import DAG, Asset, task

log = logging.getLogger(__name__)
CLEAN_URI = os.environ.get("DLP_CLEAN_URI") or None
if CLEAN_URI is None:
    log.info("dlp_clean_consumer: no schedule (set DLP_CLEAN_URI to run on clean objects)")

with DAG(
    dag_id="dlp_clean_consumer",
    schedule=[Asset(CLEAN_URI)] if CLEAN_URI else None,
    catchup=False,
    tags=["dlp", "gcs"],
    doc_md=__doc__,
):

    @task
    def clean_objects(triggering_asset_events: Any = None) -> list[str]:
        """The ``gs://`` URIs of the clean objects that triggered this run."""
        objects = [
            str(event.extra["object"])
            for events in (triggering_asset_events or {}).values()
            for event in events
            if "object" in (event.extra or {})
        ]
        for uri in objects:
            log.info("clean object ready: %s", uri)
        return objects

    clean_objects()
