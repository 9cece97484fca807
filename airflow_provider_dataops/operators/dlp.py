"""DLP operators: start an inspect job over one GCS object; alert Slack on its findings."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_dataops.dlp.jobs import (
    DEFAULT_INFO_TYPES,
    DlpInputError,
    derive_job_id,
    parse_gcs_uri,
    validate_info_types,
    validate_job_id,
    validate_likelihood,
)
from airflow_provider_dataops.dlp.slack import build_findings_message, filter_findings, meets_threshold
from airflow_provider_dataops.hooks.dlp import DlpHook

if TYPE_CHECKING:
    from airflow.sdk import Context


class DlpInspectOperator(BaseOperator):
    """Start a DLP inspect job over exactly one GCS object and return the job's full name.

    Retries of one task instance reuse its job: the job id is derived from dag/run/task/map
    index (or given as ``job_id``), and an existing job of that id is fetched instead of
    starting a second paid scan. ``include_quote`` stays off by default so findings carry no
    sensitive text. ``on_kill`` cancels the job.
    """

    template_fields: Sequence[str] = ("project_id", "gcs_uri", "info_types", "pubsub_topic", "job_id")
    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        project_id: str,
        gcs_uri: str,
        info_types: Sequence[str] = DEFAULT_INFO_TYPES,
        min_likelihood: str = "LIKELY",
        include_quote: bool = False,
        bytes_limit_per_file: int | None = None,
        file_types: Sequence[str] | None = None,
        pubsub_topic: str | None = None,
        job_id: str | None = None,
        gcp_conn_id: str = "google_cloud_default",
        location: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.gcs_uri = gcs_uri
        self.info_types = list(info_types)
        self.min_likelihood = validate_likelihood(min_likelihood)
        self.include_quote = include_quote
        self.bytes_limit_per_file = bytes_limit_per_file
        self.file_types = list(file_types) if file_types else None
        self.pubsub_topic = pubsub_topic
        self.job_id = job_id
        self.gcp_conn_id = gcp_conn_id
        self.location = location
        self.impersonation_chain = impersonation_chain
        self._job_name: str | None = None

    @cached_property
    def hook(self) -> DlpHook:
        return DlpHook(gcp_conn_id=self.gcp_conn_id, impersonation_chain=self.impersonation_chain)

    def build_job_config(self) -> dict[str, Any]:
        """The ``InspectJobConfig`` as a dict; raises ``DlpInputError`` on bad input."""
        parse_gcs_uri(self.gcs_uri)
        storage: dict[str, Any] = {"file_set": {"url": self.gcs_uri}}
        if self.bytes_limit_per_file:
            storage["bytes_limit_per_file"] = int(self.bytes_limit_per_file)
        if self.file_types:
            storage["file_types"] = list(self.file_types)
        config: dict[str, Any] = {
            "storage_config": {"cloud_storage_options": storage},
            "inspect_config": {
                "info_types": [{"name": n} for n in validate_info_types(self.info_types)],
                "min_likelihood": self.min_likelihood,
                "include_quote": bool(self.include_quote),
            },
        }
        if self.pubsub_topic:
            config["actions"] = [{"pub_sub": {"topic": self.pubsub_topic}}]
        return config

    def execute(self, context: Context) -> str:
        from google.api_core.exceptions import BadRequest

        try:
            config = self.build_job_config()
            if self.job_id:
                job_id = validate_job_id(self.job_id)
            else:
                ti = context["ti"]
                job_id = derive_job_id(ti.dag_id, ti.run_id, ti.task_id, getattr(ti, "map_index", -1))
        except DlpInputError as exc:
            raise AirflowFailException(str(exc)) from None
        parent = DlpHook.parent_path(self.project_id, self.location)
        try:
            job = self.hook.create_inspect_job(parent, config, job_id=job_id)
        except BadRequest as exc:  # InvalidArgument over gRPC, a plain 400 over REST
            raise AirflowFailException(
                f"DLP rejected the inspect job for {self.gcs_uri}: {exc.message}"
            ) from None
        self._job_name = job.name
        self.log.info("DLP inspect job %s scans %s", job.name, self.gcs_uri)
        return job.name

    def on_kill(self) -> None:
        if self._job_name:
            self.log.info("Cancelling DLP job %s", self._job_name)
            self.hook.cancel_job(self._job_name)


def _as_summary(summary: Any) -> Mapping[str, Any]:
    """A rendered ``summary``: a dict (XComArg) or its text form (a Jinja string)."""
    if isinstance(summary, Mapping):
        return summary
    if isinstance(summary, str):
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(summary)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, Mapping):
                return value
    raise AirflowFailException(
        f"summary: expected the DlpJobSensor result (a dict with 'findings'), got {type(summary).__name__}"
    )


class DlpFindingsSlackOperator(BaseOperator):
    """Post a Block Kit alert to a Slack webhook when a DLP summary reaches the threshold.

    The message holds the object URI, the info types with their counts, the job name and a
    console link, never finding text. Under the threshold nothing is sent and the task
    succeeds. A failed post fails the task, so retries apply and no alert is lost.
    """

    template_fields: Sequence[str] = ("summary",)
    ui_color = "#4a154b"
    ui_fgcolor = "#ffffff"

    def __init__(
        self,
        *,
        summary: Any,
        slack_webhook_conn_id: str = "slack_default",
        min_findings: int = 1,
        info_types: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if min_findings < 0:
            raise ValueError(f"min_findings must be >= 0, got {min_findings}")
        self.summary = summary
        self.slack_webhook_conn_id = slack_webhook_conn_id
        self.min_findings = min_findings
        self.info_types = list(info_types) if info_types is not None else None

    def execute(self, context: Context) -> bool:
        from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook

        summary = _as_summary(self.summary)
        findings = filter_findings(summary.get("findings") or {}, self.info_types)
        uri = summary.get("uri")
        if not meets_threshold(findings, self.min_findings):
            self.log.info(
                "%s is clean: %d finding(s), threshold %d; no alert",
                uri,
                sum(findings.values()),
                self.min_findings,
            )
            return False
        message = build_findings_message(summary, findings)
        SlackWebhookHook(slack_webhook_conn_id=self.slack_webhook_conn_id).send(
            text=message["text"], blocks=message["blocks"]
        )
        self.log.info("Sent Slack alert: %d finding(s) in %s", sum(findings.values()), uri)
        return True
