"""DlpJobSensor: wait for a DLP inspect job and return its findings summary."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.configuration import conf
from airflow.sdk import BaseSensorOperator, PokeReturnValue
from airflow.sdk.bases.xcom import BaseXCom
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout

from airflow_provider_dataops.dlp.jobs import TERMINAL_STATES, job_errors, parse_job_name, summarize_job
from airflow_provider_dataops.dlp.verdict import not_scanned_summary
from airflow_provider_dataops.hooks.dlp import DlpHook
from airflow_provider_dataops.triggers.dlp import DlpJobTrigger

if TYPE_CHECKING:
    from airflow.sdk import Context


class DlpJobFailed(AirflowException):
    """The DLP job ended FAILED or CANCELED, or the wait timed out (the job was cancelled)."""


class DlpJobSensor(BaseSensorOperator):
    """Wait for a DLP job to finish; returns ``{"job_name", "state", "uri", "findings", ...}``.

    FAILED or CANCELED fail the task with the job's error messages. On timeout the job is
    cancelled. With ``deferrable=True`` the wait runs in the triggerer (:class:`DlpJobTrigger`).

    The summary also carries the scanned object's ``generation`` and ``size`` when
    ``scanned_object`` is given (the inspect task's ``scanned_object`` XCom, e.g.
    ``XComArg(inspect, key="scanned_object")``); the router moves only that generation.

    When the job ends FAILED or CANCELED, or the wait times out, the task still fails, but first
    pushes its summary (``state`` FAILED / CANCELED / ``NOT_SCANNED`` with ``errors`` or
    ``reason``) as its return value, so a downstream alert or router (``trigger_rule="all_done"``)
    reports the object as not scanned with the reason.

    :param job_name: full job name, ``projects/P/dlpJobs/ID`` or ``projects/P/locations/L/dlpJobs/ID``
        (the return value of :class:`DlpInspectOperator`); a bare id is completed with ``project_id``.
    """

    template_fields: Sequence[str] = ("job_name", "project_id", "scanned_object")
    ui_color = "#e8f0fe"

    def __init__(
        self,
        *,
        job_name: str,
        project_id: str | None = None,
        gcp_conn_id: str = "google_cloud_default",
        impersonation_chain: str | Sequence[str] | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float = 30,
        scanned_object: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=poke_interval, **kwargs)
        self.scanned_object = scanned_object
        self.job_name = job_name
        self.project_id = project_id
        self.gcp_conn_id = gcp_conn_id
        self.impersonation_chain = impersonation_chain
        self.deferrable = deferrable

    def _full_name(self) -> str:
        name = str(self.job_name)
        if "/" not in name and self.project_id:
            name = f"projects/{self.project_id}/dlpJobs/{name}"
        parse_job_name(name)
        return name

    @cached_property
    def hook(self) -> DlpHook:
        return DlpHook(gcp_conn_id=self.gcp_conn_id, impersonation_chain=self.impersonation_chain)

    def execute(self, context: Context) -> Any:
        name = self._full_name()
        if not self.deferrable:
            try:
                return super().execute(context)
            except AirflowSensorTimeout:
                self._cancel(name)
                self._push_failure(context, self._timeout_summary(name))
                raise
        done = self.poke(context)
        if isinstance(done, PokeReturnValue) and done.is_done:
            return done.xcom_value
        self.defer(
            trigger=DlpJobTrigger(
                job_name=name,
                gcp_conn_id=self.gcp_conn_id,
                poll_interval=self.poke_interval,
                deadline=time.time() + self.timeout,
                impersonation_chain=self.impersonation_chain,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout) + timedelta(seconds=max(60.0, 2 * self.poke_interval)),
        )

    def poke(self, context: Context) -> PokeReturnValue:
        job = self.hook.get_job_dict(self._full_name())
        summary = self._with_scanned_object(summarize_job(job))
        self.log.info("DLP job %s is %s", summary["job_name"], summary["state"])
        if summary["state"] not in TERMINAL_STATES:
            return PokeReturnValue(is_done=False)
        self._check(context, summary, job_errors(job))
        return PokeReturnValue(is_done=True, xcom_value=summary)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        summary, errors = event.get("summary") or {}, list(event.get("errors") or [])
        summary = self._with_scanned_object({"job_name": str(self.job_name), **summary})
        if event.get("status") == "timeout":
            self._push_failure(context, self._timeout_summary(str(summary["job_name"]), summary.get("uri")))
            raise DlpJobFailed(
                f"DLP job {self.job_name} did not finish within {self.timeout} s; cancelled it"
            )
        if event.get("status") != "success":
            self._check(context, {**summary, "state": summary.get("state", "UNKNOWN")}, errors)
        return summary

    def _with_scanned_object(self, summary: dict[str, Any]) -> dict[str, Any]:
        scanned = self.scanned_object if isinstance(self.scanned_object, Mapping) else {}
        summary = {**summary, "generation": scanned.get("generation"), "size": scanned.get("size")}
        if summary.get("uri") is None and scanned.get("uri"):
            summary["scanned_uri"] = scanned["uri"]
        return summary

    def _timeout_summary(self, name: str, uri: str | None = None) -> dict[str, Any]:
        scanned = self.scanned_object if isinstance(self.scanned_object, Mapping) else {}
        return not_scanned_summary(
            uri or scanned.get("uri"),
            f"the wait for DLP job {name} timed out after {self.timeout:g} s (the job was cancelled)",
            name,
            generation=scanned.get("generation"),
            size=scanned.get("size"),
        )

    def _push_failure(self, context: Context, summary: dict[str, Any]) -> None:
        """Leave the failure summary as this task's result for the fail-closed downstream tasks."""
        try:
            context["ti"].xcom_push(key=BaseXCom.XCOM_RETURN_KEY, value=summary)
        except Exception:
            self.log.warning("Could not record the failure summary", exc_info=True)

    def _check(self, context: Context, summary: dict[str, Any], errors: list[str]) -> None:
        if summary["state"] == "DONE":
            self.log.info(
                "DLP job %s done: %d finding(s) in %s",
                summary["job_name"],
                summary["total_findings"],
                summary["uri"],
            )
            return
        detail = "; ".join(errors) or "no error message"
        self._push_failure(context, {**summary, "errors": errors})
        raise DlpJobFailed(
            f"DLP job {summary.get('job_name') or self.job_name} ended {summary['state']}: {detail}"
        )

    def _cancel(self, name: str) -> None:
        try:
            self.hook.cancel_job(name)
            self.log.info("Cancelled DLP job %s after the sensor timed out", name)
        except Exception:
            self.log.warning("Could not cancel DLP job %s", name, exc_info=True)
