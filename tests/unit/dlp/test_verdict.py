"""One rule for clean / dirty / NOT_SCANNED, shared by the Slack alert and the router."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_dataops.dlp.verdict import (
    CLEAN,
    DIRTY,
    NOT_SCANNED,
    SummaryError,
    judge,
    not_scanned_summary,
    parse_summary,
)

DONE: dict[str, Any] = {
    "job_name": "projects/p/dlpJobs/i-1",
    "state": "DONE",
    "uri": "gs://b/o.csv",
    "findings": {"EMAIL_ADDRESS": 2},
    "total_findings": 2,
    "processed_bytes": 10,
    "generation": 7,
    "size": 10,
}


def test_done_summary_is_dirty_at_the_threshold_and_clean_below() -> None:
    assert judge(DONE, min_findings=2).status == DIRTY
    clean = judge(DONE, min_findings=3)
    assert (clean.status, clean.generation, clean.dirty) == (CLEAN, 7, False)
    assert judge(DONE, info_types=["PHONE_NUMBER"]).status == CLEAN


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        (None, "no DLP result"),
        (
            {**DONE, "state": "FAILED", "errors": ["permission denied"]},
            "DLP job ended FAILED: permission denied",
        ),
        ({**DONE, "state": "CANCELED"}, "DLP job ended CANCELED"),
        ({**DONE, "state": "RUNNING"}, "DLP job ended RUNNING"),
        (not_scanned_summary("gs://b/o.csv", "the wait timed out"), "the wait timed out"),
        ({**DONE, "uri": None}, "did not scan exactly one object"),
        ({**DONE, "uri": "gs://b/other.csv"}, "scanned gs://b/other.csv, not gs://b/o.csv"),
        ({**DONE, "findings": {}, "processed_bytes": 0}, "processed 0 of the object's 10 bytes"),
    ],
)
def test_anything_short_of_a_finished_scan_of_the_object_is_not_scanned(
    summary: dict[str, Any] | None, reason: str
) -> None:
    verdict = judge(summary, gcs_uri="gs://b/o.csv", min_findings=100)
    assert verdict.status == NOT_SCANNED
    assert verdict.dirty
    assert reason in verdict.reason
    assert verdict.uri is not None


def test_empty_object_scanned_with_zero_bytes_is_clean() -> None:
    assert judge({**DONE, "findings": {}, "processed_bytes": 0, "size": 0}).status == CLEAN


@pytest.mark.parametrize("missing", [None, "", "None"])
def test_missing_summary_parses_to_none(missing: Any) -> None:
    assert parse_summary(missing) is None


def test_text_summaries_parse_and_junk_is_named() -> None:
    assert parse_summary(str(DONE)) == DONE
    with pytest.raises(SummaryError, match="summary: expected the DlpJobSensor result"):
        parse_summary("not a summary")
