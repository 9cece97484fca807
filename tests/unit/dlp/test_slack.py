"""Slack message building for DLP findings: counts only, threshold, filter."""

from __future__ import annotations

import json

from airflow_provider_dataops.dlp.slack import (
    build_findings_message,
    console_url,
    filter_findings,
    meets_threshold,
)

SUMMARY = {
    "job_name": "projects/p/locations/europe-west2/dlpJobs/i-abc",
    "state": "DONE",
    "uri": "gs://b/uploads/<script>.csv",
    "findings": {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 0, "CREDIT_CARD_NUMBER": 1},
    "total_findings": 3,
    "processed_bytes": 10,
    "unexpected": "ignored",
}


def test_filter_findings_drops_zero_counts_and_unwanted_types() -> None:
    assert filter_findings(SUMMARY["findings"]) == {"EMAIL_ADDRESS": 2, "CREDIT_CARD_NUMBER": 1}
    assert filter_findings(SUMMARY["findings"], ["CREDIT_CARD_NUMBER"]) == {"CREDIT_CARD_NUMBER": 1}
    assert filter_findings(SUMMARY["findings"], []) == {}


def test_threshold_is_the_total_after_filtering() -> None:
    assert meets_threshold({"EMAIL_ADDRESS": 2, "CREDIT_CARD_NUMBER": 1}, 3)
    assert not meets_threshold({"EMAIL_ADDRESS": 2}, 3)
    assert not meets_threshold({}, 1)


def test_message_lists_object_counts_job_and_console_link() -> None:
    message = build_findings_message(SUMMARY, {"EMAIL_ADDRESS": 2, "CREDIT_CARD_NUMBER": 1})
    assert message["text"] == "DLP found 3 sensitive item(s) in gs://b/uploads/<script>.csv"
    blocks = json.dumps(message["blocks"])
    assert "`CREDIT_CARD_NUMBER`: 1" in blocks
    assert "`EMAIL_ADDRESS`: 2" in blocks
    assert "gs://b/uploads/&lt;script&gt;.csv" in blocks
    assert "<script>" not in blocks
    assert console_url(SUMMARY["job_name"]) in blocks
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "section", "context"]


def test_console_url_points_at_the_jobs_location_and_project() -> None:
    url = console_url("projects/p/locations/europe-west2/dlpJobs/i-abc")
    assert url.startswith("https://console.cloud.google.com/")
    assert "locations/europe-west2/dlpJobs/i-abc" in url
    assert url.endswith("project=p")
