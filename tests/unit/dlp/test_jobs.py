"""Pure DLP logic: object validation, job ids, job names, summaries (no Airflow, no Google client)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from airflow_provider_dataops.dlp.jobs import (
    DEFAULT_INFO_TYPES,
    DlpInputError,
    derive_job_id,
    job_errors,
    parse_gcs_uri,
    parse_job_name,
    summarize_job,
    validate_info_types,
    validate_job_id,
    validate_likelihood,
)


def test_pure_modules_import_no_airflow() -> None:
    code = (
        "import sys, airflow_provider_dataops.dlp; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'airflow' or m.startswith('google.cloud.dlp')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_default_info_types_are_the_seeds_list() -> None:
    assert set(DEFAULT_INFO_TYPES) == {
        "CREDIT_CARD_NUMBER",
        "AUSTRALIA_TAX_FILE_NUMBER",
        "EMAIL_ADDRESS",
        "ETHNIC_GROUP",
        "FIRST_NAME",
        "LAST_NAME",
        "GCP_CREDENTIALS",
        "PHONE_NUMBER",
    }


def test_parse_gcs_uri_splits_bucket_and_object_with_nested_path() -> None:
    assert parse_gcs_uri("gs://my-bucket/a/b c/file.csv") == ("my-bucket", "a/b c/file.csv")


@pytest.mark.parametrize("name", ["uploads/*", "file?.csv", "customers[2024].csv", "folder/", "tab\tname"])
def test_parse_gcs_uri_takes_wildcard_characters_as_part_of_the_name(name: str) -> None:
    assert parse_gcs_uri(f"gs://bucket/{name}") == ("bucket", name)


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("gs://bucket/", "no object name"),
        ("gs://bucket", "no object name"),
        ("s3://bucket/key", "expected gs://BUCKET/OBJECT"),
        ("gs://Bad_Bucket!/x", "not a valid bucket name"),
        ("gs://bucket/line\nbreak", "not a valid Cloud Storage object name"),
        ("gs://bucket/..", "not a valid Cloud Storage object name"),
        ("gs://bucket/" + "x" * 1025, "exceeds 1024 bytes"),
    ],
)
def test_parse_gcs_uri_refuses_anything_but_one_object(uri: str, problem: str) -> None:
    with pytest.raises(DlpInputError, match=re.escape(problem)) as err:
        parse_gcs_uri(uri)
    assert "gcs_uri" in str(err.value)


def test_derive_job_id_is_stable_per_task_instance_and_valid_for_dlp() -> None:
    run_id = "manual__2026-11-26T18:22:55.825196+00:00"
    first = derive_job_id("gcs_dlp_scan", run_id, "inspect")
    assert first == derive_job_id("gcs_dlp_scan", run_id, "inspect")
    assert first != derive_job_id("gcs_dlp_scan", run_id, "inspect", map_index=0)
    assert first != derive_job_id("gcs_dlp_scan", run_id + "x", "inspect")
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,100}", first)
    long_id = derive_job_id("d" * 250, run_id, "t.with.dots" * 20)
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,100}", long_id)


@pytest.mark.parametrize("bad", ["", "has space", "colon:x", "a" * 101])
def test_validate_job_id_rejects_what_dlp_rejects(bad: str) -> None:
    with pytest.raises(DlpInputError, match="job_id"):
        validate_job_id(bad)


def test_validate_info_types_names_the_bad_entries() -> None:
    assert validate_info_types(["EMAIL_ADDRESS"]) == ["EMAIL_ADDRESS"]
    with pytest.raises(DlpInputError, match=r"info_types: invalid name\(s\) \['EMAIL ADDRESS'\]"):
        validate_info_types(["EMAIL_ADDRESS", "EMAIL ADDRESS"])
    with pytest.raises(DlpInputError, match="at least one"):
        validate_info_types([])


def test_validate_likelihood_lists_the_allowed_values() -> None:
    assert validate_likelihood("LIKELY") == "LIKELY"
    with pytest.raises(DlpInputError, match="VERY_LIKELY"):
        validate_likelihood("SURE")


def test_parse_job_name_accepts_global_and_regional_names() -> None:
    plain = parse_job_name("projects/p1/dlpJobs/i-abc")
    regional = parse_job_name("projects/p1/locations/europe-west2/dlpJobs/i-abc")
    assert (plain.project, plain.location, plain.job_id) == ("p1", None, "i-abc")
    assert (regional.location, str(regional)) == (
        "europe-west2",
        "projects/p1/locations/europe-west2/dlpJobs/i-abc",
    )
    with pytest.raises(DlpInputError, match="job_name"):
        parse_job_name("i-abc")


def _job(state: str, stats: list[dict[str, object]] | None = None, **extra: object) -> dict[str, object]:
    return {
        "name": "projects/p/dlpJobs/i-1",
        "state": state,
        "inspect_details": {
            "requested_options": {
                "job_config": {"storage_config": {"cloud_storage_options": {"file_set": {"url": "gs://b/o"}}}}
            },
            "result": {"processed_bytes": "2048", "info_type_stats": stats or []},
        },
        **extra,
    }


def test_summarize_job_counts_per_info_type_as_ints() -> None:
    stats = [
        {"info_type": {"name": "EMAIL_ADDRESS"}, "count": "3"},
        {"info_type": {"name": "PHONE_NUMBER"}, "count": "1"},
    ]
    assert summarize_job(_job("DONE", stats)) == {
        "job_name": "projects/p/dlpJobs/i-1",
        "state": "DONE",
        "uri": "gs://b/o",
        "findings": {"EMAIL_ADDRESS": 3, "PHONE_NUMBER": 1},
        "total_findings": 4,
        "processed_bytes": 2048,
    }


def test_summarize_job_maps_integer_states_to_names() -> None:
    assert summarize_job(_job(5))["state"] == "FAILED"  # type: ignore[arg-type]
    assert summarize_job({"name": "projects/p/dlpJobs/x", "state": 2})["findings"] == {}


def test_job_errors_returns_each_message_once() -> None:
    errors = [
        {"details": {"message": "denied"}},
        {"details": {"message": "denied"}},
        {"details": {"code": 13}},
    ]
    assert job_errors(_job("FAILED", errors=errors)) == ["denied", "error code 13"]
