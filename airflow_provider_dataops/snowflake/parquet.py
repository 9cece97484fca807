"""Plan a Parquet → Snowflake load from Parquet footers alone (no Airflow import).

``plan_load`` reads each file's footer (never its data pages), maps the Arrow schema to
Snowflake types (table in :mod:`airflow_provider_dataops.snowflake.types`), unifies the schemas
of the files that feed one table, and writes, per table::

    CREATE TABLE [IF NOT EXISTS] "DB"."SCHEMA"."T" ("Col" TYPE, ...)
    CREATE TABLE "DB"."SCHEMA"."DATAOPS_T_NEW_<hex>" (...)      -- if_exists="replace" only
    CREATE TEMPORARY STAGE "DB"."SCHEMA"."DATAOPS_T_<hex>" [URL=... STORAGE_INTEGRATION=...
        ENCRYPTION=(TYPE='AWS_SSE_KMS' KMS_KEY_ID='...')] FILE_FORMAT=(TYPE=PARQUET ...)
    PUT 'file:///...' @"DATAOPS_T_<hex>"/dir AUTO_COMPRESS=FALSE  -- local files only
    COPY INTO "T" ("Col", ...) FROM (SELECT $1:"Col"::TYPE, ... FROM @"DATAOPS_T_<hex>")
        [FILES=(...)] FILE_FORMAT=(...) ON_ERROR=...
    ALTER TABLE "DATAOPS_T_NEW_<hex>" SWAP WITH "T"; DROP TABLE ...  -- "replace" only
    DROP STAGE IF EXISTS "DB"."SCHEMA"."DATAOPS_T_<hex>"

Every identifier is quoted (Parquet's column case is kept) and every literal escaped, so a
column called ``a"; DROP TABLE x; --`` is only ever a column name; a name no quoting makes
safe for the connector's statement splitter (a backslash, a control character) is refused,
naming the file. ``if_exists="replace"`` loads into a new table and swaps it in only after
every file loaded, so a failed load leaves the old table as it was. The stage is named after
the table plus a digest of its qualified name: stable across runs, because Snowflake's load
metadata for an internal stage is keyed by the stage's name and a per-run name would load every
file again on each re-run; the ``DATAOPS_`` prefix and digest keep it apart from users' stages,
and it is created without ``OR REPLACE``. ``USE_LOGICAL_TYPE=TRUE``
makes Snowflake read Parquet's logical types (without it nanosecond timestamps arrive as
integers); ``BINARY_AS_TEXT=FALSE`` keeps binary columns binary. Re-running a COPY loads
nothing twice: Snowflake's load metadata skips files it already loaded, so no ``FORCE``.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

if TYPE_CHECKING:
    from airflow_provider_dataops.snowflake.drift import SchemaChange
from airflow_provider_dataops.snowflake.sources import (
    ParquetSource,
    ParquetSourceError,
    collect_sources,
)
from airflow_provider_dataops.snowflake.sql import (
    CONTROL_CHARS,
    comment,
    name_problem,
    on_error_clause,
    quote_ident,
    quote_literal,
    user_ident,
)
from airflow_provider_dataops.snowflake.types import (
    UnsupportedTypeError,
    _by_type_id,
    footer_types,
    geo_projection,
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
#: What a stage sub-path may hold unquoted; anything else (spaces, ``--``, ``/*``) is quoted.
_PLAIN_STAGE_PATH = re.compile(r"^(?!.*(--|//|/\*))[A-Za-z0-9_./=-]+$")
#: What a PUT source cannot hold: the server reads it as a URI (``?`` starts a query, ``#`` a
#: fragment, ``%XX`` is decoded, ``[...]`` after ``file://`` is an IPv6 host when the connector
#: re-requests a GCS upload URL with ``file://<name>``), and the connector globs it (``[...]``).
_PUT_REFUSED = re.compile(r"[?#\[\]]|%[0-9A-Fa-f]{2}")
_GEO_TYPES = ("GEOMETRY", "GEOGRAPHY")


#: Where a COPY's projection ends: names never hold a newline, so this occurs once per COPY.
_FROM_STAGE = "\n  FROM @"


class ParquetPlanError(ValueError):
    """Input that cannot become a correct load; the message names the file or option and why."""


class Column(NamedTuple):
    name: str
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class TablePlan:
    """Everything needed to load one table."""

    name: str
    database: str | None
    schema: str | None
    column_names: tuple[str, ...]
    column_types: tuple[str, ...]
    column_nullable: tuple[bool, ...]
    files: tuple[ParquetSource, ...]
    stage: str
    external: bool
    create_table: str
    create_stage: str
    puts: tuple[str, ...]
    copies: tuple[str, ...]
    drop_stage: str
    staged_names: tuple[str, ...] = ()
    """Each file's path as COPY names it, below the stage's root (same order as ``files``)."""
    stage_root: str = ""
    """What COPY and the load history put before a staged name: ``stage_name/`` or the stage URL."""
    load_table: str = ""
    """The quoted table COPY writes to: the target, or with ``replace`` a new table swapped in."""
    create_load_table: str | None = None
    swap: tuple[str, ...] = ()
    """``replace``: swap the loaded table in and drop the old one, after every file loaded."""
    projections: tuple[str, ...] = ()
    """The COPY's SELECT expression for each column, in column order."""
    alters: tuple[str, ...] = ()
    """``ALTER TABLE`` statements that fit an existing table to the files (see :mod:`.drift`)."""

    @property
    def columns(self) -> tuple[Column, ...]:
        # Built on demand: plans can hold 100k+ columns and the SQL needs only the three tuples.
        return tuple(
            map(
                tuple.__new__,
                repeat(Column),
                zip(self.column_names, self.column_types, self.column_nullable, strict=True),
            )
        )

    @property
    def qualified_name(self) -> str:
        """``DB.SCHEMA.TABLE`` (unquoted, for display and lineage)."""
        return ".".join(p for p in (self.database, self.schema, self.name) if p)

    @property
    def statements(self) -> list[str]:
        load = [self.create_load_table] if self.create_load_table else []
        return [
            self.create_table,
            *self.alters,
            *load,
            self.create_stage,
            *self.puts,
            *self.copies,
            *self.swap,
            self.drop_stage,
        ]


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
        blocks: list[str] = [comment(note) for note in self.notes]
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
    stage_base: str | os.PathLike[str] | None = None,
) -> LoadPlan:
    """Plan the load of ``source`` (path, glob, directory, ``gs://``/``s3://`` URL, or a list).

    ``table=None`` gives one table per file stem (upper-cased), or one per directory;
    ``table`` puts every file in that table. ``database``, ``schema``, ``table`` and
    ``storage_integration`` resolve like unquoted Snowflake identifiers (upper-cased) unless
    written in double quotes. ``type_overrides`` maps a column name to the Snowflake type to use.

    Local files with ``stage_url`` are the seed's workflow: footers are read from the local
    copies and each file is addressed on the external stage by its path relative to
    ``stage_base`` (default: the common parent folder of the local files).
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
    local_base = _local_stage_base(stage_base, external, [f.url for f in files if not f.is_remote])

    by_table: dict[str, list[ParquetSource]] = {}
    for f in files:
        by_table.setdefault(f.table, []).append(f)
    for name, table_files in by_table.items():
        problem = name_problem(name)
        if problem:
            raise ParquetPlanError(f"{table_files[0].url}: table name {name!r} {problem}; pass table=")

    used_overrides: set[str] = set()
    tables = []
    for name, table_files in by_table.items():
        names, types, nullables, projections = _unify(name, table_files, overrides, used_overrides)
        tables.append(
            _table_plan(
                name,
                db,
                sch,
                names,
                types,
                nullables,
                table_files,
                if_exists,
                on_error_sql,
                external,
                projections=projections,
                local_base=local_base,
            )
        )
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
    for what, value in (("stage_url", stage_url), ("kms_key_id", kms_key_id or "")):
        if CONTROL_CHARS.search(value):
            raise ParquetPlanError(f"{what} {value!r} contains control characters")
    encryption = None
    if kms_key_id:
        encryption = f"ENCRYPTION=(TYPE='{_KMS_TYPE[sf_scheme]}' KMS_KEY_ID={quote_literal(kms_key_id)})"
    return _External(url=url, integration=integration_name, encryption=encryption)


def _local_stage_base(
    stage_base: str | os.PathLike[str] | None, external: _External | None, local: list[str]
) -> str | None:
    """The folder local files are addressed relative to on the external stage (``None``: no such files)."""
    if stage_base is not None and external is None:
        raise ParquetPlanError("stage_base needs stage_url: it names the local folder that stage_url holds")
    if external is None or not local:
        if stage_base is not None:
            raise ParquetPlanError(
                "stage_base applies to local files loaded through stage_url; every source here is a cloud URL"
            )
        return None
    if stage_base is None:
        return os.path.commonpath([os.path.dirname(p) for p in local])
    return os.path.abspath(os.path.expanduser(os.fspath(stage_base)))


def _stage_relative_name(f: ParquetSource, external: _External, local_base: str | None) -> str:
    """``f``'s name relative to the external stage's URL, refused if it could address anything else."""
    if f.is_remote:
        scheme, _, rest = f.url.partition("://")
        prefix = external.url.split("://", 1)[1]
        same_cloud = _CLOUD_SCHEMES.get(scheme.lower()) == external.url.split("://", 1)[0]
        if not same_cloud or not rest.startswith(prefix):
            raise ParquetPlanError(f"{f.url}: not under stage_url {external.url}")
        relative = rest[len(prefix) :]
    else:
        assert local_base is not None
        relative = os.path.relpath(f.url, local_base)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
            raise ParquetPlanError(
                f"{f.url}: not under stage_base {local_base}; give the folder that maps to stage_url"
            )
        relative = relative.replace(os.sep, "/")
    if problem := name_problem(relative):
        raise ParquetPlanError(f"{f.url}: the name on the stage {problem}; rename it")
    if any(part in (".", "..") for part in relative.split("/")):
        raise ParquetPlanError(f"{f.url}: a '.' or '..' path segment cannot be addressed on the stage")
    return relative


def _file_columns(
    f: ParquetSource, overrides: Mapping[str, str], used: set[str]
) -> tuple[list[str], list[str], list[bool], dict[str, str]]:
    """Names, Snowflake types, nullability and special COPY projections of one file's columns."""
    schema = f.schema
    names = schema.names
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ParquetPlanError(f"{f.url}: column {dup!r} appears more than once")
    if "" in names:
        raise ParquetPlanError(f"{f.url}: a column has an empty name, which Snowflake cannot hold")
    if name_problem("".join(names)):
        bad = next(n for n in names if name_problem(n))
        raise ParquetPlanError(f"{f.url}: column {bad!r} {name_problem(bad)}; no quoting makes it safe")
    by_id = _by_type_id()
    arrow_types = schema.types
    types: list[str | None] = [by_id.get(t.id) for t in arrow_types]
    if None in types:
        for i in [i for i, t in enumerate(types) if t is None]:
            try:
                types[i] = snowflake_type(arrow_types[i])
            except UnsupportedTypeError as exc:
                if names[i] in overrides:
                    continue
                raise ParquetPlanError(f"{f.url}: column {names[i]!r}: {exc}") from None
    nullables = [field.nullable for field in schema]
    footer = {}
    if f.metadata is not None and ("BINARY" in types or "OBJECT" in types):
        candidates = [i for i, t in enumerate(types) if t == "BINARY" or t == "OBJECT"]
        footer = footer_types(schema, names, arrow_types, candidates, f.metadata)
    if overrides and not overrides.keys().isdisjoint(names):
        for i, name in enumerate(names):
            if name in overrides:
                used.add(name)
                types[i] = overrides[name]
    projections: dict[str, str] = {}
    if footer:
        for i, name in enumerate(names):
            found = footer.get(name)
            if found is None:
                continue
            if name not in overrides:
                types[i] = found.kind
            if found.kind == "VARIANT":
                nullables[i] = True  # a variant null may read as SQL NULL (see types.py)
            elif types[i] in _GEO_TYPES:
                try:
                    projections[name] = geo_projection(found, cast(str, types[i]))
                except UnsupportedTypeError as exc:
                    raise ParquetPlanError(f"{f.url}: column {name!r}: {exc}") from None
    return names, cast("list[str]", types), nullables, projections


