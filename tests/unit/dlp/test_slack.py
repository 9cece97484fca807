"""Slack message building for DLP findings: counts only, threshold, filter."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from airflow_provider_dataops.dlp.slack import (
    CONSOLE,
    build_findings_message,
    build_not_scanned_message,
    console_url,
    escape_mrkdwn,
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
    assert message["text"] == "DLP found 3 sensitive item(s) in gs://b/uploads/&lt;script&gt;.csv"
    blocks = json.dumps(message["blocks"])
    assert "CREDIT_CARD_NUMBER: 1" in blocks
    assert "EMAIL_ADDRESS: 2" in blocks
    assert "gs://b/uploads/&lt;script&gt;.csv" in blocks
    assert "<script>" not in blocks
    assert console_url(SUMMARY["job_name"]) in blocks
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "section", "context"]


def test_console_url_points_at_the_jobs_location_and_project() -> None:
    url = console_url("projects/p/locations/europe-west2/dlpJobs/i-abc")
    assert url.startswith("https://console.cloud.google.com/")
    assert "locations/europe-west2/dlpJobs/i-abc" in url
    assert url.endswith("project=p")


HOSTILE = [
    "<!channel> urgent",
    "<https://evil.example|Review>",
    "a`b` <@U123> & <#C1>",
    "x & y > z",
]


def _texts(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn text Slack parses: the top-level text and each mrkdwn element of the blocks."""
    found = [message["text"]]
    for block in message["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            found.append(block["text"]["text"])
        found += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return found


def _unescaped_angles(text: str) -> list[str]:
    """The ``<...>`` controls Slack would act on (links, mentions); only the console link is ours."""
    return [m for m in re.findall(r"<[^>]*>", text) if not m.startswith(f"<{CONSOLE}/")]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_are_escaped_in_every_text_field(hostile: str) -> None:
    summary = {
        **SUMMARY,
        "uri": f"gs://b/{hostile}.csv",
        "job_name": "projects/p/dlpJobs/i-1",
    }
    findings = {f"CUSTOM_{hostile}": 1, "EMAIL_ADDRESS": 2}
    for message in (
        build_findings_message(summary, findings),
        build_not_scanned_message(summary["uri"], f"error text: {hostile}", summary["job_name"]),
    ):
        for text in _texts(message):
            assert _unescaped_angles(text) == [], text
            assert "&" not in text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", ""), text
            # No code spans of our own: the only backticks are the value's, which then format nothing.
            assert "`" not in text.replace(escape_mrkdwn(hostile), "")


def test_not_scanned_message_names_object_and_reason() -> None:
    message = build_not_scanned_message(
        "gs://b/x.csv", "DLP job ended FAILED: denied", "projects/p/dlpJobs/i-9"
    )
    assert message["text"] == "DLP NOT SCANNED: gs://b/x.csv (DLP job ended FAILED: denied)"
    assert message["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Object NOT SCANNED",
        "emoji": False,
    }
    assert "*Reason:* DLP job ended FAILED: denied" in json.dumps(message["blocks"])


def test_console_link_cannot_be_broken_by_the_job_name() -> None:
    url = console_url("projects/p|x>y/dlpJobs/i-1")
    assert "|" not in url
    assert ">" not in url
