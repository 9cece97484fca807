"""One rule for what a DLP summary means for its object: clean, dirty or not scanned.

The Slack alert and the router both judge a summary here, so an object the router
quarantines is exactly one the alert reports. Anything short of a finished scan of exactly the
expected object is ``NOT_SCANNED`` and counts as dirty (fail closed).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_dataops.dlp.slack import filter_findings, meets_threshold

NOT_SCANNED = "NOT_SCANNED"
CLEAN, DIRTY = "clean", "dirty"
NO_RESULT = "no DLP result: the inspect or the wait task did not succeed (see their logs)"


class SummaryError(ValueError):
    """``summary`` is neither a DLP summary nor empty (a DAG wiring mistake)."""


@dataclass(frozen=True)
class Verdict:
    """What to do with one object: ``status`` is ``clean``, ``dirty`` or ``NOT_SCANNED``."""

    status: str
    uri: str | None
    findings: dict[str, int] = field(default_factory=dict)
    reason: str = ""
    job_name: str = ""
    generation: int | None = None

    @property
    def dirty(self) -> bool:
        return self.status != CLEAN

    @property
    def scanned(self) -> bool:
        return self.status != NOT_SCANNED


def not_scanned_summary(uri: str | None, reason: str, job_name: str = "", **extra: Any) -> dict[str, Any]:
    """A summary for an object that was not scanned, in the sensor's shape."""
    return {
        "job_name": job_name,
        "state": NOT_SCANNED,
        "uri": uri,
        "findings": {},
        "total_findings": 0,
        "processed_bytes": 0,
        "reason": reason,
        **extra,
    }


def parse_summary(summary: Any) -> Mapping[str, Any] | None:
    """A rendered ``summary``: a dict (XComArg), its text form (Jinja), or ``None`` when missing."""
    if summary is None or (isinstance(summary, str) and summary.strip() in ("", "None")):
        return None
    if isinstance(summary, Mapping):
        return summary
    if isinstance(summary, str):
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(summary)
            except (ValueError, SyntaxError):
                continue
            if value is None or isinstance(value, Mapping):
                return value
    raise SummaryError(
        f"summary: expected the DlpJobSensor result (a dict with 'findings'), got {type(summary).__name__}"
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def judge(
    summary: Mapping[str, Any] | None,
    *,
    gcs_uri: str | None = None,
    min_findings: int = 1,
    info_types: Iterable[str] | None = None,
) -> Verdict:
    """Judge one summary; ``gcs_uri`` is the object the caller expects it to be about."""
    if summary is None:
        return Verdict(NOT_SCANNED, gcs_uri, reason=NO_RESULT)
    uri = summary.get("uri") or gcs_uri
    job_name = str(summary.get("job_name") or "")
    generation = _int_or_none(summary.get("generation"))

    def not_scanned(reason: str) -> Verdict:
        return Verdict(NOT_SCANNED, uri, reason=reason, job_name=job_name, generation=generation)

    state = str(summary.get("state") or "UNKNOWN")
    if state != "DONE":
        errors = "; ".join(str(e) for e in summary.get("errors") or [])
        reason = str(summary.get("reason") or "")
        if not reason:
            reason = f"DLP job ended {state}" + (f": {errors}" if errors else "")
        return not_scanned(reason)
    if summary.get("uri") is None:
        return not_scanned("the DLP job did not scan exactly one object")
    if gcs_uri and summary.get("uri") != gcs_uri:
        return not_scanned(f"the DLP job scanned {summary.get('uri')}, not {gcs_uri}")
    size = _int_or_none(summary.get("size"))
    processed = _int_or_none(summary.get("processed_bytes")) or 0
    if size and processed == 0:
        return not_scanned(f"DLP processed 0 of the object's {size} bytes (skipped or unreadable)")
    findings = filter_findings(summary.get("findings") or {}, info_types)
    status = DIRTY if meets_threshold(findings, min_findings) else CLEAN
    return Verdict(status, uri, findings, job_name=job_name, generation=generation)
