"""Schema drift between an existing Snowflake table and the Parquet files appended to it.

No Airflow import. :func:`plan_schema_change` compares the table's columns (as ``DESCRIBE
TABLE`` reports them) with the unified Parquet schema and decides, per ``on_schema_change``
(dbt's words and meaning):

``append_new_columns``
    a column only in the files is added (``ALTER TABLE ... ADD COLUMN``, nullable); a column
    whose file type is wider is widened where Snowflake's ``ALTER COLUMN ... SET DATA TYPE``
    allows it (NUMBER precision up at the same scale, VARCHAR / BINARY length up); any other
    type difference is refused, naming column, table type and file type.
``fail``
    any divergence (a column only in the files, a column only in the table, a type that would
    need an ALTER or cannot be loaded) stops the load before anything changes.
``ignore``
    the table is never altered: columns only in the files are left out of the COPY, and every
    column is cast to the table's own type (Snowflake rejects a value that does not fit).

In every mode a column only in the table loads as NULL, so it must be nullable. Column names
match the way Snowflake resolves identifiers: exactly, or (for a Parquet name that is a valid
unquoted identifier such as ``Amount``) its upper-cased form ``AMOUNT``, as a table created
with unquoted names holds it. Every problem is found before any statement runs.

A ``TIMESTAMP_LTZ`` file column fits a ``TIMESTAMP_TZ`` table column (an instant loses nothing).
Snowflake cannot change the scale of a NUMBER or the precision of a TIME / TIMESTAMP column
(ALTER TABLE ... ALTER COLUMN, "Data Types"), so those differences are refused with a hint to
load into the existing type with ``type_overrides``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from airflow_provider_dataops.snowflake.sql import quote_ident

OnSchemaChange = Literal["append_new_columns", "fail", "ignore"]
ON_SCHEMA_CHANGE: tuple[str, ...] = ("append_new_columns", "fail", "ignore")

MAX_VARCHAR_LENGTH = 16_777_216
MAX_BINARY_LENGTH = 8_388_608
_UNQUOTED_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_TYPE = re.compile(r"^([A-Z_][A-Z0-9_ ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$")
_SEMI_STRUCTURED = frozenset({"VARIANT", "OBJECT", "ARRAY"})
_TIMED = frozenset({"TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ"})
_ALIASES = {
    "INT": "NUMBER",
    "INTEGER": "NUMBER",
    "BIGINT": "NUMBER",
    "SMALLINT": "NUMBER",
    "TINYINT": "NUMBER",
    "BYTEINT": "NUMBER",
    "DECIMAL": "NUMBER",
    "NUMERIC": "NUMBER",
    "DOUBLE": "FLOAT",
    "DOUBLE PRECISION": "FLOAT",
    "REAL": "FLOAT",
    "FLOAT4": "FLOAT",
    "FLOAT8": "FLOAT",
    "STRING": "VARCHAR",
    "TEXT": "VARCHAR",
    "NVARCHAR": "VARCHAR",
    "NVARCHAR2": "VARCHAR",
    "CHAR VARYING": "VARCHAR",
    "NCHAR VARYING": "VARCHAR",
    "VARBINARY": "BINARY",
    "DATETIME": "TIMESTAMP_NTZ",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "TIMESTAMPNTZ": "TIMESTAMP_NTZ",
    "TIMESTAMPLTZ": "TIMESTAMP_LTZ",
    "TIMESTAMPTZ": "TIMESTAMP_TZ",
}


class SchemaDriftError(ValueError):
    """The files cannot be appended to the table as it is; nothing was changed."""


class FileColumn(NamedTuple):
    """A column of the unified Parquet schema, as the planner typed it."""

    name: str
    type: str


class TableColumn(NamedTuple):
    """A column of the existing table, as ``DESCRIBE TABLE`` reports it."""

    name: str
    type: str
    nullable: bool


class ColumnLoad(NamedTuple):
    """One COPY target: ``$1:"<source>"::<type>`` into table column ``target``."""

    source: str
    target: str
    type: str


class _Type(NamedTuple):
    kind: str
    length: int | None = None  # VARCHAR / BINARY length, TIME / TIMESTAMP precision
    precision: int | None = None
    scale: int | None = None


@dataclass(frozen=True)
class SchemaChange:
    """What appending the files to one existing table needs, and what it leaves out."""

    table: str
    mode: str
    loads: tuple[ColumnLoad, ...]
    added: tuple[FileColumn, ...] = ()
    widened: tuple[tuple[str, str, str], ...] = ()
    missing: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    case_matched: tuple[tuple[str, str], ...] = ()
    cast: tuple[tuple[str, str, str], ...] = ()
    statements: tuple[str, ...] = ()
    columns_after: tuple[TableColumn, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.statements)

    def describe(self) -> list[str]:
        """One line per finding, for the task log."""
        lines = [f"{self.table}: added column {c.name!r} {c.type}" for c in self.added]
        lines += [f"{self.table}: widened column {n!r} from {old} to {new}" for n, old, new in self.widened]
        lines += [
            f"{self.table}: Parquet column {src!r} matched table column {dst!r} (Snowflake resolves the"
            f" unquoted name {src} to {dst})"
            for src, dst in self.case_matched
        ]
        lines += [f"{self.table}: column {n!r} is not in the files and loads as NULL" for n in self.missing]
        lines += [
            f"{self.table}: Parquet column {n!r} is not in the table and is left out"
            " (on_schema_change='ignore')"
            for n in self.ignored
        ]
        lines += [
            f"{self.table}: column {n!r} is {file_t} in the files, loaded as the table's {table_t}"
            " (on_schema_change='ignore')"
            for n, table_t, file_t in self.cast
        ]
        return lines

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (XCom, lineage)."""
        return {
            "table": self.table,
            "on_schema_change": self.mode,
            "added_columns": [{"name": c.name, "type": c.type} for c in self.added],
            "widened_columns": [{"name": n, "from": old, "to": new} for n, old, new in self.widened],
            "missing_columns": list(self.missing),
            "ignored_columns": list(self.ignored),
            "case_matched": [{"parquet": src, "table": dst} for src, dst in self.case_matched],
            "statements": list(self.statements),
        }


