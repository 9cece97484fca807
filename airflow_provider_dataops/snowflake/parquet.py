"""Plan a Parquet → Snowflake load from Parquet footers alone (no Airflow import).

``plan_load`` reads each file's footer (never its data pages), maps the Arrow schema to
Snowflake types (table in :mod:`airflow_provider_dataops.snowflake.types`), unifies the schemas
of the files that feed one table, and writes, per table::

    CREATE [OR REPLACE] TABLE [IF NOT EXISTS] "DB"."SCHEMA"."T" ("Col" TYPE, ...)
    CREATE OR REPLACE TEMPORARY STAGE "DB"."SCHEMA"."T_STAGE" [URL=... STORAGE_INTEGRATION=...
        ENCRYPTION=(TYPE='AWS_SSE_KMS' KMS_KEY_ID='...')] FILE_FORMAT=(TYPE=PARQUET ...)
    PUT 'file:///...' @"T_STAGE"/dir AUTO_COMPRESS=FALSE          -- local files only
    COPY INTO "T" ("Col", ...) FROM (SELECT $1:"Col"::TYPE, ... FROM @"T_STAGE")
        [FILES=(...)] FILE_FORMAT=(...) ON_ERROR=...
    DROP STAGE IF EXISTS "DB"."SCHEMA"."T_STAGE"

Every identifier is quoted (Parquet's column case is kept) and every literal escaped, so a
column called ``a"; DROP TABLE x; --`` is only ever a column name. ``USE_LOGICAL_TYPE=TRUE``
makes Snowflake read Parquet's logical types (without it nanosecond timestamps arrive as
integers); ``BINARY_AS_TEXT=FALSE`` keeps binary columns binary. Re-running a COPY loads
nothing twice: Snowflake's load metadata skips files it already loaded, so no ``FORCE``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from airflow_provider_dataops.snowflake.sources import (
    ParquetSource,
    ParquetSourceError,
    collect_sources,
    is_url,
)
from airflow_provider_dataops.snowflake.sql import (
    comment,
    on_error_clause,
    quote_ident,
    quote_literal,
    user_ident,
)
from airflow_provider_dataops.snowflake.types import (
    UnsupportedTypeError,
    normalise_type_spec,
    snowflake_type,
    widen,
)

__all__ = [
    "FILE_FORMAT",
    "Column",
    "LoadPlan",
    "ParquetPlanError",
    "ParquetSource",
    "ParquetSourceError",
    "TablePlan",
    "UnsupportedTypeError",
    "plan_load",
    "snowflake_type",
]

FILE_FORMAT = "FILE_FORMAT=(TYPE=PARQUET USE_LOGICAL_TYPE=TRUE BINARY_AS_TEXT=FALSE)"
#: Snowflake accepts at most this many names in one COPY ``FILES=(...)`` list.
MAX_COPY_FILES = 1000
IF_EXISTS = ("append", "replace", "fail")
_CLOUD_SCHEMES = {"gs": "gcs", "gcs": "gcs", "s3": "s3", "s3a": "s3"}
_KMS_TYPE = {"gcs": "GCS_SSE_KMS", "s3": "AWS_SSE_KMS"}


class ParquetPlanError(ValueError):
    """Input that cannot become a correct load; the message names the file or option and why."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class TablePlan:
    """Everything needed to load one table."""

    name: str
    database: str | None
    schema: str | None
    columns: tuple[Column, ...]
    files: tuple[ParquetSource, ...]
    stage: str
    external: bool
    create_table: str
    create_stage: str
    puts: tuple[str, ...]
    copies: tuple[str, ...]
    drop_stage: str

    @property
    def qualified_name(self) -> str:
        """``DB.SCHEMA.TABLE`` (unquoted, for display and lineage)."""
        return ".".join(p for p in (self.database, self.schema, self.name) if p)

    @property
    def statements(self) -> list[str]:
        return [self.create_table, self.create_stage, *self.puts, *self.copies, self.drop_stage]


@dataclass(frozen=True)
class LoadPlan:
    tables: tuple[TablePlan, ...]
    if_exists: str = "append"
    on_error: str = "ABORT_STATEMENT"
    notes: tuple[str, ...] = field(default=())

    @property
    def statements(self) -> list[str]:
        return [statement for table in self.tables for statement in table.statements]

    @property
    def files(self) -> list[ParquetSource]:
        return [f for table in self.tables for f in table.files]

    def to_sql(self) -> str:
        """The whole script, like the seed's ``all_tables.sql``: one commented block per table."""
        blocks: list[str] = []
        for table in self.tables:
            lines = [comment(f"Load {table.qualified_name} from {len(table.files)} Parquet file(s)")]
            lines += [statement + ";" for statement in table.statements]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"


