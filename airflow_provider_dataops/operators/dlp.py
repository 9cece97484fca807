"""DLP operators: start an inspect job over one GCS object; alert Slack on its findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, TriggerRule
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_dataops.dlp.file_set import exact_object_file_set
from airflow_provider_dataops.dlp.gcs import SCANNED_OBJECT_KEY, object_record, proto_timestamp
from airflow_provider_dataops.dlp.jobs import (
    DEFAULT_INFO_TYPES,
    DlpInputError,
    derive_job_id,
    parse_gcs_uri,
    validate_info_types,
    validate_job_id,
    validate_likelihood,
)
from airflow_provider_dataops.dlp.slack import build_findings_message, build_not_scanned_message
from airflow_provider_dataops.dlp.verdict import CLEAN, SummaryError, judge, parse_summary
from airflow_provider_dataops.hooks.dlp import DlpHook

if TYPE_CHECKING:
    from airflow.sdk import Context


class DlpInspectOperator(BaseOperator):
    """Start a DLP inspect job over exactly one GCS object and return the job's full name.

    Before the job starts, the object's generation, size and checksums are read through the
    Google provider's ``GCSHook`` and pushed as the XCom ``scanned_object`` (hand it to
    :class:`DlpJobSensor` as ``scanned_object=`` so the summary carries it); the router moves
    only that generation. ``record_generation=False`` skips the read (no storage access needed),
    and the router then quarantines, as it cannot tell what was scanned.

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
        record_generation: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.record_generation = record_generation
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

    def build_job_config(self, scanned: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``InspectJobConfig`` as a dict; raises ``DlpInputError`` on bad input.

        The file set names exactly the one object by an anchored regex, whatever characters its
        name holds. With ``scanned`` (the object's metadata read just before), the scan is pinned
        to that version: ``timespan_config.end_time`` excludes anything newer, so an overwrite
        before DLP reads the object makes DLP skip it (processed bytes 0, judged NOT SCANNED).
        """
        bucket, name = parse_gcs_uri(self.gcs_uri)
        storage: dict[str, Any] = {"file_set": exact_object_file_set(bucket, name)}
        timespan: dict[str, Any] = {}
        if scanned and scanned.get("updated"):
            timespan["timespan_config"] = {"end_time": proto_timestamp(scanned["updated"])}
        if self.bytes_limit_per_file:
            storage["bytes_limit_per_file"] = int(self.bytes_limit_per_file)
        if self.file_types:
            storage["file_types"] = list(self.file_types)
        config: dict[str, Any] = {
            "storage_config": {"cloud_storage_options": storage, **timespan},
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
            parse_gcs_uri(self.gcs_uri)
            scanned = self.read_object() if self.record_generation else None
            config = self.build_job_config(scanned)
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
        if scanned is not None:
            context["ti"].xcom_push(key=SCANNED_OBJECT_KEY, value=scanned)
        self.log.info(
            "DLP inspect job %s scans %s (generation %s)",
            job.name,
            self.gcs_uri,
            (scanned or {}).get("generation", "not recorded"),
        )
        return job.name

    def read_object(self) -> dict[str, Any]:
        """The object's generation, size, checksums and update time, read before the scan starts.

        Fails the task when the object does not exist: there is nothing to scan or route.
        """
        from airflow.providers.google.cloud.hooks.gcs import GCSHook

        bucket, name = parse_gcs_uri(self.gcs_uri)
        client = GCSHook(
            gcp_conn_id=self.gcp_conn_id, impersonation_chain=self.impersonation_chain
        ).get_conn()
        blob = client.bucket(bucket).get_blob(name)
        if blob is None:
            raise DlpInputError(f"gcs_uri {self.gcs_uri!r}: no such object")
        return object_record(self.gcs_uri, blob)

    def on_kill(self) -> None:
        if self._job_name:
            self.log.info("Cancelling DLP job %s", self._job_name)
            self.hook.cancel_job(self._job_name)


def _as_summary(summary: Any) -> Mapping[str, Any] | None:
    """A rendered ``summary`` (dict, its text form, or ``None`` when the scan left no result)."""
    try:
        return parse_summary(summary)
    except SummaryError as exc:
        raise AirflowFailException(str(exc)) from None


class DlpFindingsSlackOperator(BaseOperator):
    """Post a Block Kit alert to a Slack webhook when a DLP summary reaches the threshold.

    The message holds the object URI, the info types with their counts, the job name and a
    console link, never finding text; every value is escaped for Slack mrkdwn. Under the
    threshold nothing is sent and the task succeeds. A failed post fails the task, so retries
    apply and no alert is lost.

    Fails closed: a summary that is missing (the inspect or wait task failed or timed out; the
    default ``trigger_rule`` is ``all_done`` so this task still runs), or whose job did not end
    DONE over exactly the expected object, sends a *NOT SCANNED* alert naming the object
    (``gcs_uri``, or the summary's) and the reason, whatever ``min_findings`` is.
    """

    template_fields: Sequence[str] = ("summary", "gcs_uri")
    ui_color = "#4a154b"
    ui_fgcolor = "#ffffff"

    def __init__(
        self,
        *,
        summary: Any,
        slack_webhook_conn_id: str = "slack_default",
        min_findings: int = 1,
        info_types: Sequence[str] | None = None,
        gcs_uri: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        super().__init__(**kwargs)
        if min_findings < 0:
            raise ValueError(f"min_findings must be >= 0, got {min_findings}")
        self.summary = summary
        self.slack_webhook_conn_id = slack_webhook_conn_id
        self.min_findings = min_findings
        self.info_types = list(info_types) if info_types is not None else None
        self.gcs_uri = gcs_uri

    def execute(self, context: Context) -> bool:
        from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook

        summary = _as_summary(self.summary)
        verdict = judge(
            summary, gcs_uri=self.gcs_uri or None, min_findings=self.min_findings, info_types=self.info_types
        )
        if verdict.status == CLEAN:
            self.log.info(
                "%s is clean: %d finding(s), threshold %d; no alert",
                verdict.uri,
                sum(verdict.findings.values()),
                self.min_findings,
            )
            return False
        if verdict.scanned:
            message = build_findings_message(dict(summary or {}, uri=verdict.uri), verdict.findings)
        else:
            message = build_not_scanned_message(verdict.uri, verdict.reason, verdict.job_name)
        SlackWebhookHook(slack_webhook_conn_id=self.slack_webhook_conn_id).send(
            text=message["text"], blocks=message["blocks"]
        )
        if verdict.scanned:
            self.log.info(
                "Sent Slack alert: %d finding(s) in %s", sum(verdict.findings.values()), verdict.uri
            )
        else:
            self.log.warning("Sent Slack alert: %s NOT SCANNED: %s", verdict.uri, verdict.reason)
        return True
