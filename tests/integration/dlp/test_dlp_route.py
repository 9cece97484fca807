"""DlpRouteObjectOperator against gcp-storage-emulator through the real GCS client (GCSHook)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_dataops.operators.dlp import DlpRouteObjectOperator
from tests.fixtures.dlp import gcp_connection_env

pytestmark = pytest.mark.integration

DIRTY = {
    "job_name": "projects/p/dlpJobs/i-1",
    "state": "DONE",
    "uri": "gs://landing/in/a.csv",
    "findings": {"EMAIL_ADDRESS": 1},
    "total_findings": 1,
    "processed_bytes": 5,
}


@pytest.fixture
def gcs_conn(gcs_client: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("landing", "held"):
        gcs_client.create_bucket(name)
    return gcp_connection_env(monkeypatch, "gcs_route", project="test-project")


def _router(conn: str, summary: Any, **kwargs: Any) -> DlpRouteObjectOperator:
    return DlpRouteObjectOperator(
        task_id="route", summary=summary, quarantine_uri="gs://held/q", gcp_conn_id=conn, **kwargs
    )


def test_rerun_after_a_crash_past_the_delete_reports_the_existing_copy(
    gcs_conn: str, gcs_client: Any
) -> None:
    landing, held = gcs_client.bucket("landing"), gcs_client.bucket("held")
    landing.blob("in/a.csv").upload_from_string("a@b.co")
    source = landing.get_blob("in/a.csv")
    summary = {**DIRTY, "generation": source.generation}
    first = _router(gcs_conn, summary).execute(context={})  # type: ignore[arg-type]
    assert landing.get_blob("in/a.csv") is None
    copy_generation = held.get_blob("q/in/a.csv").generation

    again = _router(gcs_conn, summary).execute(context={})  # type: ignore[arg-type]

    assert again["destination"] == first["destination"] == "gs://held/q/in/a.csv"
    assert again["generation"] == copy_generation
    assert [b.name for b in gcs_client.list_blobs("held")] == ["q/in/a.csv"]


def test_missing_object_without_a_routed_copy_fails_naming_both(gcs_conn: str) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(
        AirflowFailException, match=r"gs://landing/in/a\.csv: no such object, and no routed copy"
    ):
        _router(gcs_conn, DIRTY).execute(context={})  # type: ignore[arg-type]


def test_missing_summary_without_gcs_uri_fails_with_one_line(gcs_conn: str) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="summary names no object and gcs_uri is not set"):
        _router(gcs_conn, None).execute(context={})  # type: ignore[arg-type]


def test_bad_quarantine_uri_is_refused_at_parse_time() -> None:
    with pytest.raises(ValueError, match="quarantine_uri 's3://x': expected gs://BUCKET"):
        DlpRouteObjectOperator(task_id="r", summary={}, quarantine_uri="s3://x")


# gcp-storage-emulator drops the connection for names with "?" or "..", so those are not here.
@pytest.mark.parametrize("name", ["in/customers[2024]*.csv", "in/<!channel> it's.csv"])
def test_a_hostile_object_name_moves_exactly_that_object_under_the_prefix(
    gcs_conn: str, gcs_client: Any, name: str
) -> None:
    landing = gcs_client.bucket("landing")
    landing.blob(name).upload_from_string("a@b.co")
    for decoy in ("in/customers2024.csv", "in/a.csv", "in/x.csv"):
        landing.blob(decoy).upload_from_string("decoy")
    summary = {**DIRTY, "uri": f"gs://landing/{name}", "generation": landing.get_blob(name).generation}

    result = _router(gcs_conn, summary).execute(context={})  # type: ignore[arg-type]

    assert result["destination"] == f"gs://held/q/{name}"
    assert [b.name for b in gcs_client.list_blobs("held")] == [f"q/{name}"]
    assert sorted(b.name for b in gcs_client.list_blobs("landing")) == [
        "in/a.csv",
        "in/customers2024.csv",
        "in/x.csv",
    ]