def describe_table_sql(qualified_table_sql: str) -> str:
    """The one query per table that :func:`columns_from_describe` reads."""
    return f"DESCRIBE TABLE {qualified_table_sql}"


def columns_from_describe(rows: Iterable[Sequence[Any]]) -> list[TableColumn]:
    """``DESCRIBE TABLE`` rows (name, type, kind, null?, ...) → columns; virtual columns count too."""
    return [TableColumn(str(r[0]), str(r[1]), str(r[3]).upper() in {"Y", "YES", "TRUE"}) for r in rows]


def parse_type(spec: str) -> _Type:
    """A Snowflake type, synonyms folded (``TEXT`` → ``VARCHAR``, ``INT`` → ``NUMBER(38,0)`` ...).

    A VARCHAR / BINARY without a length keeps ``length=None``: the planner writes Parquet
    strings that way, and they carry no declared length.
    """
    text = re.sub(r"\s+", " ", str(spec).strip().upper())
    text = re.sub(r"\s*\(\s*", "(", text)
    m = _TYPE.match(text)
    if not m:  # structured types such as OBJECT(a VARCHAR) or VECTOR(FLOAT, 3): compared verbatim
        base = text.split("(", 1)[0].strip()
        return _Type(kind=text if base not in _SEMI_STRUCTURED else base)
    name, first, second = m.group(1).strip(), m.group(2), m.group(3)
    if name in {"CHAR", "CHARACTER", "NCHAR"}:
        return _Type("VARCHAR", length=int(first) if first else 1)
    kind = _ALIASES.get(name, name)
    if kind == "NUMBER":
        if name in {"INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT"}:
            return _Type("NUMBER", precision=38, scale=0)
        return _Type("NUMBER", precision=int(first) if first else 38, scale=int(second) if second else 0)
    if kind in {"VARCHAR", "BINARY"}:
        return _Type(kind, length=int(first) if first else None)
    if kind in _TIMED:
        return _Type(kind, length=int(first) if first else 9)
    return _Type(kind)


def render_type(t: _Type) -> str:
    if t.kind == "NUMBER":
        return f"NUMBER({t.precision},{t.scale})"
    if t.kind in {"VARCHAR", "BINARY"} or t.kind in _TIMED:
        return t.kind if t.length is None else f"{t.kind}({t.length})"
    return t.kind


def _compare(table_t: _Type, file_t: _Type) -> tuple[str, _Type | str | None]:
    """``("same", None)``, ``("alter", new_type)`` or ``("refuse", reason)``."""
    if table_t == file_t:
        return "same", None
    if table_t.kind == "VARIANT" and file_t.kind in _SEMI_STRUCTURED:
        return "same", None
    if (table_t.kind, file_t.kind) == ("TIMESTAMP_TZ", "TIMESTAMP_LTZ"):
        # An instant (LTZ) fits a column of instants with offsets: nothing is lost.
        file_t = file_t._replace(kind="TIMESTAMP_TZ")
    if table_t.kind != file_t.kind:
        return "refuse", "a different type"
    kind = table_t.kind
    if kind == "NUMBER":
        t_precision, t_scale = table_t.precision or 0, table_t.scale or 0
        f_precision, f_scale = file_t.precision or 0, file_t.scale or 0
        if f_scale <= t_scale and f_precision - f_scale <= t_precision - t_scale:
            return "same", None
        if f_scale != t_scale:
            return "refuse", "Snowflake cannot change the scale of a NUMBER column"
        return "alter", _Type("NUMBER", precision=f_precision, scale=t_scale)
    if kind in {"VARCHAR", "BINARY"}:
        if file_t.length is None or table_t.length is None or file_t.length <= table_t.length:
            return "same", None
        return "alter", file_t
    if kind in _TIMED:
        if (file_t.length or 0) <= (table_t.length or 0):
            return "same", None
        return "refuse", f"Snowflake cannot change the precision of a {kind} column"
    return "refuse", "a different type"


