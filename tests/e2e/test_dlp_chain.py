"""The DLP chain (inspect -> wait -> Slack) through real Airflow, real google-cloud-dlp and Slack hooks.

Peers: the fake DLP REST API (tests/fixtures/dlp.py) scanning objects stored in
gcp-storage-emulator, and pytest-httpserver as the Slack webhook.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.fixtures.dlp import FakeDlp, regex_scanner

pytestmark = pytest.mark.e2e

SECRET_EMAIL = "zelda.secret-owner@example.org"
SECRET_CARD = "4111 1111 1111 1111"
WEBHOOK_PATH = "/services/T000/B000/webhooksecrettoken42"

CHAIN = """
from airflow.sdk import DAG, XComArg
from airflow_provider_dataops.operators.dlp import DlpFindingsSlackOperator, DlpInspectOperator
from airflow_provider_dataops.sensors.dlp import DlpJobSensor

with DAG("{dag_id}", schedule=None, catchup=False):
    inspect = DlpInspectOperator(
        task_id="inspect", project_id="test-project", gcs_uri="{uri}", gcp_conn_id="dlp_fake", {extra}
    )
    wait = DlpJobSensor(
        task_id="wait", job_name=inspect.output, gcp_conn_id="dlp_fake",
        deferrable={deferrable}, poke_interval=0.2, timeout=60,
        scanned_object=XComArg(inspect, key="scanned_object"),
    )
    DlpFindingsSlackOperator(
        task_id="alert", summary=wait.output, gcs_uri="{uri}", slack_webhook_conn_id="slack_test"
    )
