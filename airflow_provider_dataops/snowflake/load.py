"""Run a :class:`LoadPlan` on one Snowflake DB-API connection (no Airflow import).

CREATE, CREATE STAGE, PUT and COPY all go through the same connection: the stage is
temporary and lives only as long as the session. An external stage is also dropped in a
``finally``; closing the connection drops an internal one.

A file counts as loaded only if COPY reported it loaded (or skipped as loaded before), or the
table's load history says so (Snowflake's COPY does not list files it skips). ``replace`` swaps
the newly loaded tables in only after every file of every table passed that check.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import Any

from airflow_provider_dataops.snowflake.drift import (
    FileColumn,
    SchemaChange,
    SchemaDriftError,
    columns_from_describe,
    describe_table_sql,
    plan_schema_change,
)
from airflow_provider_dataops.snowflake.parquet import LoadPlan, TablePlan, fit_to_table
from airflow_provider_dataops.snowflake.sql import quote_ident

#: COPY statuses that mean the file is in the table (``LOAD_SKIPPED``: loaded by an earlier run).
OK_STATUSES = frozenset({"LOADED", "LOAD_SKIPPED"})
#: How many file names an error message lists before "and N more".
_NAMED_IN_ERRORS = 3


class SnowflakeLoadError(RuntimeError):
    """A load that did not complete; the message names the table, files and Snowflake's reason."""


def first_line(error: BaseException | str) -> str:
    """The first non-empty line of an error's text (engine errors can carry whole stack traces)."""
    text = str(error)
    return next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_NAMED_IN_ERRORS])
    return shown + (f" and {len(items) - _NAMED_IN_ERRORS} more" if len(items) > _NAMED_IN_ERRORS else "")


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0].lower() for d in cursor.description or []]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def _info_schema(table: TablePlan) -> str:
    return f"{quote_ident(table.database)}.INFORMATION_SCHEMA" if table.database else "INFORMATION_SCHEMA"