def _match_columns(
    files: Sequence[FileColumn], table: Sequence[TableColumn]
) -> tuple[dict[str, TableColumn], list[tuple[str, str]]]:
    """Parquet name → table column, exact names first, then Snowflake's unquoted resolution."""
    by_name = {c.name: c for c in table}
    matched: dict[str, TableColumn] = {}
    taken: set[str] = set()
    for f in files:
        if f.name in by_name:
            matched[f.name] = by_name[f.name]
            taken.add(f.name)
    case_matched: list[tuple[str, str]] = []
    for f in files:
        if f.name in matched or not _UNQUOTED_IDENT.match(f.name):
            continue
        upper = f.name.upper()
        if upper in by_name and upper not in taken:
            matched[f.name] = by_name[upper]
            taken.add(upper)
            case_matched.append((f.name, upper))
    return matched, case_matched


def plan_schema_change(
    table_sql: str,
    table_display: str,
    file_columns: Sequence[FileColumn],
    table_columns: Sequence[TableColumn],
    mode: OnSchemaChange | str = "append_new_columns",
) -> SchemaChange:
    """Decide how the files load into the existing table; raise :class:`SchemaDriftError` if not.

    ``table_sql`` is the quoted, qualified name used in the ALTER statements; ``table_display``
    names the table in messages. The error lists every problem of the table at once.
    """
    if mode not in ON_SCHEMA_CHANGE:
        raise SchemaDriftError(f"on_schema_change={mode!r} is not one of {', '.join(ON_SCHEMA_CHANGE)}")
    matched, case_matched = _match_columns(file_columns, table_columns)
    matched_targets = {c.name for c in matched.values()}
    new = [f for f in file_columns if f.name not in matched]
    missing = [c for c in table_columns if c.name not in matched_targets]

    problems: list[str] = []
    loads: list[ColumnLoad] = []
    widened: list[tuple[str, str, str]] = []
    cast: list[tuple[str, str, str]] = []
    for f in file_columns:
        target = matched.get(f.name)
        if target is None:
            continue
        verdict, detail = _compare(parse_type(target.type), parse_type(f.type))
        if verdict == "same" or mode == "ignore":
            loads.append(ColumnLoad(f.name, target.name, target.type if verdict != "same" else f.type))
            if verdict != "same":
                cast.append((target.name, target.type, f.type))
        elif verdict == "alter" and mode == "append_new_columns":
            wider = render_type(detail) if isinstance(detail, _Type) else f.type
            widened.append((target.name, target.type, wider))
            loads.append(ColumnLoad(f.name, target.name, wider))
        else:
            reason = "it would need ALTER COLUMN" if verdict == "alter" else detail
            problems.append(
                f"column {target.name!r} is {target.type} in the table but {f.type} in the files ({reason})"
            )

    if mode == "fail":
        if new:
            problems.append("columns only in the files: " + ", ".join(repr(f.name) for f in new))
        if missing:
            problems.append("columns only in the table: " + ", ".join(repr(c.name) for c in missing))
    else:
        not_null = [c.name for c in missing if not c.nullable]
        if not_null:
            problems.append(
                "NOT NULL columns the files do not have (they would load as NULL): "
                + ", ".join(map(repr, not_null))
            )
    if problems:
        raise SchemaDriftError(
            f"table {table_display}: the files do not fit (on_schema_change={mode!r}), nothing was changed: "
            + "; ".join(problems)
        )

    added = tuple(new) if mode == "append_new_columns" else ()
    statements = [f"ALTER TABLE {table_sql} ADD COLUMN {quote_ident(c.name)} {c.type}" for c in added]
    statements += [
        f"ALTER TABLE {table_sql} ALTER COLUMN {quote_ident(name)} SET DATA TYPE {new_type}"
        for name, _old, new_type in widened
    ]
    loads += [ColumnLoad(c.name, c.name, c.type) for c in added]
    new_types = {name: new_type for name, _old, new_type in widened}
    columns_after = [TableColumn(c.name, new_types.get(c.name, c.type), c.nullable) for c in table_columns]
    columns_after += [TableColumn(c.name, c.type, True) for c in added]
    return SchemaChange(
        table=table_display,
        mode=mode,
        loads=tuple(loads),
        added=added,
        widened=tuple(widened),
        missing=tuple(c.name for c in missing),
        ignored=tuple(f.name for f in new) if mode == "ignore" else (),
        case_matched=tuple(case_matched),
        cast=tuple(cast),
        statements=tuple(statements),
        columns_after=tuple(columns_after),
    )