"""


@pytest.fixture
def bucket(gcs_client: Any, dlp_fake: FakeDlp) -> Any:
    """A bucket in the GCS emulator whose objects the fake DLP scans for real."""
    bucket = gcs_client.create_bucket("dlp-landing")
    dlp_fake.storage = gcs_client

    def read(uri: str) -> str:
        name = uri.split("/", 3)[3]
        return bucket.blob(name).download_as_text()

    dlp_fake.scanner = regex_scanner(read)
    return bucket


@pytest.fixture
def slack_conn(httpserver: HTTPServer, add_connection: Callable[..., Any]) -> str:
    add_connection(
        "slack_test", "slackwebhook", host=httpserver.url_for("/").rstrip("/"), password=WEBHOOK_PATH
    )
    return "slack_test"


def chain(dag_id: str, uri: str, deferrable: bool, extra: str = "") -> str:
    return CHAIN.format(dag_id=dag_id, uri=uri, deferrable=deferrable, extra=extra)


def _states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def _xcoms(dag_run: Any) -> dict[str, Any]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(
            XComModel.dag_id == dag_run.dag_id, XComModel.run_id == dag_run.run_id
        )
        return {row.task_id: row.value for row in rows}


@pytest.mark.parametrize("deferrable", [False, True], ids=["poke", "deferrable"])
def test_chain_alerts_slack_with_counts_and_never_the_sensitive_values(
    deferrable: bool,
    run_dag: Callable[..., Any],
    dlp_conn: str,
    bucket: Any,
    slack_conn: str,
    httpserver: HTTPServer,
    dlp_fake: FakeDlp,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bucket.blob("uploads/customers.csv").upload_from_string(
        f"name,email,card\nZelda,{SECRET_EMAIL},{SECRET_CARD}\nLink,link@example.com,none\n"
    )
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")
    dag_id = f"dlp_chain_{'deferrable' if deferrable else 'poke'}"
    caplog.set_level(logging.DEBUG)
    # The webhook peer's own access log prints the path it was called on; that is not our log.
    caplog.set_level(logging.WARNING, logger="werkzeug")

    dag_run = run_dag(
        chain(dag_id=dag_id, uri="gs://dlp-landing/uploads/customers.csv", deferrable=deferrable),
        dag_id,
    )

    assert _states(dag_run) == {"inspect": "success", "wait": "success", "alert": "success"}
    xcoms = _xcoms(dag_run)
    summary = xcoms["wait"]
    assert summary["state"] == "DONE"
    assert summary["findings"] == {"EMAIL_ADDRESS": 2, "CREDIT_CARD_NUMBER": 1}
    assert summary["total_findings"] == 3
    assert summary["uri"] == "gs://dlp-landing/uploads/customers.csv"
    assert xcoms["inspect"] == summary["job_name"]
    assert dlp_fake.calls["create"] == 1
    (create_body,) = [body for kind, _, body in dlp_fake.requests if kind == "create"]
    assert create_body["inspectJob"]["inspectConfig"].get("includeQuote", False) is False

    (request, _response) = httpserver.log[0]
    payload = request.get_json()
    text = json.dumps(payload)
    assert "EMAIL_ADDRESS" in text
    assert "CREDIT_CARD_NUMBER" in text
    assert "gs://dlp-landing/uploads/customers.csv" in text
    assert summary["job_name"] in text
    assert payload["blocks"][0]["type"] == "header"

    logs = caplog.text + "".join(capfd.readouterr())
    for secret in (SECRET_EMAIL, SECRET_CARD, "link@example.com"):
        assert secret not in text
        assert secret not in json.dumps(xcoms)
        assert secret not in logs
    assert WEBHOOK_PATH not in logs
    assert "webhooksecrettoken42" not in logs


def test_clean_object_sends_no_alert_and_succeeds(
    run_dag: Callable[..., Any], dlp_conn: str, bucket: Any, slack_conn: str, httpserver: HTTPServer
) -> None:
    bucket.blob("clean.txt").upload_from_string("nothing to see here\n")
    dag_run = run_dag(
        chain(dag_id="dlp_clean", uri="gs://dlp-landing/clean.txt", deferrable=True), "dlp_clean"
    )
    assert _states(dag_run) == {"inspect": "success", "wait": "success", "alert": "success"}
    assert _xcoms(dag_run)["alert"] is False
    assert httpserver.log == []


def test_slack_500_fails_the_alert_task(
    run_dag: Callable[..., Any], dlp_conn: str, bucket: Any, slack_conn: str, httpserver: HTTPServer
) -> None:
    bucket.blob("leak.txt").upload_from_string(f"contact {SECRET_EMAIL}\n")
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("boom", status=500)
    dag_run = run_dag(
        chain(dag_id="dlp_slack_down", uri="gs://dlp-landing/leak.txt", deferrable=False),
        "dlp_slack_down",
    )
    assert _states(dag_run) == {"inspect": "success", "wait": "success", "alert": "failed"}
    assert len(httpserver.log) >= 1


@pytest.mark.parametrize("deferrable", [False, True], ids=["poke", "deferrable"])
def test_failed_job_fails_the_sensor_with_the_jobs_error(
    deferrable: bool,
    run_dag: Callable[..., Any],
    dlp_conn: str,
    bucket: Any,
    slack_conn: str,
    dlp_fake: FakeDlp,
    httpserver: HTTPServer,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bucket.blob("broken.bin").upload_from_string("x")
    dlp_fake.fail_jobs_for("gs://dlp-landing/broken.bin", "Unable to read file: permission denied")
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")
    dag_id = f"dlp_failed_{'deferrable' if deferrable else 'poke'}"
    dag_run = run_dag(chain(dag_id=dag_id, uri="gs://dlp-landing/broken.bin", deferrable=deferrable), dag_id)
    states = _states(dag_run)
    assert states == {"inspect": "success", "wait": "failed", "alert": "success"}
    assert "ended FAILED: Unable to read file: permission denied" in "".join(capfd.readouterr())
    (request, _) = httpserver.log[0]
    payload = request.get_json()
    assert payload["text"] == (
        "DLP NOT SCANNED: gs://dlp-landing/broken.bin "
        "(DLP job ended FAILED: Unable to read file: permission denied)"
    )
    assert payload["blocks"][0]["text"]["text"] == "Object NOT SCANNED"


# A name ending in "/" next to the same name without it is also exact in the regex, but
# gcp-storage-emulator serves the wrong content for such a pair, so it is covered in tests/unit.
@pytest.mark.parametrize(
    "name", ["uploads/customers[2024].csv", "uploads/a*b?.csv"], ids=["brackets", "star"]
)
def test_object_with_wildcard_characters_is_scanned_exactly_and_alone(
    name: str,
    run_dag: Callable[..., Any],
    dlp_conn: str,
    bucket: Any,
    slack_conn: str,
    dlp_fake: FakeDlp,
    httpserver: HTTPServer,
) -> None:
    """Before: refused, so never scanned and no alert. Now: an exact regex file set scans only it.

    The decoys are what an unescaped or unanchored pattern would also match; the fake resolves
    the file set with RE2 against the emulator's objects, as DLP does.
    """
    bucket.blob(name).upload_from_string(f"leak {SECRET_EMAIL}\n")
    for decoy in (
        "uploads/customers2.csv",
        "uploads/customers[2024].csv.bak",
        "uploads/aXbY.csv",
        "uploads/x.csv",
    ):
        if decoy != name:
            bucket.blob(decoy).upload_from_string(f"decoy {SECRET_CARD}\n")
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")
    uri = f"gs://dlp-landing/{name}"
    dag_id = f"dlp_exact_{abs(hash(name)) % 10**8}"
    dag_run = run_dag(chain(dag_id=dag_id, uri=uri, deferrable=False), dag_id)

    assert _states(dag_run) == {"inspect": "success", "wait": "success", "alert": "success"}
    (create_body,) = [body for kind, _, body in dlp_fake.requests if kind == "create"]
    file_set = create_body["inspectJob"]["storageConfig"]["cloudStorageOptions"]["fileSet"]
    assert set(file_set) == {"regexFileSet"}
    assert file_set["regexFileSet"]["bucketName"] == "dlp-landing"
    (job,) = dlp_fake.jobs.values()
    assert job["scanned"] == [uri]
    summary = _xcoms(dag_run)["wait"]
    assert (summary["uri"], summary["findings"]) == (uri, {"EMAIL_ADDRESS": 1})
    assert summary["generation"] == bucket.get_blob(name).generation
    assert uri in httpserver.log[0][0].get_json()["text"]


def test_unknown_info_type_fails_inspect_with_the_apis_message(
    run_dag: Callable[..., Any],
    dlp_conn: str,
    bucket: Any,
    slack_conn: str,
    dlp_fake: FakeDlp,
    httpserver: HTTPServer,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bucket.blob("a.csv").upload_from_string("a,b\n")
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")
    dag_run = run_dag(
        chain("dlp_bad_type", "gs://dlp-landing/a.csv", False, extra='info_types=["EMAIL_ADRESS"]'),
        "dlp_bad_type",
    )
    assert _states(dag_run) == {"inspect": "failed", "wait": "upstream_failed", "alert": "success"}
    logs = "".join(capfd.readouterr())
    assert "DLP rejected the inspect job for gs://dlp-landing/a.csv: " in logs
    assert 'Invalid built-in info type name "EMAIL_ADRESS"' in logs
    assert dlp_fake.calls["create"] == 1
    text = httpserver.log[0][0].get_json()["text"]
    assert text.startswith("DLP NOT SCANNED: gs://dlp-landing/a.csv (no DLP result")


@pytest.mark.parametrize("deferrable", [False, True], ids=["poke", "deferrable"])
def test_api_500_then_success_is_retried_and_starts_one_job(
    deferrable: bool,
    run_dag: Callable[..., Any],
    dlp_conn: str,
    bucket: Any,
    slack_conn: str,
    dlp_fake: FakeDlp,
) -> None:
    bucket.blob("ok.txt").upload_from_string("nothing sensitive\n")
    dlp_fake.fail_next("create", 500)
    dlp_fake.fail_next("get", 503)
    dag_id = f"dlp_flaky_{'deferrable' if deferrable else 'poke'}"
    dag_run = run_dag(chain(dag_id, "gs://dlp-landing/ok.txt", deferrable), dag_id)
    assert _states(dag_run) == {"inspect": "success", "wait": "success", "alert": "success"}
    assert dlp_fake.calls["create"] == 2
    assert len(dlp_fake.jobs) == 1


@pytest.mark.parametrize("deferrable", [False, True], ids=["poke", "deferrable"])
def test_sensor_timeout_cancels_the_job_and_fails(
    deferrable: bool,
    run_dag: Callable[..., Any],
    dlp_conn: str,
    bucket: Any,
    slack_conn: str,
    dlp_fake: FakeDlp,
    httpserver: HTTPServer,
) -> None:
    bucket.blob("huge.bin").upload_from_string("x" * 100)
    httpserver.expect_request(WEBHOOK_PATH, method="POST").respond_with_data("ok")
    dlp_fake.run_seconds = 3600
    dag_id = f"dlp_timeout_{'deferrable' if deferrable else 'poke'}"
    source = chain(dag_id, "gs://dlp-landing/huge.bin", deferrable).replace("timeout=60", "timeout=1")
    dag_run = run_dag(source, dag_id)
    states = _states(dag_run)
    assert (states["wait"], states["alert"]) == ("failed", "success")
    text = httpserver.log[0][0].get_json()["text"]
    assert text.startswith("DLP NOT SCANNED: gs://dlp-landing/huge.bin (the wait for DLP job ")
    assert "timed out after 1 s" in text
    (name,) = dlp_fake.jobs
    assert dlp_fake.state(name) == "CANCELED"
    assert dlp_fake.calls["cancel"] == 1


# -- the gate: DlpRouteObjectOperator after the wait -----------------------------------------

GATE = """
from airflow.sdk import DAG, XComArg, task
from airflow_provider_dataops.operators.dlp import DlpRouteObjectOperator, DlpInspectOperator
from airflow_provider_dataops.sensors.dlp import DlpJobSensor

