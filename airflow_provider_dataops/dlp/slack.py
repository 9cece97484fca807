"""Slack Block Kit message for DLP findings: info types, counts, object, job; never the findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_dataops.dlp.jobs import parse_job_name

CONSOLE = "https://console.cloud.google.com/security/sensitive-data-protection"


def filter_findings(findings: Mapping[str, Any], info_types: Iterable[str] | None = None) -> dict[str, int]:
    wanted = None if info_types is None else set(info_types)
    return {
        str(name): int(count)
        for name, count in findings.items()
        if (wanted is None or name in wanted) and int(count) > 0
    }


def meets_threshold(findings: Mapping[str, int], min_findings: int) -> bool:
    return sum(findings.values()) >= min_findings


def console_url(job_name: str) -> str:
    name = parse_job_name(job_name)
    return f"{CONSOLE}/{name.parent}/dlpJobs/{name.job_id}?project={name.project}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_findings_message(summary: Mapping[str, Any], findings: Mapping[str, int]) -> dict[str, Any]:
    """``{"text": ..., "blocks": [...]}`` for a webhook; built from counts only."""
    uri = str(summary.get("uri") or "(unknown object)")
    job_name = str(summary.get("job_name") or "")
    total = sum(findings.values())
    text = f"DLP found {total} sensitive item(s) in {uri}"
    rows = "\n".join(f"• `{_escape(name)}`: {count}" for name, count in sorted(findings.items()))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Sensitive data detected", "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Object:* `{_escape(uri)}`"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Findings ({total}):*\n{rows}"}},
    ]
    if job_name:
        try:
            link = f"<{console_url(job_name)}|open in console>"
        except ValueError:
            link = ""
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"DLP job `{_escape(job_name)}` {link}".strip()}],
            }
        )
    return {"text": text, "blocks": blocks}
