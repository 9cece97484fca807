"""The example DAG dags/gcs_dlp_scan.py: a hand-started run with params, and the upload-event path.

Peers: fake DLP REST API, gcp-storage-emulator, pytest-httpserver as Slack, and the Pub/Sub
emulator for the notification the AssetWatcher's trigger pulls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest
from pytest_httpserver import HTTPServer

from airflow_provider_dataops.dlp.events import object_uris_from_events
from tests.fixtures.dlp import FakeDlp

pytestmark = pytest.mark.e2e

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "gcs_dlp_scan.py"
WEBHOOK_PATH = "/services/T1/B1/dagwebhooktoken"


@pytest.fixture
def dag_env(
    monkeypatch: pytest.MonkeyPatch, dlp_conn: str, httpserver: HTTPServer, add_connection: Callable[..., Any]
) -> None:
    add_connection(
        "slack_dag", "slackwebhook", host=httpserver.url_for("/").rstrip("/"), password=WEBHOOK_PATH
    )
    for key, value in {
        "DLP_PROJECT_ID": "test-project",
        "DLP_GCP_CONN_ID": dlp_conn,
        "DLP_SLACK_CONN_ID": "slack_dag",
        "DLP_POLL_SECONDS": "0.2",
        "DLP_GCS_SUBSCRIPTION": "uploads-dlp",
    }.items():
        monkeypatch.setenv(key, value)


# An asset-event run (and a REST or CLI trigger) has no logical date: the chain must not need one.
@pytest.mark.parametrize(
    "logical_date",
    [None, pendulum.datetime(2026, 3, 4, 5, 6, tz="UTC")],
    ids=["without_logical_date", "with_logical_date"],
)
def test_hand_started_run_scans_the_object_named_by_params(
    dag_env: None,
    run_dag: Callable[..., Any],
    gcs_client: Any,
    dlp_fake: FakeDlp,
    httpserver: HTTPServer,
    logical_date: pendulum.DateTime | None,
) -> None:
    from tests.fixtures.dlp import regex_scanner

    bucket = gcs_client.create_bucket("landing")
    bucket.blob("in/people.txt").upload_from_string("mail me: someone.private@example.net\n")
    dlp_fake.storage = gcs_client
    dlp_fake.scanner = regex_scanner(lambda uri: bucket.blob(uri.split("/", 3)[3]).download_as_text())
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")

    dag_run = run_dag(
        DAG_FILE.read_text(),
        "gcs_dlp_scan",
        run_conf={"bucket": "landing", "object": "in/people.txt"},
        logical_date=logical_date,
    )
    assert dag_run.logical_date == logical_date

    states = {(ti.task_id, ti.map_index): str(ti.state) for ti in dag_run.get_task_instances()}
    assert states == {
        ("objects_to_scan", -1): "success",
        ("scan.inspect", 0): "success",
        ("scan.wait_for_scan", 0): "success",
        ("scan.alert_slack", 0): "success",
    }
    assert bucket.get_blob("in/people.txt") is not None  # alert-only without DLP_QUARANTINE_URI
    (request, _) = httpserver.log[0]
    body = json.dumps(request.get_json())
    assert "gs://landing/in/people.txt" in body
    assert "EMAIL_ADDRESS" in body
    assert "someone.private@example.net" not in body


def test_with_routing_configured_alert_and_route_both_run_and_the_dirty_object_is_quarantined(
    dag_env: None,
    run_dag: Callable[..., Any],
    gcs_client: Any,
    dlp_fake: FakeDlp,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.fixtures.dlp import regex_scanner

    monkeypatch.setenv("DLP_CLEAN_URI", "gs://published/clean")
    monkeypatch.setenv("DLP_QUARANTINE_URI", "gs://held/quarantine")
    bucket = gcs_client.create_bucket("landing")
    for name in ("published", "held"):
        gcs_client.create_bucket(name)
    bucket.blob("in/people.txt").upload_from_string("mail me: someone.private@example.net\n")
    dlp_fake.storage = gcs_client
    dlp_fake.scanner = regex_scanner(lambda uri: bucket.blob(uri.split("/", 3)[3]).download_as_text())
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")

    dag_run = run_dag(
        DAG_FILE.read_text(), "gcs_dlp_scan", run_conf={"bucket": "landing", "object": "in/people.txt"}
    )

    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert states["scan.alert_slack"] == "success"
    assert states["scan.route"] == "success"
    assert bucket.get_blob("in/people.txt") is None
    held = gcs_client.bucket("held").get_blob("quarantine/in/people.txt")
    assert held.metadata["dlp-verdict"] == "dirty"
    assert held.metadata["dlp-counts"] == "EMAIL_ADDRESS=1"
    assert "someone.private" not in json.dumps(held.metadata)
    assert list(gcs_client.list_blobs("published")) == []
    assert len(httpserver.log) == 1


def test_without_subscription_settings_the_dag_is_manual_only_and_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """Before: the watcher was always defined, so the triggerer retried it every second, forever."""
    from airflow.dag_processing.dagbag import DagBag

    for name in ("DLP_GCS_SUBSCRIPTION", "DLP_GCP_CONN_ID"):
        monkeypatch.delenv(name, raising=False)
    caplog.set_level(logging.INFO)
    bag = DagBag(dag_folder=str(DAG_FILE), safe_mode=False)
    assert bag.import_errors == {}
    dag = bag.dags["gcs_dlp_scan"]
    assert dag.timetable.asset_condition is None or not list(_watchers(dag))
    assert dag.schedule is None
    output = caplog.text + "".join(capfd.readouterr())
    line = "gcs_dlp_scan: upload events off, manual runs only (set DLP_GCS_SUBSCRIPTION and DLP_GCP_CONN_ID)"
    assert output.count(line) == 1
    assert "DLP_GCS_SUBSCRIPTION" in (dag.doc_md or "")
    assert "[error" not in output
    assert "isn't defined" not in output


def test_with_subscription_and_connection_set_the_asset_has_its_watcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("DLP_GCS_SUBSCRIPTION", "uploads-dlp")
    monkeypatch.setenv("DLP_GCP_CONN_ID", "google_cloud_default")
    bag = DagBag(dag_folder=str(DAG_FILE), safe_mode=False)
    (watcher,) = _watchers(bag.dags["gcs_dlp_scan"])
    assert watcher.name == "gcs_object_finalize"


def _watchers(dag: Any) -> list[Any]:
    condition = dag.timetable.asset_condition
    assets = [condition] if hasattr(condition, "watchers") else list(getattr(condition, "objects", []))
    return [w for asset in assets for w in getattr(asset, "watchers", [])]


def test_hand_started_run_without_params_fails_naming_them(
    dag_env: None, run_dag: Callable[..., Any], capfd: pytest.CaptureFixture[str]
) -> None:
    dag_run = run_dag(DAG_FILE.read_text(), "gcs_dlp_scan")
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert states["objects_to_scan"] == "failed"
    assert "needs both 'bucket' and 'object'" in "".join(capfd.readouterr())


def test_upload_notification_pulled_by_the_dags_watcher_names_the_object(
    dag_env: None, pubsub_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DAG's own AssetWatcher trigger pulls a GCS-style notification from the emulator."""
    from google.cloud import pubsub_v1

    monkeypatch.setenv(
        "AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT",
        json.dumps(
            {"conn_type": "google_cloud_platform", "extra": {"is_anonymous": True, "project": "test-project"}}
        ),
    )
    monkeypatch.setenv("DLP_GCP_CONN_ID", "google_cloud_default")
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    topic = publisher.topic_path("test-project", "gcs-uploads")
    subscription = subscriber.subscription_path("test-project", "uploads-dlp")
    publisher.create_topic(name=topic)
    subscriber.create_subscription(name=subscription, topic=topic)
    attributes = {"bucketId": "landing", "objectId": "in/report 1.csv", "eventType": "OBJECT_FINALIZE"}
    publisher.publish(topic, b'{"kind": "storage#object"}', **attributes).result(timeout=30)
    publisher.publish(topic, b"{}", **{**attributes, "eventType": "OBJECT_DELETE"}).result(timeout=30)

    (watcher,) = runpy.run_path(str(DAG_FILE))["uploads"].watchers
    trigger = watcher.trigger

    async def pull() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    payload = asyncio.run(asyncio.wait_for(pull(), timeout=60))
    assert object_uris_from_events([{"from_trigger": True, "payload": payload}]) == [
        "gs://landing/in/report 1.csv"
    ]