with DAG("{dag_id}", schedule=None, catchup=False):
    inspect = DlpInspectOperator(
        task_id="inspect", project_id="test-project", gcs_uri="{uri}", gcp_conn_id="dlp_fake"
    )
    wait = DlpJobSensor(
        task_id="wait", job_name=inspect.output, gcp_conn_id="dlp_fake", deferrable=False,
        poke_interval=0.2, timeout=60, scanned_object=XComArg(inspect, key="scanned_object"),
    )
    route = DlpRouteObjectOperator(
        task_id="route", summary=wait.output, gcs_uri="{uri}", gcp_conn_id="dlp_fake",
        clean_uri="gs://dlp-clean/published", quarantine_uri="gs://dlp-quarantine/held",
    )
{between}
"""

OVERWRITE = """
    @task
    def overwrite():
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        client = storage.Client(project="test-project", credentials=AnonymousCredentials())
        client.bucket("dlp-landing").blob("{name}").upload_from_string("swapped: {secret}\\\\n")

    wait >> overwrite() >> route
"""

CONSUMER = """
from airflow.sdk import DAG, Asset, task

with DAG("dlp_clean_consumer_test", schedule=[Asset("gs://dlp-clean/published")], catchup=False):
    @task
    def use():
        return 1
    use()
"""


@pytest.fixture
def gate_buckets(bucket: Any, gcs_client: Any) -> dict[str, Any]:
    return {
        "landing": bucket,
        "clean": gcs_client.create_bucket("dlp-clean"),
        "quarantine": gcs_client.create_bucket("dlp-quarantine"),
    }


def gate(dag_id: str, name: str, between: str = "") -> str:
    return GATE.format(dag_id=dag_id, uri=f"gs://dlp-landing/{name}", between=between)


def _names(client: Any, bucket: str) -> list[str]:
    return sorted(blob.name for blob in client.list_blobs(bucket))


def _asset_events(uri: str, source: str) -> list[Any]:
    """Extras of the asset events for ``uri`` about ``source`` (the DB is shared by the session)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.uri == uri)
            .all()
        )
        extras = [dict(row.extra or {}) for row in rows]
    return [extra for extra in extras if extra.get("source") == source]


