"""Pure parts of the gate's Cloud Storage side: destinations and the metadata written on a move."""

from __future__ import annotations

import pytest

from airflow_provider_dataops.dlp.gcs import destination, parse_prefix_uri, proto_timestamp, route_metadata
from airflow_provider_dataops.dlp.jobs import DlpInputError


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("gs://clean", ("clean", "")),
        ("gs://clean/", ("clean", "")),
        ("gs://clean/published", ("clean", "published/")),
        ("gs://clean/a/b/", ("clean", "a/b/")),
    ],
)
def test_prefix_uri_is_bucket_and_slash_terminated_prefix(uri: str, expected: tuple[str, str]) -> None:
    assert parse_prefix_uri(uri, "clean_uri") == expected


@pytest.mark.parametrize("uri", ["s3://clean/x", "clean/x", "gs://Bad_Bucket/x"])
def test_bad_prefix_uri_is_named(uri: str) -> None:
    with pytest.raises(DlpInputError, match=r"^quarantine_uri '"):
        parse_prefix_uri(uri, "quarantine_uri")


def test_destination_keeps_the_full_object_name_under_the_prefix() -> None:
    assert destination("gs://held/q", "in/a[1]*.csv", "quarantine_uri") == ("held", "q/in/a[1]*.csv")
    assert destination("gs://held", "in/a.csv", "quarantine_uri") == ("held", "in/a.csv")


def test_route_metadata_records_job_types_counts_and_reason_only() -> None:
    meta = route_metadata(
        source_uri="gs://landing/in/a.csv",
        generation=42,
        verdict="dirty",
        job_name="projects/p/dlpJobs/i-1",
        findings={"EMAIL_ADDRESS": 2, "CREDIT_CARD_NUMBER": 1},
        reason="x" * 2000,
    )
    assert meta == {
        "dlp-source": "gs://landing/in/a.csv",
        "dlp-source-generation": "42",
        "dlp-verdict": "dirty",
        "dlp-job": "projects/p/dlpJobs/i-1",
        "dlp-info-types": "CREDIT_CARD_NUMBER,EMAIL_ADDRESS",
        "dlp-counts": "CREDIT_CARD_NUMBER=1,EMAIL_ADDRESS=2",
        "dlp-total-findings": "3",
        "dlp-reason": "x" * 500,
    }


def test_proto_timestamp_keeps_microseconds() -> None:
    assert proto_timestamp("2026-01-02T03:04:05.123456Z") == {"seconds": 1767323045, "nanos": 123456000}
