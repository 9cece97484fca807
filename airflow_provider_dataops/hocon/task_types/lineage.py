"""Lineage scans: ``sql_lineage`` (SQL files -> OpenLineage RunEvents), ``lineage_facets`` (the seed's
"modify results": application and Airflow run as facets) and ``openlineage_emit`` (send them
through the OpenLineage transport Airflow is configured with).

Thin shells: the work is in :mod:`airflow_provider_dataops.lineage`. They need the ``openlineage``
extra (``openlineage-sql``, and Airflow's OpenLineage provider with openlineage-python).
"""

from __future__ import annotations

import copy
import importlib.util
import os
from collections.abc import Mapping
from typing import Any

from airflow_provider_dataops.hocon.task import Task
from airflow_provider_dataops.lineage.errors import LineageError

_EXTRA_HINT = "install the extra: pip install 'airflow-provider-dataops[openlineage]'"


def _require(module: str, task_name: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise LineageError(f"{task_name} needs the {module} package, which is not installed; {_EXTRA_HINT}")


def _openlineage_namespace() -> str:
    """The job namespace Airflow's OpenLineage provider uses (``[openlineage] namespace``)."""
    try:
        from airflow.providers.openlineage.conf import namespace
    except ImportError:
        return os.getenv("OPENLINEAGE_NAMESPACE", "default")
    return namespace()


class SqlLineage(Task):
    """Table and column lineage of every SQL file under ``sql_dir``, as OpenLineage RunEvents."""

    task_name = "sql_lineage"

    def run(  # type: ignore[override]
        self,
        sql_dir: str,
        dialect: str,
        output_path: str,
        namespace: str,
        default_database: str | None = None,
        default_schema: str | None = None,
        pattern: str = "**/*.sql",
        max_failed_share: float | str = 0.0,
        job_namespace: str | None = None,
    ) -> bool:
        """Write one event per file to ``output_path`` (JSON lines); files that do not parse get a
        ``FAIL`` event with ``errorMessage`` and ``extractionError`` facets. Returns False when more
        than ``max_failed_share`` of the files failed (default 0: any failed file fails the task).

        :param namespace: the datasets' namespace (``postgres://host:5432``, ``snowflake://org-account``).
        :param job_namespace: the jobs' namespace; default: ``[openlineage] namespace``, as for
            Airflow's own task lineage.
        """
        from airflow_provider_dataops.lineage.scan import ScanSettings, failed_share_setting, scan_directory

        try:
            _require("openlineage_sql", self.task_name)
            share = failed_share_setting(max_failed_share)
            settings = ScanSettings(
                dialect=dialect,
                namespace=namespace,
                job_namespace=job_namespace or _openlineage_namespace(),
                default_database=default_database or None,
                default_schema=default_schema or None,
            )
            summary = scan_directory(sql_dir, output_path, settings, pattern=pattern)
        except LineageError as exc:
            self.logger.error("sql_lineage: %s", exc)
            return False
        self.logger.info(
            "Scanned %d SQL file(s), %d statement(s) -> %s: %d file(s) and %d statement(s) failed to parse",
            summary.files,
            summary.statements,
            output_path,
            summary.failed_files,
            summary.failed_statements,
        )
        if summary.column_lineage_withheld:
            self.logger.info(
                "%d statement(s) (MERGE, UPDATE, INSERT with a column list, ...) gave table lineage only: "
                "the parser does not name their target columns",
                summary.column_lineage_withheld,
            )
        for failure in summary.failures:
            for problem in failure.problems:
                self.logger.warning("%s", problem)
        try:
            summary.check(share)
        except LineageError as exc:
            self.logger.error("%s", exc)
            return False
        return True


def _read_events(input_path: str) -> list[tuple[str, dict[str, Any]]]:
    from airflow_provider_dataops.lineage.events import jsonl_files, read_jsonl

    return [(str(path), event) for path in jsonl_files(input_path) for event in read_jsonl(path)]


def _airflow_parent() -> dict[str, Any] | None:
    """The running DAG run as an OpenLineage parent, with the run id Airflow's provider gives it."""
    from airflow.sdk import get_current_context

    try:
        context = get_current_context()
    except RuntimeError:
        return None
    dag_run = context["dag_run"]
    from airflow.providers.openlineage.plugins.adapter import OpenLineageAdapter

    run_id = OpenLineageAdapter.build_dag_run_id(
        dag_id=dag_run.dag_id,
        logical_date=dag_run.logical_date or dag_run.run_after,
        clear_number=getattr(dag_run, "clear_number", 0) or 0,
    )
    job = {"namespace": _openlineage_namespace(), "name": dag_run.dag_id}
    return {"job": job, "run": {"runId": run_id}, "root": {"job": dict(job), "run": {"runId": run_id}}}


class LineageFacets(Task):
    """The seed's "modify results": add the application (and tags) and the Airflow run as facets."""

    task_name = "lineage_facets"

    def run(  # type: ignore[override]
        self,
        input_path: str,
        output_path: str,
        application: str | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run: bool = True,
    ) -> bool:
        """Reads every event of ``input_path`` (a file or a folder of ``.jsonl``), writes them to
        ``output_path`` with a ``tags`` job facet (``application`` and ``tags``) and, with
        ``parent_run``, the current DAG run as the ``parent`` run facet.
        """
        from airflow_provider_dataops.lineage.events import add_facets, write_jsonl

        try:
            _require("airflow.providers.openlineage", self.task_name)
            events = _read_events(input_path)
            parent = _airflow_parent() if parent_run else None
            count = write_jsonl(
                (add_facets(event, application=application, tags=tags, parent=parent) for _, event in events),
                output_path,
            )
        except LineageError as exc:
            self.logger.error("lineage_facets: %s", exc)
            return False
        self.logger.info("Added facets to %d event(s) -> %s", count, output_path)
        return True


def _run_event(event: Mapping[str, Any]) -> Any:
    """openlineage-python's ``RunEvent`` around the event's own dicts (its client takes no dicts)."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState

    def facets(node: Mapping[str, Any], key: str = "facets") -> dict[str, Any]:
        return dict(node.get(key) or {})

    return RunEvent(
        eventType=RunState(event["eventType"]),
        eventTime=event["eventTime"],
        producer=event["producer"],
        run=Run(runId=event["run"]["runId"], facets=facets(event["run"])),
        job=Job(namespace=event["job"]["namespace"], name=event["job"]["name"], facets=facets(event["job"])),
        inputs=[
            InputDataset(
                namespace=d["namespace"],
                name=d["name"],
                facets=facets(d),
                inputFacets=facets(d, "inputFacets"),
            )
            for d in event.get("inputs") or []
        ],
        outputs=[
            OutputDataset(
                namespace=d["namespace"],
                name=d["name"],
                facets=facets(d),
                outputFacets=facets(d, "outputFacets"),
            )
            for d in event.get("outputs") or []
        ],
    )


def _client(transport: Mapping[str, Any] | None) -> Any:
    """The client Airflow's OpenLineage provider would build, or one for ``transport``; None if
    OpenLineage is disabled or nothing is configured."""
    from airflow.providers.openlineage import conf
    from airflow.providers.openlineage.plugins.adapter import OpenLineageAdapter
    from airflow.providers.openlineage.token_provider import resolve_airflow_connection_auth
    from openlineage.client import OpenLineageClient

    if transport:
        config = {"transport": copy.deepcopy(dict(transport))}
        resolve_airflow_connection_auth(config)
        return OpenLineageClient(config=config)
    if conf.is_disabled():
        return None
    return OpenLineageAdapter().get_or_create_openlineage_client()


class OpenLineageEmit(Task):
    """Send lineage events through the OpenLineage transport Airflow is configured with."""

    task_name = "openlineage_emit"

    def run(  # type: ignore[override]
        self,
        input_path: str,
        transport: Mapping[str, Any] | None = None,
        fallback_url: str | None = None,
        fallback_conn_id: str | None = None,
    ) -> bool:
        """Every event of ``input_path`` (a file or a folder of ``.jsonl``) is read and checked
        before the first is sent. The client is configured as Airflow's OpenLineage provider
        configures it (``[openlineage] config_conn_id`` / ``config_path`` / ``transport``, then
        ``OPENLINEAGE_URL``, ``OPENLINEAGE_API_KEY``, ``OPENLINEAGE__TRANSPORT__*``), or from
        ``transport`` (the same dict as ``[openlineage] transport``; put the API key in an Airflow
        connection: ``auth: {type: airflow_connection_api_key, conn_id: ...}``).

        With no transport configured (or OpenLineage disabled) the events are copied to
        ``fallback_url`` (as the ``upload`` task does) or, without one, the task fails.
        """
        try:
            _require("airflow.providers.openlineage", self.task_name)
            events = _read_events(input_path)
            converted = []
            for path, event in events:
                try:
                    converted.append((path, event, _run_event(event)))
                except (KeyError, TypeError, ValueError) as exc:
                    raise LineageError(
                        f"{path}: event of job {event.get('job', {}).get('name')!r} is not a valid "
                        f"RunEvent: {exc!r}"
                    ) from None
        except LineageError as exc:
            self.logger.error("openlineage_emit: %s", exc)
            return False
        try:
            client = _client(transport)
        except Exception as exc:  # the provider's and client's config errors share no base class
            self.logger.error("openlineage_emit: the OpenLineage client cannot be configured: %s", exc)
            return False
        if client is None:
            if fallback_url:
                from airflow_provider_dataops.hocon.task_types.upload import Upload

                self.logger.info(
                    "No OpenLineage transport is configured: copying %d event(s) to %s",
                    len(events),
                    fallback_url,
                )
                return Upload().run(source_path=input_path, target_url=fallback_url, conn_id=fallback_conn_id)
            self.logger.error(
                "openlineage_emit: no OpenLineage transport is configured ([openlineage] transport, "
                "config_path or config_conn_id, or OPENLINEAGE_URL) and no fallback_url is given"
            )
            return False
        kind = getattr(client.transport, "kind", type(client.transport).__name__)
        for number, (path, event, run_event) in enumerate(converted, start=1):
            try:
                client.emit(run_event)
            except Exception as exc:
                self.logger.error(
                    "openlineage_emit: event %d of %d (job %s, from %s) was not accepted by the %s "
                    "transport: %s",
                    number,
                    len(converted),
                    event["job"]["name"],
                    path,
                    kind,
                    exc,
                )
                return False
        client.close()
        self.logger.info(
            "Sent %d OpenLineage event(s) from %s through the %s transport", len(converted), input_path, kind
        )
        return True