def table_exists(cursor: Any, table: TablePlan) -> bool:
    cursor.execute(
        f"SELECT COUNT(*) FROM {_info_schema(table)}.TABLES "
        "WHERE TABLE_SCHEMA = COALESCE(%(schema)s, CURRENT_SCHEMA()) AND TABLE_NAME = %(table)s",
        {"schema": table.schema, "table": table.name},
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def _stage_type(cursor: Any, table: TablePlan) -> str | None:
    """``SHOW STAGES``' type of the stage named like ``table``'s (``None``: no such stage)."""
    name = table.stage.rsplit(".", 1)[-1].strip('"')
    scope = f" IN SCHEMA {table.stage.rsplit('.', 1)[0]}" if "." in table.stage else ""
    cursor.execute(f"SHOW STAGES{scope}")
    for row in _rows(cursor):
        if row.get("name") == name:
            return str(row.get("type") or "")
    return None


def _create_stage_sql(cursor: Any, table: TablePlan) -> str:
    """The CREATE STAGE to run: ``OR REPLACE`` only over a temporary stage, which only this
    package's session can see (a name someone else made is refused, nothing changed)."""
    kind = _stage_type(cursor, table)
    if kind is None:
        return table.create_stage
    if "TEMPORARY" in kind.upper():
        return table.create_stage.replace("CREATE TEMPORARY STAGE", "CREATE OR REPLACE TEMPORARY STAGE", 1)
    raise SnowflakeLoadError(
        f"stage {table.stage} already exists ({kind or 'permanent'}) and was not created by this load;"
        " nothing was changed"
    )


def _history_loaded(cursor: Any, table: TablePlan) -> list[str]:
    """``FILE_NAME``s the load history shows as LOADED into the table COPY wrote to."""
    name = table.load_table.rsplit(".", 1)[-1][1:-1].replace('""', '"')
    cursor.execute(
        f"SELECT FILE_NAME FROM {_info_schema(table)}.LOAD_HISTORY "
        "WHERE SCHEMA_NAME = COALESCE(%(schema)s, CURRENT_SCHEMA()) AND TABLE_NAME = %(table)s "
        "AND STATUS = 'LOADED'",
        {"schema": table.schema, "table": name},
    )
    return [str(row[0]) for row in cursor.fetchall()]


def _under_root(reported: str, root: str, staged: str) -> bool:
    """Whether ``reported`` (COPY's or the load history's file name) is ``root`` + ``staged``.

    The staged part is compared exactly (file names are case-sensitive); the root part without
    case or scheme spelling (``gcs://`` vs ``gs://``), and it may be preceded by a storage path
    (fakesnow's load history holds the stage's full local path).
    """
    if not staged or not reported.endswith(staged):
        return False
    head = reported[: len(reported) - len(staged)].lower().split("://", 1)[-1]
    want = root.lower().split("://", 1)[-1]
    return head == want or head.endswith("/" + want)


def unloaded_files(
    table: TablePlan, copy_rows: Iterable[dict[str, Any]], history: Iterable[str] = ()
) -> list[str]:
    """Planned files (by local path or URL) that neither COPY nor the load history shows loaded."""
    rows = list(copy_rows)
    history = list(history)
    missing = []
    for source, staged in zip(table.files, table.staged_names, strict=True):
        reported = [r for r in rows if _under_root(str(r.get("file", "")), table.stage_root, staged)]
        if any(str(r.get("status", "")).upper() in OK_STATUSES for r in reported):
            continue
        if not reported and any(_under_root(h, table.stage_root, staged) for h in history):
            continue
        missing.append(source.url)
    return missing


def put_mismatch(rows: Sequence[dict[str, Any]], local_path: str) -> str | None:
    """Why PUT's report (one ``source``, ``status`` row per uploaded file) is not ``local_path``.

    The connector expands a PUT source like a shell glob; this catches a name that still expands
    to other files before COPY runs. A report without a ``source`` column (fakesnow's patch mode
    describes its PUT result wrongly) is left to the check after COPY.
    """
    if rows and not any("source" in r for r in rows):
        return None
    expected = local_path.rsplit("/", 1)[-1]
    sources = [str(r.get("source", "")) for r in rows]
    if sources != [expected]:
        return f"the connector uploaded {sources or 'nothing'} instead of {expected!r}"
    status = str(rows[0].get("status", "")).upper()
    if status not in {"UPLOADED", "SKIPPED"}:
        return f"upload status {status or 'missing'}"
    return None


def fit_existing_tables(
    cursor: Any,
    plan: LoadPlan,
    on_schema_change: str = "append_new_columns",
    existing: Collection[str] | None = None,
) -> tuple[LoadPlan, list[SchemaChange]]:
    """``plan`` fitted to the tables that already exist (``append`` only), and what changes.

    One ``DESCRIBE TABLE`` per existing table, nothing written. ``existing``: the names of the
    plan's tables known to exist (looked up here when not given). Raises
    :class:`SnowflakeLoadError` listing every table's problems, before anything changed.
    """
    if plan.if_exists != "append":
        return plan, []
    tables: list[TablePlan] = []
    changes: list[SchemaChange] = []
    problems: list[str] = []
    if existing is None:
        existing = {t.name for t in plan.tables if table_exists(cursor, t)}
    for table in plan.tables:
        if table.name not in existing:
            tables.append(table)
            continue
        cursor.execute(describe_table_sql(table.load_table))
        columns = columns_from_describe(cursor.fetchall())
        files = [FileColumn(n, t) for n, t in zip(table.column_names, table.column_types, strict=True)]
        try:
            change = plan_schema_change(
                table.load_table, table.qualified_name, files, columns, on_schema_change
            )
        except SchemaDriftError as exc:
            problems.append(str(exc))
            tables.append(table)
            continue
        changes.append(change)
        tables.append(fit_to_table(table, change))
    if problems:
        raise SnowflakeLoadError("; ".join(problems))
    return replace(plan, tables=tuple(tables)), changes


class _Runner:
    def __init__(self, cursor: Any, log: logging.Logger | Any) -> None:
        self.cursor = cursor
        self.log = log

    def execute(self, sql: str, what: str) -> None:
        try:
            self.cursor.execute(sql)
        except Exception as exc:
            self.log.error("%s failed. Snowflake said:\n%s\nStatement:\n%s", what, exc, sql)
            raise SnowflakeLoadError(f"{what} failed: {first_line(exc)}") from exc

    def load_table(self, table: TablePlan, create: bool) -> list[dict[str, Any]]:
        """Create, stage, PUT and COPY one table; raise unless every planned file loaded."""
        if create:
            self.execute(table.create_table, f"CREATE TABLE {table.qualified_name}")
        for alter in table.alters:
            self.execute(alter, f"ALTER TABLE {table.qualified_name}")
        if table.create_load_table:
            self.execute(table.create_load_table, f"CREATE TABLE {table.load_table} (for the swap)")
        self.execute(_create_stage_sql(self.cursor, table), f"CREATE STAGE {table.stage}")
        results: list[dict[str, Any]] = []
        try:
            for put, source in zip(table.puts, table.files if table.puts else (), strict=True):
                self.execute(put, f"PUT {source.url}")
                problem = put_mismatch(_rows(self.cursor), source.url)
                if problem:
                    raise SnowflakeLoadError(f"PUT {source.url}: {problem}; nothing was loaded")
            for copy in table.copies:
                files = [f.url for f in table.files]
                self.execute(copy, f"COPY INTO {table.qualified_name} from {_names(files)}")
                results += [{"table": table.qualified_name, **r} for r in _rows(self.cursor) if "file" in r]
        finally:
            if table.external:
                self.execute(table.drop_stage, f"DROP STAGE {table.stage}")
        self._check(table, results)
        loaded = sum(int(r.get("rows_loaded") or 0) for r in results)
        self.log.info("%s: %d rows loaded from %d file(s)", table.qualified_name, loaded, len(table.files))
        return results

    def _check(self, table: TablePlan, results: list[dict[str, Any]]) -> None:
        failed = [r for r in results if str(r.get("status", "")).upper() not in OK_STATUSES]
        if failed:
            for r in failed:
                self.log.error("%s: %s: %s", r["file"], r.get("status"), r.get("first_error"))
            detail = "; ".join(
                f"{r['file']}: {r.get('status')} ({first_line(str(r.get('first_error') or 'no reason'))})"
                for r in failed[:_NAMED_IN_ERRORS]
            )
            more = f"; and {len(failed) - _NAMED_IN_ERRORS} more" if len(failed) > _NAMED_IN_ERRORS else ""
            raise SnowflakeLoadError(
                f"COPY INTO {table.qualified_name}: {len(failed)} file(s) did not load: {detail}{more}"
            )
        missing = unloaded_files(table, results)
        if missing:
            missing = unloaded_files(table, results, _history_loaded(self.cursor, table))
        if missing:
            self.log.error("Not loaded into %s: %s", table.qualified_name, ", ".join(missing))
            raise SnowflakeLoadError(
                f"COPY INTO {table.qualified_name}: {len(missing)} planned file(s) neither reported loaded"
                f" by COPY nor in the table's load history: {_names(missing)}"
            )


def run_plan(
    conn: Any,
    plan: LoadPlan,
    log: logging.Logger | Any | None = None,
    on_schema_change: str | None = "append_new_columns",
) -> list[dict[str, Any]]:
    """Execute ``plan``; return one dict per file COPY reported, raise if any file did not load.

    Appends into existing tables are first fitted to them by :func:`fit_existing_tables` with
    ``on_schema_change``; ``None`` means ``plan`` is fitted already.

    ``if_exists="append"`` creates only missing tables (re-runs keep the table and so its load
    metadata: files loaded before are skipped, never loaded twice); ``"fail"`` checks every
    target first and changes nothing if one exists; ``"replace"`` loads each table into a new
    one and swaps them in (``ALTER TABLE ... SWAP WITH``) only after every file loaded, so a
    failure leaves the old tables untouched.
    """
    log = log or logging.getLogger(__name__)
    results: list[dict[str, Any]] = []
    cursor = conn.cursor()
    runner = _Runner(cursor, log)
    pending: list[TablePlan] = []
    try:
        existing = {t.name for t in plan.tables if plan.if_exists != "replace" and table_exists(cursor, t)}
        if plan.if_exists == "fail" and existing:
            names = ", ".join(t.qualified_name for t in plan.tables if t.name in existing)
            raise SnowflakeLoadError(f"if_exists='fail' and these tables exist: {names}; nothing was changed")
        for table in plan.tables:
            _create_stage_sql(cursor, table)  # refuse a foreign stage before anything changes
        if on_schema_change is not None:
            plan, changes = fit_existing_tables(cursor, plan, on_schema_change, existing)
            for change in changes:
                for line in change.describe():
                    log.info("%s", line)
        for table in plan.tables:
            if table.create_load_table:
                pending.append(table)
            create = not (plan.if_exists == "append" and table.name in existing)
            results += runner.load_table(table, create=create)
        while pending:
            table = pending[0]
            runner.execute(table.swap[0], f"ALTER TABLE {table.qualified_name} SWAP")
            pending.pop(0)
            for statement in table.swap[1:]:
                runner.execute(statement, f"DROP TABLE {table.load_table} (the replaced table)")
    except SnowflakeLoadError:
        raise
    except Exception as exc:  # the checks' own queries (TABLES, SHOW STAGES, LOAD_HISTORY)
        log.error("Snowflake load failed. Snowflake said:\n%s", exc)
        raise SnowflakeLoadError(f"Snowflake load failed: {first_line(exc)}") from exc
    finally:
        for table in pending:
            try:
                cursor.execute(f"DROP TABLE IF EXISTS {table.load_table}")
            except Exception:
                log.warning("Could not drop %s after the failed load", table.load_table, exc_info=True)
        cursor.close()
    return results
