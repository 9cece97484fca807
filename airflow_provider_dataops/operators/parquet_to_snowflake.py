"""Load Parquet files into Snowflake tables whose DDL is planned from the Parquet footers."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

if TYPE_CHECKING:
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
    from airflow.sdk import Context

    from airflow_provider_dataops.snowflake.drift import SchemaChange
    from airflow_provider_dataops.snowflake.parquet import LoadPlan

_IF_EXISTS = ("append", "replace", "fail")
#: dbt's words (``snowflake.drift.ON_SCHEMA_CHANGE``), repeated so the DAG parse imports no planner.
_ON_SCHEMA_CHANGE = ("append_new_columns", "fail", "ignore")


class ParquetToSnowflakeOperator(BaseOperator):
    """Create Snowflake tables from Parquet schemas and COPY the files into them.

    The plan (see :func:`airflow_provider_dataops.snowflake.parquet.plan_load`) reads only
    Parquet footers. Local files go through a temporary internal stage and ``PUT``; ``gs://`` /
    ``s3://`` files through a temporary external stage on ``stage_url`` with
    ``storage_integration`` (and ``ENCRYPTION`` with ``kms_key_id``). Local files with
    ``stage_url`` are the seed's workflow: footers come from the local copies, and each file is
    loaded from the stage by its path below ``stage_base`` (default: the files' common parent
    folder), nothing is uploaded. CREATE, stage, PUT and COPY
    run on one connection. Re-runs load nothing twice: Snowflake's load metadata skips files
    already loaded into the table (no ``FORCE``).

    :param source: path, glob, directory or list of them, local or ``gs://`` / ``s3://``.
    :param table: load everything into this table; ``None``: one table per file stem
        (upper-cased) or per directory.
    :param stage_base: with local ``source`` and ``stage_url``: the local folder whose copy
        ``stage_url`` holds.
    :param if_exists: ``append`` (create missing tables), ``replace`` (load into a new table and
        ``SWAP WITH`` the old one only after every file loaded; a failure leaves it untouched) or
        ``fail`` (checked for every table before anything changes).
    :param type_overrides: column name → Snowflake type, e.g. ``{"amount": "NUMBER(18,2)"}``.
    :param on_error: COPY ``ON_ERROR``; any planned file not loaded (not reported loaded by COPY
        nor in the table's load history) fails the task either way, naming it.
    :param sql_output_path: also write the whole script there (like the seed's all_tables.sql).
    :param dry_run: plan (and write ``sql_output_path``) but run nothing; returns ``[]``. With a
        reachable connection the script includes the ALTERs schema drift needs; without one it
        says that drift was not checked.
    :param on_schema_change: appends into an existing table whose columns differ from the files'
        (dbt's words): ``append_new_columns`` (default: add the files' new columns, widen where
        Snowflake can), ``fail`` (any difference stops the load before anything changes) or
        ``ignore`` (never alter the table; new columns are left out). The changes are logged and
        pushed as XCom ``schema_changes``; see :mod:`airflow_provider_dataops.snowflake.drift`.
    :return: one dict per file from COPY (``table``, ``file``, ``status``, ``rows_loaded``, ...).
    """

    template_fields: Sequence[str] = (
        "source",
        "table",
        "database",
        "schema",
        "stage_url",
        "stage_base",
        "sql_output_path",
    )
    ui_color = "#29b5e8"

    def __init__(
        self,
        *,
        source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        table: str | None = None,
        database: str | None = None,
        schema: str | None = None,
        snowflake_conn_id: str = "snowflake_default",
        stage_url: str | None = None,
        storage_integration: str | None = None,
        kms_key_id: str | None = None,
        if_exists: str = "append",
        type_overrides: Mapping[str, str] | None = None,
        on_error: str = "ABORT_STATEMENT",
        sql_output_path: str | None = None,
        dry_run: bool = False,
        stage_base: str | None = None,
        on_schema_change: str = "append_new_columns",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if if_exists not in _IF_EXISTS:
            raise ValueError(f"if_exists={if_exists!r} is not one of {', '.join(_IF_EXISTS)}")
        if on_schema_change not in _ON_SCHEMA_CHANGE:
            raise ValueError(
                f"on_schema_change={on_schema_change!r} is not one of {', '.join(_ON_SCHEMA_CHANGE)}"
            )
        self.on_schema_change = on_schema_change
        self.source = source
        self.table = table
        self.database = database
        self.schema = schema
        self.snowflake_conn_id = snowflake_conn_id
        self.stage_url = stage_url
        self.storage_integration = storage_integration
        self.kms_key_id = kms_key_id
        self.stage_base = stage_base
        self.if_exists = if_exists
        self.type_overrides = dict(type_overrides or {})
        self.on_error = on_error
        self.sql_output_path = sql_output_path
        # BaseOperator already has a dry_run() method; keep it, store the flag apart.
        self.plan_only = dry_run
        self._plan: LoadPlan | None = None
        self._changes: list[SchemaChange] = []

    @property
    def hook(self) -> SnowflakeHook:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        return SnowflakeHook(snowflake_conn_id=self.snowflake_conn_id)

    def plan(self) -> LoadPlan:
        from airflow_provider_dataops.snowflake.parquet import plan_load

        return plan_load(
            self.source,
            table=self.table,
            database=self.database,
            schema=self.schema,
            stage_url=self.stage_url,
            storage_integration=self.storage_integration,
            kms_key_id=self.kms_key_id,
            if_exists=self.if_exists,
            type_overrides=self.type_overrides,
            on_error=self.on_error,
            stage_base=self.stage_base,
        )

    def execute(self, context: Context) -> list[dict[str, Any]]:
        from airflow_provider_dataops.snowflake.load import fit_existing_tables, run_plan
        from airflow_provider_dataops.snowflake.parquet import with_drift_unchecked

        plan = self._plan = self.plan()
        self.log.info(
            "Planned %d table(s) from %d Parquet file(s): %s",
            len(plan.tables),
            len(plan.files),
            ", ".join(t.qualified_name for t in plan.tables),
        )
        conn = self._connect_for_dry_run() if self.plan_only else self.hook.get_conn()
        try:
            if conn is None:
                plan = with_drift_unchecked(plan)
            else:
                cursor = conn.cursor()
                try:
                    plan, self._changes = fit_existing_tables(cursor, plan, self.on_schema_change)
                finally:
                    cursor.close()
            self._plan = plan
            self._report_changes(context)
            if self.sql_output_path:
                out = Path(self.sql_output_path)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(plan.to_sql())
                self.log.info("Wrote the load script to %s", out)
            if self.plan_only:
                self.log.info("dry_run: nothing executed. The script:\n%s", plan.to_sql())
                return []
            return run_plan(conn, plan, log=self.log, on_schema_change=None)
        finally:
            if conn is not None:
                conn.close()

    def _connect_for_dry_run(self) -> Any | None:
        """A connection to check drift with, or ``None`` (logged) when there is none to reach."""
        try:
            return self.hook.get_conn()
        except Exception as exc:
            from airflow_provider_dataops.snowflake.load import first_line

            self.log.warning("dry_run: schema drift not checked, cannot connect (%s)", first_line(exc))
            return None

    def _report_changes(self, context: Context) -> None:
        """Log every schema change and push them as XCom ``schema_changes`` (the return value
        stays the per-file COPY results)."""
        for change in self._changes:
            for line in change.describe():
                self.log.info("%s", line)
        summary = [
            c.as_dict() for c in self._changes if c.changed or c.missing or c.ignored or c.case_matched
        ]
        context["ti"].xcom_push(key="schema_changes", value=summary)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Inputs: each Parquet file with its schema facet; outputs: the Snowflake tables."""
        from airflow.providers.common.compat.openlineage.facet import (
            Dataset,
            SchemaDatasetFacet,
            SchemaDatasetFacetFields,
        )
        from airflow.providers.openlineage.extractors import OperatorLineage

        plan = self._plan or self.plan()
        inputs = []
        for f in plan.files:
            namespace, name = _dataset_address(f.url)
            fields = [SchemaDatasetFacetFields(name=fl.name, type=str(fl.type)) for fl in f.schema]
            facets: dict[str, Any] = {"schema": SchemaDatasetFacet(fields=fields)}
            inputs.append(Dataset(namespace=namespace, name=name, facets=facets))
        namespace = f"snowflake://{self._snowflake_authority()}"
        outputs = []
        after = {c.table: c.columns_after for c in self._changes}
        for t in plan.tables:
            columns = after.get(t.qualified_name) or t.columns
            fields = [SchemaDatasetFacetFields(name=c.name, type=c.type) for c in columns]
            outputs.append(
                Dataset(
                    namespace=namespace,
                    name=self._output_name(t.database, t.schema, t.name),
                    facets=dict[str, Any](schema=SchemaDatasetFacet(fields=fields)),
                )
            )
        return OperatorLineage(inputs=inputs, outputs=outputs)

    def _snowflake_authority(self) -> str:
        try:
            return self.hook._get_openlineage_authority(None) or "unknown"
        except Exception:
            return "unknown"

    def _output_name(self, database: str | None, schema: str | None, table: str) -> str:
        if not (database and schema):
            try:
                params = self.hook._get_conn_params()
                database = database or (params.get("database") or "").upper() or None
                schema = schema or (params.get("schema") or "").upper() or None
            except Exception:
                self.log.debug("No connection defaults for the lineage table name", exc_info=True)
        return ".".join(p for p in (database, schema, table) if p)


def _dataset_address(url: str) -> tuple[str, str]:
    """OpenLineage naming: ``file`` + absolute path, or ``gs://bucket`` / ``s3://bucket`` + key."""
    if "://" not in url:
        return "file", url
    scheme, _, rest = url.partition("://")
    bucket, _, key = rest.partition("/")
    return f"{scheme}://{bucket}", key
