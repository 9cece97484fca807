"""Run a :class:`LoadPlan` on one Snowflake DB-API connection (no Airflow import).

CREATE, CREATE STAGE, PUT and COPY all go through the same connection: the stage is
temporary and lives only as long as the session. An external stage is also dropped in a
``finally``; closing the connection drops an internal one.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow_provider_dataops.snowflake.parquet import LoadPlan, TablePlan
from airflow_provider_dataops.snowflake.sql import quote_ident

#: COPY statuses that mean the file is in the table (``LOAD_SKIPPED``: loaded by an earlier run).
OK_STATUSES = frozenset({"LOADED", "LOAD_SKIPPED"})


class SnowflakeLoadError(RuntimeError):
    """A load that did not complete; the message names the table, files and Snowflake's reason."""


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0].lower() for d in cursor.description or []]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def table_exists(cursor: Any, table: TablePlan) -> bool:
    info_schema = "INFORMATION_SCHEMA"
    if table.database:
        info_schema = f"{quote_ident(table.database)}.{info_schema}"
    cursor.execute(
        f"SELECT COUNT(*) FROM {info_schema}.TABLES "
        "WHERE TABLE_SCHEMA = COALESCE(%(schema)s, CURRENT_SCHEMA()) AND TABLE_NAME = %(table)s",
        {"schema": table.schema, "table": table.name},
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def run_plan(conn: Any, plan: LoadPlan, log: logging.Logger | Any | None = None) -> list[dict[str, Any]]:
    """Execute ``plan``; return one dict per file COPY reported, raise if any file did not load.

    ``if_exists="append"`` creates only missing tables (re-runs keep the table and so its load
    metadata: files loaded before are skipped, never loaded twice); ``"fail"`` checks every
    target first and changes nothing if one exists; ``"replace"`` recreates the tables.
    """
    log = log or logging.getLogger(__name__)
    results: list[dict[str, Any]] = []
    cursor = conn.cursor()
    try:
        existing = {t.name for t in plan.tables if plan.if_exists != "replace" and table_exists(cursor, t)}
        if plan.if_exists == "fail" and existing:
            names = ", ".join(t.qualified_name for t in plan.tables if t.name in existing)
            raise SnowflakeLoadError(f"if_exists='fail' and these tables exist: {names}; nothing was changed")
        for table in plan.tables:
            if not (plan.if_exists == "append" and table.name in existing):
                cursor.execute(table.create_table)
            cursor.execute(table.create_stage)
            try:
                for put in table.puts:
                    cursor.execute(put)
                for copy in table.copies:
                    try:
                        cursor.execute(copy)
                    except Exception as exc:
                        raise SnowflakeLoadError(f"COPY INTO {table.qualified_name} failed: {exc}") from exc
                    for row in _rows(cursor):
                        if "file" in row:
                            results.append({"table": table.qualified_name, **row})
            finally:
                if table.external:
                    cursor.execute(table.drop_stage)
            mine = [r for r in results if r["table"] == table.qualified_name]
            loaded = sum(int(r.get("rows_loaded") or 0) for r in mine)
            log.info("%s: %d rows loaded from %d file(s)", table.qualified_name, loaded, len(table.files))
    finally:
        cursor.close()
    failed = [r for r in results if str(r.get("status", "")).upper() not in OK_STATUSES]
    if failed:
        detail = "; ".join(f"{r['file']}: {r.get('status')} ({r.get('first_error')})" for r in failed)
        raise SnowflakeLoadError(f"{len(failed)} file(s) did not load: {detail}")
    return results