def plan_load(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    table: str | None = None,
    database: str | None = None,
    schema: str | None = None,
    stage_url: str | None = None,
    storage_integration: str | None = None,
    kms_key_id: str | None = None,
    if_exists: Literal["append", "replace", "fail"] | str = "append",
    type_overrides: Mapping[str, str] | None = None,
    on_error: str = "ABORT_STATEMENT",
) -> LoadPlan:
    """Plan the load of ``source`` (path, glob, directory, ``gs://``/``s3://`` URL, or a list).

    ``table=None`` gives one table per file stem (upper-cased), or one per directory;
    ``table`` puts every file in that table. ``database``, ``schema``, ``table`` and
    ``storage_integration`` resolve like unquoted Snowflake identifiers (upper-cased) unless
    written in double quotes. ``type_overrides`` maps a column name to the Snowflake type to use.
    Raises :class:`ParquetPlanError` / :class:`ParquetSourceError` naming the file and problem.
    """
    if if_exists not in IF_EXISTS:
        raise ParquetPlanError(f"if_exists={if_exists!r} is not one of {', '.join(IF_EXISTS)}")
    try:
        on_error_sql = on_error_clause(on_error)
        db = user_ident(database, "database") if database else None
        sch = user_ident(schema, "schema") if schema else None
        target = user_ident(table, "table") if table else None
        overrides = {name: normalise_type_spec(spec) for name, spec in (type_overrides or {}).items()}
    except ValueError as exc:
        raise ParquetPlanError(str(exc)) from None
    if db and not sch:
        raise ParquetPlanError("database given without schema: give both, or neither to use the connection's")

    external = _external_stage(stage_url, storage_integration, kms_key_id)
    files = collect_sources(source, target)
    remote = [f.url for f in files if f.is_remote]
    if external is None and remote:
        raise ParquetPlanError(
            f"{remote[0]}: cloud files load through an external stage; give stage_url and storage_integration"
        )
    if external is not None and len(remote) != len(files):
        local = next(f.url for f in files if not f.is_remote)
        raise ParquetPlanError(f"{local}: a local file cannot load through stage_url; drop stage_url")

    by_table: dict[str, list[ParquetSource]] = {}
    for f in files:
        by_table.setdefault(f.table, []).append(f)

    used_overrides: set[str] = set()
    tables = []
    for name, table_files in by_table.items():
        columns = _unify(name, table_files, overrides, used_overrides)
        tables.append(_table_plan(name, db, sch, columns, table_files, if_exists, on_error_sql, external))
    unused = sorted(set(overrides) - used_overrides)
    if unused:
        raise ParquetPlanError(f"type_overrides names columns no file has: {', '.join(map(repr, unused))}")
    return LoadPlan(tables=tuple(tables), if_exists=str(if_exists), on_error=on_error_sql.split("=", 1)[1])


@dataclass(frozen=True)
class _External:
    url: str
    integration: str
    encryption: str | None


def _external_stage(
    stage_url: str | None, integration: str | None, kms_key_id: str | None
) -> _External | None:
    if not stage_url:
        if integration or kms_key_id:
            raise ParquetPlanError("storage_integration / kms_key_id need stage_url")
        return None
    scheme, sep, rest = stage_url.partition("://")
    sf_scheme = _CLOUD_SCHEMES.get(scheme.lower())
    if not sep or sf_scheme is None or not rest:
        raise ParquetPlanError(f"stage_url {stage_url!r}: expected gs://bucket/path or s3://bucket/path")
    if not integration:
        raise ParquetPlanError(f"stage_url {stage_url!r} needs storage_integration (no credentials in SQL)")
    try:
        integration_name = user_ident(integration, "storage integration")
    except ValueError as exc:
        raise ParquetPlanError(str(exc)) from None
    url = f"{sf_scheme}://{rest.rstrip('/')}/"
    encryption = None
    if kms_key_id:
        encryption = f"ENCRYPTION=(TYPE='{_KMS_TYPE[sf_scheme]}' KMS_KEY_ID={quote_literal(kms_key_id)})"
    return _External(url=url, integration=integration_name, encryption=encryption)


