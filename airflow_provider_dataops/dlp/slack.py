"""Slack Block Kit messages for DLP results: info types, counts, object, job; never the findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

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
    """The job's page in the console; every path part percent-encoded, so it is safe inside ``<...|...>``."""
    name = parse_job_name(job_name)
    parent = "/".join(quote(part, safe="") for part in name.parent.split("/"))
    return f"{CONSOLE}/{parent}/dlpJobs/{quote(name.job_id, safe='')}?project={quote(name.project, safe='')}"


def escape_mrkdwn(text: object) -> str:
    """Escape ``&``, ``<`` and ``>`` as Slack's formatting rules require for untrusted text.

    With these three escaped no value can open a link, a mention (``<!channel>``) or a
    user/channel reference. Values are never put in code spans: a backtick in a name would end
    the span, so it would protect nothing.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _job_context(job_name: str) -> list[dict[str, Any]]:
    if not job_name:
        return []
    try:
        link = f" <{console_url(job_name)}|open in console>"
    except ValueError:
        link = ""
    return [
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"DLP job {escape_mrkdwn(job_name)}{link}"}],
        }
    ]


def build_findings_message(summary: Mapping[str, Any], findings: Mapping[str, int]) -> dict[str, Any]:
    """``{"text": ..., "blocks": [...]}`` for a webhook; built from counts only, every value escaped."""
    uri = escape_mrkdwn(summary.get("uri") or "(unknown object)")
    total = sum(findings.values())
    rows = "\n".join(f"• {escape_mrkdwn(name)}: {int(count)}" for name, count in sorted(findings.items()))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Sensitive data detected", "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Object:* {uri}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Findings ({total}):*\n{rows}"}},
        *_job_context(str(summary.get("job_name") or "")),
    ]
    return {"text": f"DLP found {total} sensitive item(s) in {uri}", "blocks": blocks}


def build_not_scanned_message(uri: str | None, reason: str, job_name: str = "") -> dict[str, Any]:
    """The alert for an object DLP did not scan: it names the object and the reason."""
    name = escape_mrkdwn(uri or "(unknown object)")
    why = escape_mrkdwn(reason or "unknown reason")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Object NOT SCANNED", "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Object:* {name}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Reason:* {why}"}},
        *_job_context(job_name),
    ]
    return {"text": f"DLP NOT SCANNED: {name} ({why})", "blocks": blocks}
