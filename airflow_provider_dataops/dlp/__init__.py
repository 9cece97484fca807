"""Pure logic of the GCS DLP scan (no Airflow import): inputs, job ids, summaries, Slack messages."""

from airflow_provider_dataops.dlp.events import object_uri_from_params, object_uris_from_events
from airflow_provider_dataops.dlp.jobs import (
    DEFAULT_INFO_TYPES,
    DlpInputError,
    JobName,
    derive_job_id,
    job_errors,
    parse_gcs_uri,
    parse_job_name,
    summarize_job,
    validate_info_types,
    validate_job_id,
)
from airflow_provider_dataops.dlp.slack import build_findings_message, filter_findings, meets_threshold

__all__ = [
    "DEFAULT_INFO_TYPES",
    "DlpInputError",
    "JobName",
    "build_findings_message",
    "derive_job_id",
    "filter_findings",
    "job_errors",
    "meets_threshold",
    "object_uri_from_params",
    "object_uris_from_events",
    "parse_gcs_uri",
    "parse_job_name",
    "summarize_job",
    "validate_info_types",
    "validate_job_id",
]
