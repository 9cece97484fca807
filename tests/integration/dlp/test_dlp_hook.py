"""DlpHook and the operators' API calls through the real google-cloud-dlp client (REST) to the fake."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from google.api_core.exceptions import BadRequest, InternalServerError, RetryError

from airflow_provider_dataops.dlp.jobs import DEFAULT_INFO_TYPES
from airflow_provider_dataops.hooks.dlp import DlpHook, transient_retry
from airflow_provider_dataops.operators.dlp import DlpInspectOperator
from airflow_provider_dataops.triggers.dlp import DlpJobTrigger
from tests.fixtures.dlp import FakeDlp, gcp_connection_env

pytestmark = pytest.mark.integration

CONFIG = {
    "storage_config": {"cloud_storage_options": {"file_set": {"url": "gs://bucket/file.csv"}}},
    "inspect_config": {"info_types": [{"name": "EMAIL_ADDRESS"}], "min_likelihood": "LIKELY"},
}


@pytest.fixture
def hook(dlp_conn: str) -> DlpHook:
    return DlpHook(gcp_conn_id=dlp_conn, retry=transient_retry(initial=0.01, maximum=0.05, timeout=5))


def test_create_get_cancel_by_regional_full_name(hook: DlpHook, dlp_fake: FakeDlp) -> None:
    job = hook.create_inspect_job("projects/test-project/locations/europe-west2", CONFIG, job_id="scan-1")
    assert job.name == "projects/test-project/locations/europe-west2/dlpJobs/i-scan-1"
    assert hook.get_job_dict(job.name)["state"] == "PENDING"
    assert hook.get_job_dict(job.name)["state"] == "RUNNING"
    hook.cancel_job(job.name)
    assert hook.get_job_dict(job.name)["state"] == "CANCELED"
    assert [kind for kind, _, _ in dlp_fake.requests] == ["create", "get", "get", "cancel", "get"]


def test_create_with_the_same_job_id_reuses_the_existing_job(hook: DlpHook, dlp_fake: FakeDlp) -> None:
    first = hook.create_inspect_job("projects/test-project", CONFIG, job_id="retry-safe")
    second = hook.create_inspect_job("projects/test-project", CONFIG, job_id="retry-safe")
    assert first.name == second.name
    assert list(dlp_fake.jobs) == ["projects/test-project/dlpJobs/i-retry-safe"]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_transient_errors_are_retried_until_success(hook: DlpHook, dlp_fake: FakeDlp, status: int) -> None:
    dlp_fake.fail_next("create", status)
    job = hook.create_inspect_job("projects/test-project", CONFIG, job_id="flaky")
    dlp_fake.fail_next("get", status, times=2)
    assert hook.get_job_dict(job.name)["name"] == job.name
    assert dlp_fake.calls == {"create": 2, "get": 3}


def test_persistent_500_gives_up_after_the_retry_deadline(dlp_conn: str, dlp_fake: FakeDlp) -> None:
    hook = DlpHook(gcp_conn_id=dlp_conn, retry=transient_retry(initial=0.01, maximum=0.02, timeout=0.3))
    dlp_fake.fail_next("create", 500, times=1000)
    with pytest.raises(RetryError) as err:
        hook.create_inspect_job("projects/test-project", CONFIG)
    assert isinstance(err.value.cause, InternalServerError)
    assert dlp_fake.calls["create"] > 1


def test_unknown_info_type_is_a_bad_request_not_retried(hook: DlpHook, dlp_fake: FakeDlp) -> None:
    config = {**CONFIG, "inspect_config": {"info_types": [{"name": "NOT_A_TYPE"}]}}
    with pytest.raises(BadRequest, match="NOT_A_TYPE"):
        hook.create_inspect_job("projects/test-project", config)
    assert dlp_fake.calls["create"] == 1


def test_bad_transport_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    gcp_connection_env(monkeypatch, "dlp_bad", transport="smtp")
    with pytest.raises(ValueError, match="'dlp_bad': extra transport='smtp'"):
        DlpHook(gcp_conn_id="dlp_bad").get_conn()


def test_inspect_operator_on_kill_cancels_its_job(dlp_conn: str, dlp_fake: FakeDlp) -> None:
    op = DlpInspectOperator(
        task_id="inspect",
        project_id="test-project",
        gcs_uri="gs://bucket/file.csv",
        job_id="killed",
        gcp_conn_id=dlp_conn,
        pubsub_topic="projects/test-project/topics/dlp-done",
        bytes_limit_per_file=1000,
        file_types=["CSV"],
        record_generation=False,
    )
    name = op.execute(context={})  # type: ignore[arg-type]
    op.on_kill()
    assert dlp_fake.state(name) == "CANCELED"
    (_, _, body) = dlp_fake.requests[0]
    job = body["inspectJob"]
    assert job["actions"] == [{"pubSub": {"topic": "projects/test-project/topics/dlp-done"}}]
    assert job["storageConfig"]["cloudStorageOptions"]["bytesLimitPerFile"] == "1000"
    assert job["storageConfig"]["cloudStorageOptions"]["fileSet"] == {
        "regexFileSet": {"bucketName": "bucket", "includeRegex": ["^file\\.csv$"]}
    }
    assert "timespanConfig" not in job["storageConfig"]
    assert job["inspectConfig"]["infoTypes"] == [{"name": name} for name in DEFAULT_INFO_TYPES]
    assert "includeQuote" not in job["inspectConfig"]


def _run_trigger(trigger: DlpJobTrigger) -> dict[str, Any]:
    async def first_event() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("trigger ended without an event")

    return asyncio.run(asyncio.wait_for(first_event(), timeout=20))


def test_trigger_reports_the_summary_when_done(hook: DlpHook, dlp_fake: FakeDlp, dlp_conn: str) -> None:
    job = hook.create_inspect_job("projects/test-project", CONFIG, job_id="trig")
    event = _run_trigger(DlpJobTrigger(job.name, gcp_conn_id=dlp_conn, poll_interval=0.01))
    assert event["status"] == "success"
    assert event["summary"]["state"] == "DONE"
    assert event["summary"]["uri"] == "gs://bucket/file.csv"
    assert dlp_fake.calls["get"] == 3


def test_trigger_reports_failed_jobs_with_their_errors(
    hook: DlpHook, dlp_fake: FakeDlp, dlp_conn: str
) -> None:
    dlp_fake.fail_jobs_for("gs://bucket/file.csv", "quota exceeded")
    job = hook.create_inspect_job("projects/test-project", CONFIG, job_id="trig-failed")
    event = _run_trigger(DlpJobTrigger(job.name, gcp_conn_id=dlp_conn, poll_interval=0.01))
    assert (event["status"], event["summary"]["state"], event["errors"]) == (
        "error",
        "FAILED",
        ["quota exceeded"],
    )


def test_trigger_cancels_the_job_when_its_deadline_passes(
    hook: DlpHook, dlp_fake: FakeDlp, dlp_conn: str
) -> None:
    dlp_fake.run_seconds = 3600
    job = hook.create_inspect_job("projects/test-project", CONFIG, job_id="trig-slow")
    deadline = time.time() + 0.3
    event = _run_trigger(DlpJobTrigger(job.name, gcp_conn_id=dlp_conn, poll_interval=0.05, deadline=deadline))
    assert event["status"] == "timeout"
    assert dlp_fake.state(job.name) == "CANCELED"


def test_trigger_serializes_to_its_own_arguments() -> None:
    trigger = DlpJobTrigger("projects/p/dlpJobs/i-1", gcp_conn_id="c", poll_interval=5, deadline=1.5)
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_dataops.triggers.dlp.DlpJobTrigger"
    assert DlpJobTrigger(**kwargs).serialize() == (path, kwargs)