def _unify(
    table: str, files: list[ParquetSource], overrides: Mapping[str, str], used: set[str]
) -> tuple[list[str], list[str], list[bool], dict[str, str]]:
    """One column list for all files of ``table``; a column missing from any file is nullable."""
    names, types, nullables, projections = _file_columns(files[0], overrides, used)
    if len(files) == 1:
        return names, types, nullables, projections
    merged: dict[str, list[Any]] = {
        n: [t, nl, 1, files[0].url] for n, t, nl in zip(names, types, nullables, strict=True)
    }
    first_projection = dict.fromkeys(names, files[0].url)
    for f in files[1:]:
        f_names, f_types, f_nullables, f_projections = _file_columns(f, overrides, used)
        for name in f_projections.keys() | projections.keys():
            if name not in f_names or name not in first_projection:
                continue
            if f_projections.get(name) != projections.get(name):
                raise ParquetPlanError(
                    f"table {table}: column {name!r} loads as {projections.get(name) or 'a plain cast'} in "
                    f"{first_projection[name]} but as {f_projections.get(name) or 'a plain cast'} in {f.url}"
                )
        for name in f_names:
            if name not in first_projection:
                first_projection[name] = f.url
                if name in f_projections:
                    projections[name] = f_projections[name]
        for name, sf_type, nullable in zip(f_names, f_types, f_nullables, strict=True):
            known = merged.get(name)
            if known is None:
                merged[name] = [sf_type, nullable, 1, f.url]
                continue
            wider = widen(known[0], sf_type)
            if wider is None:
                raise ParquetPlanError(
                    f"table {table}: column {name!r} is {known[0]} in {known[3]} but {sf_type} in {f.url}"
                )
            known[0] = wider
            known[1] = known[1] or nullable
            known[2] += 1
    total = len(files)
    return (
        list(merged),
        [m[0] for m in merged.values()],
        [m[1] or m[2] < total for m in merged.values()],
        projections,
    )


