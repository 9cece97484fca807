"""DLP operators: inspect one GCS object; alert Slack on its findings; route it by the result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, TriggerRule
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_dataops.dlp.file_set import exact_object_file_set
from airflow_provider_dataops.dlp.gcs import (
    META_SOURCE_GENERATION,
    SCANNED_OBJECT_KEY,
    MoveError,
    destination,
    find_copy,
    move_object,
    object_record,
    parse_prefix_uri,
    proto_timestamp,
    route_metadata,
)
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
from airflow_provider_dataops.dlp.verdict import (
    CLEAN,
    NOT_SCANNED,
    SummaryError,
    Verdict,
    judge,
    parse_summary,
)
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


class DlpRouteObjectOperator(BaseOperator):
    """The gate after the scan: quarantine what has findings or was not scanned, publish what is clean.

    The summary is judged by the same rule as :class:`DlpFindingsSlackOperator` (findings after
    the ``info_types`` filter at or above ``min_findings`` are dirty; a missing summary, a job that
    did not end DONE over exactly this object, or nothing processed, is NOT SCANNED). Dirty and
    not-scanned objects move under ``quarantine_uri``; clean ones under ``clean_uri`` when given
    (else they stay). A clean object whose generation differs from the scanned one (it was
    overwritten after the scan) is quarantined, not moved as clean, and the log says so.

    Moves go through the Google provider's ``GCSHook`` client: rewrite pinned to the scanned
    generation, verify size and crc32c / MD5, label the copy, then delete the source with
    ``if_generation_match``; a re-run after a crash finds its labelled copy and neither loses nor
    duplicates the object (see :func:`airflow_provider_dataops.dlp.gcs.move_object`). The
    destination keeps the full object name under the prefix; its metadata records the source,
    generation, verdict, DLP job, info types and counts (never a finding's text).

    The clean path emits an asset event for ``Asset(clean_uri)`` with the moved object and the
    job in its extra, through an ``AssetAlias`` outlet (a plain ``Asset`` outlet would emit on
    the quarantine path too), so a DAG with ``schedule=[Asset(clean_uri)]`` runs on clean data
    only.

    ``trigger_rule`` defaults to ``all_done``: the gate runs (and quarantines) when the scan or
    the wait failed. Returns ``{"verdict", "source", "destination", "generation", "job_name",
    "reason"}``.
    """

    template_fields: Sequence[str] = ("summary", "gcs_uri")
    ui_color = "#fce8e6"

    def __init__(
        self,
        *,
        summary: Any,
        clean_uri: str | None = None,
        quarantine_uri: str,
        min_findings: int = 1,
        info_types: Sequence[str] | None = None,
        gcp_conn_id: str = "google_cloud_default",
        gcs_uri: str | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        from airflow.sdk import AssetAlias

        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE)
        if min_findings < 0:
            raise ValueError(f"min_findings must be >= 0, got {min_findings}")
        parse_prefix_uri(quarantine_uri, "quarantine_uri")
        self.clean_alias: AssetAlias | None = None
        if clean_uri is not None:
            parse_prefix_uri(clean_uri, "clean_uri")
            self.clean_alias = AssetAlias(name=f"dlp-clean {clean_uri}")
            kwargs["outlets"] = [*(kwargs.get("outlets") or []), self.clean_alias]
        super().__init__(**kwargs)
        self.summary = summary
        self.clean_uri = clean_uri
        self.quarantine_uri = quarantine_uri
        self.min_findings = min_findings
        self.info_types = list(info_types) if info_types is not None else None
        self.gcp_conn_id = gcp_conn_id
        self.gcs_uri = gcs_uri
        self.impersonation_chain = impersonation_chain

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow.providers.google.cloud.hooks.gcs import GCSHook

        verdict = judge(
            _as_summary(self.summary),
            gcs_uri=self.gcs_uri or None,
            min_findings=self.min_findings,
            info_types=self.info_types,
        )
        if not verdict.uri:
            raise AirflowFailException("summary names no object and gcs_uri is not set: nothing to route")
        try:
            bucket, name = parse_gcs_uri(verdict.uri)
        except DlpInputError as exc:
            raise AirflowFailException(str(exc)) from None
        hook = GCSHook(gcp_conn_id=self.gcp_conn_id, impersonation_chain=self.impersonation_chain)
        client = hook.get_conn()
        source = client.bucket(bucket).get_blob(name)
        status, reason = self._decide(verdict, source)
        if status == CLEAN and self.clean_uri is None:
            self.log.info("%s is clean; no clean_uri, so it stays where it is", verdict.uri)
            return self._result(CLEAN, verdict.uri, None, verdict.generation, verdict.job_name, "")
        if status == CLEAN and self.clean_uri:
            dest_bucket, dest_name = destination(self.clean_uri, name, "clean_uri")
        else:
            dest_bucket, dest_name = destination(self.quarantine_uri, name, "quarantine_uri")
        moved_to = f"gs://{dest_bucket}/{dest_name}"
        if source is None:
            copy = find_copy(client, dest_bucket, dest_name, verdict.uri, verdict.generation)
            if copy is None:
                raise AirflowFailException(
                    f"{verdict.uri}: no such object, and no routed copy of it at {moved_to}"
                )
            self.log.info("%s was already moved to %s by an earlier try", verdict.uri, moved_to)
            generation = int(copy.generation)
            source_generation = int((copy.metadata or {}).get(META_SOURCE_GENERATION) or 0)
        else:
            source_generation = int(source.generation)
            metadata = route_metadata(
                source_uri=verdict.uri,
                generation=source_generation,
                verdict=status,
                job_name=verdict.job_name,
                findings=verdict.findings,
                reason=reason,
            )
            try:
                generation = move_object(client, source, dest_bucket, dest_name, metadata).generation
            except MoveError as exc:
                raise AirflowFailException(str(exc)) from None
        if status == CLEAN:
            self.log.info("%s is clean; moved to %s", verdict.uri, moved_to)
            self._emit_clean_event(context, moved_to, verdict.uri, verdict.job_name, source_generation)
        else:
            self.log.warning("%s quarantined at %s: %s", verdict.uri, moved_to, reason or "findings")
        return self._result(status, verdict.uri, moved_to, generation, verdict.job_name, reason)

    def _decide(self, verdict: Verdict, source: Any) -> tuple[str, str]:
        """The verdict's status, unless the object is no longer the version that was scanned."""
        if verdict.status != CLEAN or source is None:
            return verdict.status, verdict.reason
        if verdict.generation is None:
            reason = "the summary does not carry the scanned generation"
            self.log.warning("%s: %s; quarantining it", verdict.uri, reason)
            return NOT_SCANNED, reason
        if int(source.generation) != verdict.generation:
            reason = (
                f"changed after the scan: scanned generation {verdict.generation}, now {source.generation}"
            )
            self.log.warning("%s %s; quarantining the new version (not rescanned)", verdict.uri, reason)
            return NOT_SCANNED, reason
        return CLEAN, ""

    def _emit_clean_event(
        self, context: Context, moved_to: str, source: str, job_name: str, generation: int
    ) -> None:
        from airflow.sdk import Asset

        if self.clean_alias is None:
            return
        extra: dict[str, Any] = {
            "object": moved_to,
            "source": source,
            "source_generation": generation,
            "job_name": job_name,
        }
        context["outlet_events"][self.clean_alias].add(Asset(str(self.clean_uri)), extra=extra)

    @staticmethod
    def _result(
        verdict: str, source: str, moved_to: str | None, generation: int | None, job_name: str, reason: str
    ) -> dict[str, Any]:
        return {
            "verdict": verdict,
            "source": source,
            "destination": moved_to,
            "generation": generation,
            "job_name": job_name,
            "reason": reason,
        }