def _queued_for(dag_id: str) -> int:
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.query(AssetDagRunQueue).filter(AssetDagRunQueue.target_dag_id == dag_id).count()


def _register_consumer(dags_folder: Any) -> None:
    """Put a DAG scheduled on the clean asset into the metadata DB, as the dag-processor would."""
    import uuid

    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    folder = dags_folder / f"t_{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    (folder / "dlp_clean_consumer_test.py").write_text(CONSUMER)
    bag = DagBag(dag_folder=str(folder / "dlp_clean_consumer_test.py"))
    assert not bag.import_errors
    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    sync_bag_to_db(bag, "dags-folder", None)
    with create_session() as session:  # new DAGs start paused; a paused DAG gets no queued runs
        session.query(DagModel).filter(DagModel.dag_id == "dlp_clean_consumer_test").update(
            {"is_paused": False}
        )


def test_clean_object_is_moved_and_publishes_an_asset_event_that_queues_the_consumer(
    run_dag: Callable[..., Any],
    dlp_conn: str,
    gate_buckets: dict[str, Any],
    gcs_client: Any,
    dags_folder: Any,
) -> None:
    _register_consumer(dags_folder)
    gate_buckets["landing"].blob("in/report[1].csv").upload_from_string("nothing sensitive\n")
    generation = gate_buckets["landing"].get_blob("in/report[1].csv").generation

    dag_run = run_dag(gate("dlp_gate_clean", "in/report[1].csv"), "dlp_gate_clean")

    assert _states(dag_run) == {"inspect": "success", "wait": "success", "route": "success"}
    assert _names(gcs_client, "dlp-landing") == []
    assert _names(gcs_client, "dlp-clean") == ["published/in/report[1].csv"]
    assert _names(gcs_client, "dlp-quarantine") == []
    moved = gcs_client.bucket("dlp-clean").get_blob("published/in/report[1].csv")
    assert moved.download_as_text() == "nothing sensitive\n"
    assert moved.metadata["dlp-verdict"] == "clean"
    assert moved.metadata["dlp-source-generation"] == str(generation)
    result = _xcoms(dag_run)["route"]
    assert (result["verdict"], result["destination"]) == (
        "clean",
        "gs://dlp-clean/published/in/report[1].csv",
    )
    (extra,) = _asset_events("gs://dlp-clean/published", "gs://dlp-landing/in/report[1].csv")
    assert extra["object"] == "gs://dlp-clean/published/in/report[1].csv"
    assert extra["source"] == "gs://dlp-landing/in/report[1].csv"
    assert extra["job_name"] == _xcoms(dag_run)["inspect"]
    assert _queued_for("dlp_clean_consumer_test") == 1