def _qualified(db: str | None, sch: str | None, name: str) -> str:
    return ".".join(quote_ident(p) for p in (db, sch, name) if p)


def stage_name(name: str, db: str | None, sch: str | None) -> str:
    """This package's temporary stage for table ``name``: ``DATAOPS_<TABLE>_<digest>``.

    Stable for one target table (Snowflake keys an internal stage's load metadata by the stage's
    name and path, so the same name keeps re-runs from loading a file twice), only ``[A-Z0-9_]``,
    and not a name anyone picks by chance.
    """
    digest = hashlib.sha256("\x00".join(p or "" for p in (db, sch, name)).encode()).hexdigest()[:12]
    return f"DATAOPS_{re.sub(r'[^A-Z0-9_]', '_', name.upper())[:100]}_{digest.upper()}"


def _new_table_name(name: str) -> str:
    """A fresh table for ``replace`` to load into before the swap; unique per run."""
    return f"DATAOPS_{re.sub(r'[^A-Z0-9_]', '_', name.upper())[:100]}_NEW_{secrets.token_hex(6).upper()}"


def _stage_location(stage: str, subdir: str) -> str:
    location = f"@{stage}/{subdir}" if subdir else f"@{stage}"
    if subdir and not _PLAIN_STAGE_PATH.match(subdir):
        return quote_literal(location)
    return location


