"""DLP inspect-job inputs and results as plain data.

Everything here works on plain strings and dicts (a ``DlpJob`` converted with
``DlpJob.to_dict(job, use_integers_for_enums=False)``), so it is tested without Airflow or Google
clients.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_dataops.dlp.file_set import uri_from_file_set

#: The info types the seed's Cloud Function scanned for.
DEFAULT_INFO_TYPES: tuple[str, ...] = (
    "CREDIT_CARD_NUMBER",
    "AUSTRALIA_TAX_FILE_NUMBER",
    "EMAIL_ADDRESS",
    "ETHNIC_GROUP",
    "FIRST_NAME",
    "LAST_NAME",
    "GCP_CREDENTIALS",
    "PHONE_NUMBER",
)

LIKELIHOODS = ("VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY")
TERMINAL_STATES = frozenset({"DONE", "FAILED", "CANCELED"})
_STATE_NAMES = {0: "JOB_STATE_UNSPECIFIED", 1: "PENDING", 2: "RUNNING", 3: "DONE", 4: "CANCELED", 5: "FAILED"}

_JOB_ID = re.compile(r"[a-zA-Z0-9_-]{1,100}")
_INFO_TYPE = re.compile(r"[A-Za-z0-9_]{1,64}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
_JOB_NAME = re.compile(
    r"projects/(?P<project>[^/]+)(?:/locations/(?P<location>[^/]+))?/dlpJobs/(?P<job_id>[^/]+)"
)


class DlpInputError(ValueError):
    """An input to the DLP scan is unusable; the message names the input and the problem."""


@dataclass(frozen=True)
class JobName:
    project: str
    location: str | None
    job_id: str

    @property
    def parent(self) -> str:
        if self.location:
            return f"projects/{self.project}/locations/{self.location}"
        return f"projects/{self.project}"

    def __str__(self) -> str:
        return f"{self.parent}/dlpJobs/{self.job_id}"


def parse_gcs_uri(uri: str) -> tuple[str, str]:
    """Split ``gs://bucket/object`` into (bucket, object) for any valid Cloud Storage object name.

    The name is taken literally: ``*``, ``?``, ``[``, ``]`` and a trailing ``/`` are ordinary
    characters of the name (the scan names the object by an exact regex, see
    :mod:`airflow_provider_dataops.dlp.file_set`). Refused are only names Cloud Storage itself
    does not allow: carriage return or line feed, ``.`` / ``..``, more than 1024 bytes.
    """
    if not isinstance(uri, str) or not uri.startswith("gs://"):
        raise DlpInputError(f"gcs_uri {uri!r}: expected gs://BUCKET/OBJECT")
    bucket, sep, name = uri[len("gs://") :].partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise DlpInputError(f"gcs_uri {uri!r}: {bucket!r} is not a valid bucket name")
    if not sep or not name:
        raise DlpInputError(f"gcs_uri {uri!r}: no object name after the bucket")
    if "\r" in name or "\n" in name or name in (".", ".."):
        raise DlpInputError(f"gcs_uri {uri!r}: not a valid Cloud Storage object name (CR, LF, '.' or '..')")
    if len(name.encode()) > 1024:
        raise DlpInputError(f"gcs_uri {uri!r}: object name exceeds 1024 bytes")
    return bucket, name


def validate_info_types(info_types: Iterable[str]) -> list[str]:
    names = list(info_types) if not isinstance(info_types, str) else [info_types]
    if not names:
        raise DlpInputError("info_types: at least one info type is required")
    bad = [n for n in names if not isinstance(n, str) or not _INFO_TYPE.fullmatch(n)]
    if bad:
        raise DlpInputError(f"info_types: invalid name(s) {bad!r}; expected names like EMAIL_ADDRESS")
    return names


def validate_likelihood(value: str) -> str:
    if value not in LIKELIHOODS:
        raise DlpInputError(f"min_likelihood: {value!r} is not one of {', '.join(LIKELIHOODS)}")
    return value


def validate_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        raise DlpInputError(f"job_id {job_id!r}: must match [a-zA-Z0-9_-]{{1,100}}")
    return job_id


def derive_job_id(dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
    """A DLP job id that is the same for every try of one task instance and unique across them.

    Run ids contain ``:`` and ``+``, which DLP rejects, so the id is a hash with a readable prefix.
    """
    digest = hashlib.sha256(f"{dag_id}\x00{run_id}\x00{task_id}\x00{map_index}".encode()).hexdigest()[:32]
    prefix = re.sub(r"[^a-zA-Z0-9_-]+", "-", f"{dag_id}-{task_id}").strip("-")[:60] or "airflow"
    return f"{prefix}-{digest}"


def parse_job_name(name: str) -> JobName:
    """Parse ``projects/P/dlpJobs/ID`` or ``projects/P/locations/L/dlpJobs/ID``."""
    match = _JOB_NAME.fullmatch(name or "")
    if not match:
        raise DlpInputError(
            f"job_name {name!r}: expected projects/P/dlpJobs/ID or projects/P/locations/L/dlpJobs/ID"
        )
    return JobName(match["project"], match["location"], match["job_id"])


def job_state(job: Mapping[str, Any]) -> str:
    state = job.get("state", 0)
    return _STATE_NAMES.get(state, str(state)) if isinstance(state, int) else str(state)


def job_errors(job: Mapping[str, Any]) -> list[str]:
    """The job's error messages (``errors[].details.message``), without duplicates."""
    messages: list[str] = []
    for error in job.get("errors") or []:
        details = error.get("details") or {}
        message = str(details.get("message") or f"error code {details.get('code', '?')}")
        if message not in messages:
            messages.append(message)
    return messages


def job_uri(job: Mapping[str, Any]) -> str | None:
    options = (job.get("inspect_details") or {}).get("requested_options") or {}
    storage = (options.get("job_config") or {}).get("storage_config") or {}
    file_set = (storage.get("cloud_storage_options") or {}).get("file_set") or {}
    return uri_from_file_set(file_set)


def summarize_job(job: Mapping[str, Any]) -> dict[str, Any]:
    """The sensor's return value: state, object URI, counts per info type, processed bytes."""
    result = (job.get("inspect_details") or {}).get("result") or {}
    findings: dict[str, int] = {}
    for stat in result.get("info_type_stats") or []:
        name = (stat.get("info_type") or {}).get("name")
        if name:
            findings[name] = findings.get(name, 0) + int(stat.get("count") or 0)
    return {
        "job_name": job.get("name", ""),
        "state": job_state(job),
        "uri": job_uri(job),
        "findings": findings,
        "total_findings": sum(findings.values()),
        "processed_bytes": int(result.get("processed_bytes") or 0),
    }