def test_dirty_object_is_quarantined_with_its_metadata_and_no_asset_event(
    run_dag: Callable[..., Any], dlp_conn: str, gate_buckets: dict[str, Any], gcs_client: Any
) -> None:
    gate_buckets["landing"].blob("in/leak.csv").upload_from_string(f"{SECRET_EMAIL},{SECRET_CARD}\n")
    dag_run = run_dag(gate("dlp_gate_dirty", "in/leak.csv"), "dlp_gate_dirty")

    assert _states(dag_run)["route"] == "success"
    assert _names(gcs_client, "dlp-landing") == []
    assert _names(gcs_client, "dlp-clean") == []
    held = gcs_client.bucket("dlp-quarantine").get_blob("held/in/leak.csv")
    meta = held.metadata
    assert meta["dlp-verdict"] == "dirty"
    assert meta["dlp-job"] == _xcoms(dag_run)["inspect"]
    assert meta["dlp-info-types"] == "CREDIT_CARD_NUMBER,EMAIL_ADDRESS"
    assert meta["dlp-counts"] == "CREDIT_CARD_NUMBER=1,EMAIL_ADDRESS=1"
    assert meta["dlp-total-findings"] == "2"
    assert SECRET_EMAIL not in json.dumps(meta)
    assert SECRET_CARD not in json.dumps(meta)
    assert _asset_events("gs://dlp-clean/published", "gs://dlp-landing/in/leak.csv") == []


def test_failed_job_is_quarantined_as_not_scanned(
    run_dag: Callable[..., Any],
    dlp_conn: str,
    gate_buckets: dict[str, Any],
    gcs_client: Any,
    dlp_fake: FakeDlp,
) -> None:
    gate_buckets["landing"].blob("in/odd.bin").upload_from_string("harmless\n")
    dlp_fake.fail_jobs_for("gs://dlp-landing/in/odd.bin", "Unable to read file")
    dag_run = run_dag(gate("dlp_gate_failed", "in/odd.bin"), "dlp_gate_failed")

    assert _states(dag_run) == {"inspect": "success", "wait": "failed", "route": "success"}
    held = gcs_client.bucket("dlp-quarantine").get_blob("held/in/odd.bin")
    assert held.metadata["dlp-verdict"] == "NOT_SCANNED"
    assert held.metadata["dlp-reason"] == "DLP job ended FAILED: Unable to read file"
    assert _names(gcs_client, "dlp-landing") == []
    assert _asset_events("gs://dlp-clean/published", "gs://dlp-landing/in/odd.bin") == []