def _put_source(f: ParquetSource) -> str:
    """``'file://...'`` for PUT: ``*`` escaped (the connector globs the path), URI specials refused."""
    found = _PUT_REFUSED.search(f.url)
    if found:
        raise ParquetPlanError(
            f"{f.url}: a local path with {found.group()!r} cannot be PUT (the connector globs PUT paths"
            " and reads them as URIs, so another file or none would load); rename it"
        )
    try:
        return quote_literal("file://" + glob.escape(f.url))
    except ValueError:
        raise ParquetPlanError(f"{f.url}: a local path with control characters cannot be PUT") from None


def _table_plan(
    name: str,
    db: str | None,
    sch: str | None,
    names: list[str],
    types: list[str],
    nullables: list[bool],
    files: list[ParquetSource],
    if_exists: str,
    on_error_sql: str,
    external: _External | None,
    *,
    projections: Mapping[str, str] | None = None,
    local_base: str | None = None,
) -> TablePlan:
    table_sql = _qualified(db, sch, name)
    stage_unquoted = stage_name(name, db, sch)
    stage_sql = _qualified(db, sch, stage_unquoted)
    create = {
        "append": "CREATE TABLE IF NOT EXISTS",
        "replace": "CREATE TABLE IF NOT EXISTS",
        "fail": "CREATE TABLE",
    }[if_exists]
    quoted = list(map(quote_ident, names))
    column_defs = ",\n".join(
        [
            f"  {q} {t}" if nullable else f"  {q} {t} NOT NULL"
            for q, t, nullable in zip(quoted, types, nullables, strict=True)
        ]
    )
    create_table = f"{create} {table_sql} (\n{column_defs}\n)"
    load_sql, create_load = table_sql, None
    swap: tuple[str, ...] = ()
    if if_exists == "replace":
        load_sql = _qualified(db, sch, _new_table_name(name))
        create_load = f"CREATE TABLE {load_sql} (\n{column_defs}\n)"
        swap = (f"ALTER TABLE {load_sql} SWAP WITH {table_sql}", f"DROP TABLE {load_sql}")

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
            try:
                location = _stage_location(stage_sql, subdir)
            except ValueError:
                raise ParquetPlanError(f"{f.url}: a folder with control characters cannot be PUT") from None
            puts.append(f"PUT {_put_source(f)} {location} AUTO_COMPRESS=FALSE")
        staged_names = tuple(staged)
        stage_root = stage_unquoted + "/"
    else:
        stage_opts = (
            f" URL={quote_literal(external.url)} STORAGE_INTEGRATION={quote_ident(external.integration)}"
        )
        if external.encryption:
            stage_opts += f" {external.encryption}"
        relative = [_stage_relative_name(f, external, local_base) for f in files]
        file_lists = [relative[i : i + MAX_COPY_FILES] for i in range(0, len(relative), MAX_COPY_FILES)]
        staged_names = tuple(relative)
        stage_root = external.url
    create_stage = f"CREATE TEMPORARY STAGE {stage_sql}{stage_opts} {FILE_FORMAT}"

    target_cols = ", ".join(quoted)
    special = projections or {}
    expressions = [
        special[n].replace("{ref}", f"$1:{q}") if n in special else f"$1:{q}::{t}"
        for n, q, t in zip(names, quoted, types, strict=True)
    ]
    projection = ",\n    ".join(expressions)
    copy_head = (
        f"COPY INTO {load_sql} ({target_cols})\nFROM (\n  SELECT\n    {projection}{_FROM_STAGE}{stage_sql}\n)"
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
        column_names=tuple(names),
        column_types=tuple(types),
        column_nullable=tuple(nullables),
        files=tuple(files),
        stage=stage_sql,
        external=external is not None,
        create_table=create_table,
        create_stage=create_stage,
        puts=tuple(puts),
        copies=copies,
        drop_stage=f"DROP STAGE IF EXISTS {stage_sql}",
        staged_names=staged_names,
        stage_root=stage_root,
        load_table=load_sql,
        create_load_table=create_load,
        swap=swap,
        projections=tuple(expressions),
    )


