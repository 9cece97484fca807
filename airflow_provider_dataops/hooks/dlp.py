"""DlpHook: the Google provider's CloudDLPHook with endpoint/transport choice and job calls by full name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.google.cloud.hooks.dlp import CloudDLPHook

from airflow_provider_dataops.dlp.jobs import JobName, parse_job_name, validate_job_id

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud.dlp_v2 import DlpServiceClient
    from google.cloud.dlp_v2.types import DlpJob, InspectJobConfig

TRANSPORTS = ("grpc", "rest")


def transient_retry(
    initial: float = 1.0, maximum: float = 30.0, multiplier: float = 2.0, timeout: float = 120.0
) -> Retry:
    """Retry on 429, 5xx and deadline errors with exponential backoff (jittered by api-core)."""
    from google.api_core import exceptions, retry

    return retry.Retry(
        predicate=retry.if_exception_type(
            exceptions.TooManyRequests,
            exceptions.InternalServerError,
            exceptions.BadGateway,
            exceptions.ServiceUnavailable,
            exceptions.GatewayTimeout,
            exceptions.DeadlineExceeded,
        ),
        initial=initial,
        maximum=maximum,
        multiplier=multiplier,
        timeout=timeout,
    )


class DlpHook(CloudDLPHook):
    """Cloud DLP through a ``google_cloud_platform`` connection.

    Connection extras on top of the Google ones: ``api_endpoint`` (a regional endpoint such as
    ``dlp.europe-west2.rep.googleapis.com``, or a local ``http://127.0.0.1:PORT`` fake) and
    ``transport`` (``grpc``, the default, or ``rest``). ``CloudDLPHook.get_conn`` ignores both,
    and its job calls take bare ids in the default location only, hence the ``*_by_name`` calls.
    """

    hook_name = "Google Cloud DLP (DataOps)"

    def __init__(
        self,
        gcp_conn_id: str = "google_cloud_default",
        impersonation_chain: str | Sequence[str] | None = None,
        retry: Retry | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(gcp_conn_id=gcp_conn_id, impersonation_chain=impersonation_chain, **kwargs)
        self._retry = retry

    @property
    def retry(self) -> Retry:
        if self._retry is None:
            self._retry = transient_retry()
        return self._retry

    def get_conn(self) -> DlpServiceClient:
        if self._client is None:
            from airflow.providers.google.common.consts import CLIENT_INFO
            from google.cloud.dlp_v2 import DlpServiceClient

            transport = self._get_field("transport") or "grpc"
            if transport not in TRANSPORTS:
                raise ValueError(
                    f"Connection {self.gcp_conn_id!r}: extra transport={transport!r} "
                    f"is not one of {TRANSPORTS}"
                )
            endpoint = self._get_field("api_endpoint") or None
            self._client = DlpServiceClient(
                credentials=self.get_credentials(),
                client_info=CLIENT_INFO,
                client_options=self.get_client_options(api_endpoint_override=endpoint),
                transport=transport,
            )
        return self._client

    def create_inspect_job(
        self, parent: str, inspect_job: InspectJobConfig | dict[str, Any], job_id: str | None = None
    ) -> DlpJob:
        """Start an inspect job; with ``job_id``, an existing job of that id is returned instead.

        DLP names inspect jobs ``i-<job_id>``; a 409 (``Conflict``, an ``AlreadyExists``) means a
        previous try already started it, so that job is fetched rather than paid for twice.
        """
        from google.api_core.exceptions import Conflict

        request: dict[str, Any] = {"parent": parent, "inspect_job": inspect_job}
        if job_id is not None:
            request["job_id"] = validate_job_id(job_id)
        try:
            return self.get_conn().create_dlp_job(request=request, retry=self.retry)
        except Conflict:  # AlreadyExists over gRPC, a plain Conflict over REST
            if job_id is None:
                raise
            name = f"{parent}/dlpJobs/i-{job_id}"
            self.log.info("DLP job %s already exists (an earlier try started it); reusing it", name)
            return self.get_job(name)

    def get_job(self, job_name: str) -> DlpJob:
        parse_job_name(job_name)
        return self.get_conn().get_dlp_job(name=job_name, retry=self.retry)

    def cancel_job(self, job_name: str) -> None:
        parse_job_name(job_name)
        self.get_conn().cancel_dlp_job(request={"name": job_name}, retry=self.retry)

    def get_job_dict(self, job_name: str) -> dict[str, Any]:
        """The job as a plain dict (snake_case keys, enum names), for the pure summary code."""
        from google.cloud.dlp_v2.types import DlpJob

        return DlpJob.to_dict(self.get_job(job_name), use_integers_for_enums=False)

    @staticmethod
    def parent_path(project_id: str, location: str | None = None) -> str:
        return JobName(project_id, location, "x").parent