def test_rerun_after_a_crash_between_copy_and_delete_neither_loses_nor_duplicates(
    run_dag: Callable[..., Any], dlp_conn: str, gate_buckets: dict[str, Any], gcs_client: Any
) -> None:
    """The state a crashed try leaves: the labelled, verified copy exists and the source too.

    gcp-storage-emulator ignores generation preconditions (ifGenerationMatch,
    ifSourceGenerationMatch), so the crash state is built with the real client; what is asserted
    is that the re-run keeps the existing copy (same destination generation: not copied again)
    and deletes the source.
    """
    landing = gate_buckets["landing"]
    landing.blob("in/part.csv").upload_from_string("fine\n")
    source = landing.get_blob("in/part.csv")
    copy = gate_buckets["clean"].blob("published/in/part.csv")
    copy.rewrite(source)
    copy.metadata = {
        "dlp-source": "gs://dlp-landing/in/part.csv",
        "dlp-source-generation": str(source.generation),
    }
    copy.patch()
    before = gate_buckets["clean"].get_blob("published/in/part.csv").generation

    dag_run = run_dag(gate("dlp_gate_crash", "in/part.csv"), "dlp_gate_crash")

    assert _states(dag_run)["route"] == "success"
    assert _names(gcs_client, "dlp-landing") == []
    assert _names(gcs_client, "dlp-clean") == ["published/in/part.csv"]
    assert gate_buckets["clean"].get_blob("published/in/part.csv").generation == before
    assert len(_asset_events("gs://dlp-clean/published", "gs://dlp-landing/in/part.csv")) == 1


def test_object_overwritten_between_scan_and_move_is_quarantined_not_published(
    run_dag: Callable[..., Any],
    dlp_conn: str,
    gate_buckets: dict[str, Any],
    gcs_client: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    landing = gate_buckets["landing"]
    landing.blob("in/swap.csv").upload_from_string("innocent\n")
    scanned = landing.get_blob("in/swap.csv").generation
    between = OVERWRITE.format(name="in/swap.csv", secret=SECRET_EMAIL)
    dag_run = run_dag(gate("dlp_gate_swap", "in/swap.csv", between), "dlp_gate_swap")

    assert _states(dag_run) == {
        "inspect": "success",
        "wait": "success",
        "overwrite": "success",
        "route": "success",
    }
    assert _xcoms(dag_run)["wait"]["findings"] == {}
    assert _names(gcs_client, "dlp-clean") == []
    held = gcs_client.bucket("dlp-quarantine").get_blob("held/in/swap.csv")
    assert held.download_as_text().startswith("swapped")
    assert held.metadata["dlp-verdict"] == "NOT_SCANNED"
    assert held.metadata["dlp-reason"].startswith(
        f"changed after the scan: scanned generation {scanned}, now "
    )
    assert "quarantining the new version (not rescanned)" in "".join(capfd.readouterr())
    assert _asset_events("gs://dlp-clean/published", "gs://dlp-landing/in/swap.csv") == []


def test_object_overwritten_before_dlp_reads_it_is_skipped_by_the_time_pin_and_quarantined(
    run_dag: Callable[..., Any],
    dlp_conn: str,
    gate_buckets: dict[str, Any],
    gcs_client: Any,
    dlp_fake: FakeDlp,
) -> None:
    """The scan is pinned to the recorded version (timespan_config.end_time): DLP skips a newer one."""
    gate_buckets["landing"].blob("in/race.csv").upload_from_string("innocent\n")
    between = OVERWRITE.format(name="in/race.csv", secret=SECRET_EMAIL).replace(
        "wait >> overwrite() >> route", "inspect >> overwrite() >> wait"
    )
    dag_run = run_dag(gate("dlp_gate_race", "in/race.csv", between), "dlp_gate_race")

    assert _states(dag_run)["route"] == "success"
    (job,) = dlp_fake.jobs.values()
    assert job["scanned"] == []
    assert "timespanConfig" in job["config"]["storageConfig"]
    held = gcs_client.bucket("dlp-quarantine").get_blob("held/in/race.csv")
    assert held.metadata["dlp-verdict"] == "NOT_SCANNED"
    assert held.metadata["dlp-reason"] == "DLP processed 0 of the object's 9 bytes (skipped or unreadable)"
    assert _names(gcs_client, "dlp-clean") == []