DRIFT_NOT_CHECKED = "schema drift not checked: no connection to read the existing tables' columns"


def with_drift_unchecked(plan: LoadPlan) -> LoadPlan:
    """``plan`` whose script says drift was not checked (appends only: other modes create)."""
    if plan.if_exists != "append":
        return plan
    return replace(plan, notes=(*plan.notes, DRIFT_NOT_CHECKED))


def fit_to_table(table: TablePlan, change: SchemaChange) -> TablePlan:
    """``table`` loading into the existing table as ``change`` decided: its ALTERs first, then a
    COPY whose target columns are the table's (case-matched) names and whose projection casts to
    the table's types where they differ from the files'."""
    index = {name: i for i, name in enumerate(table.column_names)}
    targets, expressions = [], []
    for load in change.loads:
        i = index[load.source]
        plain = f"$1:{quote_ident(load.source)}::{table.column_types[i]}"
        expression = table.projections[i]
        if expression == plain and load.type != table.column_types[i]:
            expression = f"$1:{quote_ident(load.source)}::{load.type}"
        targets.append(quote_ident(load.target))
        expressions.append(expression)
    head = f"COPY INTO {table.load_table} ({', '.join(targets)})\nFROM (\n  SELECT\n    "
    copies = tuple(
        head + ",\n    ".join(expressions) + _FROM_STAGE + c.split(_FROM_STAGE, 1)[1] for c in table.copies
    )
    return replace(table, copies=copies, alters=change.statements)