def _unify(
    table: str, files: list[ParquetSource], overrides: Mapping[str, str], used: set[str]
) -> tuple[Column, ...]:
    """One column list for all files of ``table``; a column missing from any file is nullable."""
    types: dict[str, str] = {}
    origin: dict[str, tuple[str, str]] = {}
    nullable: dict[str, bool] = {}
    present: dict[str, int] = {}
    for f in files:
        names = f.schema.names
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise ParquetPlanError(f"{f.url}: column {dup!r} appears more than once")
        for arrow_field in f.schema:
            name = arrow_field.name
            if not name:
                raise ParquetPlanError(f"{f.url}: a column has an empty name, which Snowflake cannot hold")
            if name in overrides:
                used.add(name)
                sf_type = overrides[name]
            else:
                try:
                    sf_type = snowflake_type(arrow_field.type)
                except UnsupportedTypeError as exc:
                    raise ParquetPlanError(f"{f.url}: column {name!r}: {exc}") from None
            known = types.get(name)
            if known is None:
                types[name] = sf_type
                origin[name] = (f.url, sf_type)
                nullable[name] = arrow_field.nullable
                present[name] = 1
                continue
            wider = widen(known, sf_type)
            if wider is None:
                first_url, first_type = origin[name]
                raise ParquetPlanError(
                    f"table {table}: column {name!r} is {first_type} in {first_url} but {sf_type} in {f.url}"
                )
            types[name] = wider
            nullable[name] = nullable[name] or arrow_field.nullable
            present[name] += 1
    return tuple(
        Column(name, sf_type, nullable[name] or present[name] < len(files)) for name, sf_type in types.items()
    )


def _qualified(db: str | None, sch: str | None, name: str) -> str:
    return ".".join(quote_ident(p) for p in (db, sch, name) if p)


def _stage_location(stage: str, subdir: str) -> str:
    location = f"@{stage}/{subdir}" if subdir else f"@{stage}"
    if subdir and not all(c.isalnum() or c in "_-./=" for c in subdir):
        return quote_literal(location)
    return location


def _table_plan(
    name: str,
    db: str | None,
    sch: str | None,
    columns: tuple[Column, ...],
    files: list[ParquetSource],
    if_exists: str,
    on_error_sql: str,
    external: _External | None,
) -> TablePlan:
    table_sql = _qualified(db, sch, name)
    stage_sql = _qualified(db, sch, f"{name}_STAGE")
    create = {
        "append": "CREATE TABLE IF NOT EXISTS",
        "replace": "CREATE OR REPLACE TABLE",
        "fail": "CREATE TABLE",
    }[if_exists]
    column_defs = ",\n".join(
        f"  {quote_ident(c.name)} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in columns
    )
    create_table = f"{create} {table_sql} (\n{column_defs}\n)"

    puts: list[str] = []
    file_lists: list[list[str]] = []
    if external is None:
        stage_opts = ""
        staged: dict[str, str] = {}
        for f in files:
            if f.relative_name in staged:
                raise ParquetPlanError(
                    f"{f.url}: would be staged under the same name as {staged[f.relative_name]} for table "
                    f"{name}; load them into different tables or from one directory"
                )
            staged[f.relative_name] = f.url
            subdir = f.relative_name.rpartition("/")[0]
            puts.append(
                f"PUT {quote_literal('file://' + f.url)} {_stage_location(stage_sql, subdir)}"
                " AUTO_COMPRESS=FALSE"
            )
    else:
        stage_opts = (
            f" URL={quote_literal(external.url)} STORAGE_INTEGRATION={quote_ident(external.integration)}"
        )
        if external.encryption:
            stage_opts += f" {external.encryption}"
        relative: list[str] = []
        prefix = external.url.split("://", 1)[1]
        for f in files:
            scheme, _, rest = f.url.partition("://")
            same_cloud = _CLOUD_SCHEMES.get(scheme.lower()) == external.url.split("://", 1)[0]
            if not same_cloud or not rest.startswith(prefix):
                raise ParquetPlanError(f"{f.url}: not under stage_url {external.url}")
            relative.append(rest[len(prefix) :])
        file_lists = [relative[i : i + MAX_COPY_FILES] for i in range(0, len(relative), MAX_COPY_FILES)]
    create_stage = f"CREATE OR REPLACE TEMPORARY STAGE {stage_sql}{stage_opts} {FILE_FORMAT}"

    target_cols = ", ".join(quote_ident(c.name) for c in columns)
    projection = ",\n    ".join(f"$1:{quote_ident(c.name)}::{c.type}" for c in columns)
    copy_head = (
        f"COPY INTO {table_sql} ({target_cols})\nFROM (\n  SELECT\n    {projection}\n  FROM @{stage_sql}\n)"
    )
    tail = f"\n{FILE_FORMAT}\n{on_error_sql}"
    if file_lists:
        copies = tuple(
            f"{copy_head}\nFILES=({', '.join(quote_literal(r) for r in chunk)}){tail}" for chunk in file_lists
        )
    else:
        copies = (copy_head + tail,)
    return TablePlan(
        name=name,
        database=db,
        schema=sch,
        columns=columns,
        files=tuple(files),
        stage=stage_sql,
        external=external is not None,
        create_table=create_table,
        create_stage=create_stage,
        puts=tuple(puts),
        copies=copies,
        drop_stage=f"DROP STAGE IF EXISTS {stage_sql}",
    )


def is_remote_source(source: Any) -> bool:
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source or [])
    return any(is_url(os.fspath(i)) for i in items)
