"""SQL files to OpenLineage RunEvents: one job per file, table and column lineage per statement.

The parser is ``openlineage-sql``, the one Airflow's OpenLineage provider runs on every SQL task,
so a scanned file and the task that runs it name the same datasets. Each statement is parsed on
its own (the parser merges the lineage of a statement list) and its column lineage is kept only
where the parser's output columns are the target's columns: ``INSERT ... SELECT`` and ``CREATE
... AS`` without a separate column list, with exactly one target. Elsewhere (``MERGE``,
``UPDATE``, ``INSERT INTO t (a, b) SELECT ...``) the parser names the query's columns, not the
target's, so the statement contributes table lineage only. Source columns the parser ascribes to
a CTE or subquery alias rather than a table are dropped, as are unnamed expressions (``_0``).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from airflow_provider_dataops.lineage.errors import LineageError
from airflow_provider_dataops.lineage.events import facet, run_event, write_jsonl
from airflow_provider_dataops.lineage.statements import Dialect, Statement, dialect_rules, split_statements

_PARSER_POSITION = re.compile(r"\s*at Line: (\d+), Column: (\d+)")
_COLUMN_LINEAGE_KINDS = frozenset({"INSERT", "REPLACE", "CREATE", "SELECT"})


@dataclass(frozen=True)
class ScanSettings:
    """What the SQL files do not say: where their tables live and how to name the jobs.

    :param namespace: the datasets' namespace, OpenLineage-style (``postgres://host:5432``,
        ``snowflake://org-account``, ``bigquery``), the same the provider gives the connection.
    :param default_database: prefixed to ``schema.table`` names that have no database.
    :param default_schema: the schema of unqualified table names (the search path's first).
    """

    dialect: str
    namespace: str
    job_namespace: str
    default_database: str | None = None
    default_schema: str | None = None

    def __post_init__(self) -> None:
        dialect_rules(self.dialect)
        for name in ("namespace", "job_namespace"):
            if not str(getattr(self, name)).strip():
                raise LineageError(f"{name} must not be empty")


@dataclass
class FileFailure:
    path: str
    problems: list[str]


@dataclass
class ScanSummary:
    files: int = 0
    statements: int = 0
    failed_statements: int = 0
    column_lineage_withheld: int = 0
    failures: list[FileFailure] = field(default_factory=list)

    @property
    def failed_files(self) -> int:
        return len(self.failures)

    @property
    def failed_share(self) -> float:
        return self.failed_files / self.files if self.files else 0.0

    def check(self, max_failed_share: float) -> None:
        """Raise when more than ``max_failed_share`` of the files failed (0: any failure)."""
        if self.failed_files and self.failed_share > max_failed_share:
            listed = "; ".join(problem for failure in self.failures for problem in failure.problems)
            raise LineageError(
                f"{self.failed_files} of {self.files} SQL files could not be fully parsed "
                f"({self.failed_share:.0%}, more than the {max_failed_share:.0%} allowed): {listed}"
            )


def failed_share_setting(value: float | int | str) -> float:
    """The share rule's setting from a config: a number in [0, 1] (``"0.1"`` works too)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        raise LineageError(f"max_failed_share must be a number from 0 to 1, not {value!r}") from None
    if not 0.0 <= share <= 1.0:
        raise LineageError(f"max_failed_share must be a number from 0 to 1, not {value!r}")
    return share


class _Namer:
    """Dataset and column names as the database stores them: unquoted parts folded per dialect."""

    def __init__(self, settings: ScanSettings) -> None:
        self.rules: Dialect = dialect_rules(settings.dialect)
        self.default_database = settings.default_database
        self.default_schema = settings.default_schema
        self._tables: dict[Any, str] = {}

    def fold(self, part: str, quoted: bool) -> str:
        if self.rules.fold is None or (quoted and not self.rules.fold_quoted):
            return part
        return part.upper() if self.rules.fold == "upper" else part.lower()

    def table(self, meta: Any) -> str:
        # parser objects hash by content (quotes included): one name per distinct table
        name = self._tables.get(meta)
        if name is None:
            name = self._tables[meta] = self._table(meta)
        return name

    def _table(self, meta: Any) -> str:
        quotes = meta.quote_style
        schema = meta.schema or self.default_schema
        database = meta.database or (self.default_database if schema else None)
        parts = [
            self.fold(database, bool(quotes and quotes.database)) if database else None,
            self.fold(schema, bool(quotes and quotes.schema)) if schema else None,
            self.fold(meta.name, bool(quotes and quotes.name)),
        ]
        return ".".join(part for part in parts if part)


def _parser_problem(job_name: str, statement: Statement, message: str) -> str:
    line = statement.line
    if "found: EOF" in message:
        line = statement.first_line + statement.text.rstrip().count("\n")
    if match := _PARSER_POSITION.search(message):
        line = statement.first_line + int(match.group(1)) - 1
        message = _PARSER_POSITION.sub(f" at column {match.group(2)}", message, count=1)
    for secret in statement.secrets:
        if secret:
            message = message.replace(secret, "***")
    return f"{job_name}:{line}: {message}"


def _parse(sql: str, dialect: str) -> tuple[Any, str | None]:
    try:
        # no default_schema here: given one, openlineage-sql 1.54 loses the tables read inside CTEs
        meta = _parser()([sql], dialect=dialect)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        return None, f"the parser failed: {exc}"
    if meta is None:
        return None, "the parser returned no result"
    if errors := meta.errors:
        return None, "; ".join(error.message for error in errors)
    return meta, None


@cache
def _parser() -> Callable[..., Any]:
    """``openlineage_sql.parse``, imported on first use (the package is the ``openlineage`` extra)."""
    from openlineage_sql import parse

    return parse


class _FileLineage:
    def __init__(self, settings: ScanSettings, namer: _Namer) -> None:
        self.settings = settings
        self.namer = namer
        self.inputs: set[str] = set()
        self.outputs: set[str] = set()
        self.columns: dict[str, dict[str, set[tuple[str, str]]]] = {}
        self.withheld = 0

    def add(self, statement: Statement, meta: Any) -> None:
        # every attribute read of a parser object builds a new Python object: read each once
        table = self.namer.table
        inputs = {table(t) for t in meta.in_tables}
        outputs = {table(t) for t in meta.out_tables}
        self.inputs |= inputs
        self.outputs |= outputs
        column_lineage = meta.column_lineage
        if not column_lineage:
            return
        if statement.kind not in _COLUMN_LINEAGE_KINDS or statement.has_column_list or len(outputs) != 1:
            self.withheld += 1
            return
        target = self.columns.setdefault(next(iter(outputs)), {})
        fold, quoted = self.namer.fold, statement.quoted
        for lineage in column_lineage:
            descendant = lineage.descendant
            name = descendant.name
            if descendant.origin is not None or (name[:1] == "_" and name[1:].isdigit()):
                continue
            sources = set()
            for source in lineage.lineage:
                origin = source.origin
                if origin is not None and (source_table := table(origin)) in inputs:
                    field = source.name
                    sources.add((source_table, fold(field, field in quoted)))
            if sources:
                target.setdefault(fold(name, name in quoted), set()).update(sources)

    def datasets(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        namespace = self.settings.namespace
        inputs = [{"namespace": namespace, "name": name} for name in sorted(self.inputs)]
        outputs: list[dict[str, Any]] = []
        for name in sorted(self.outputs):
            dataset: dict[str, Any] = {"namespace": namespace, "name": name}
            if fields := self.columns.get(name):
                dataset["facets"] = {
                    "columnLineage": facet(
                        "columnLineage",
                        fields={
                            column: {
                                "inputFields": [
                                    {"namespace": namespace, "name": table, "field": source}
                                    for table, source in sorted(sources)
                                ]
                            }
                            for column, sources in sorted(fields.items())
                        },
                    )
                }
            outputs.append(dataset)
        return inputs, outputs


@dataclass
class FileScan:
    """The event of one file and what went wrong in it."""

    event: dict[str, Any]
    statements: int
    problems: list[str]
    column_lineage_withheld: int = 0
    failed_statements: int = 0


def _failure_facets(job_name: str, total: int, problems: list[tuple[int | None, str]]) -> dict[str, Any]:
    messages = [message for _, message in problems]
    return {
        "errorMessage": facet(
            "errorMessage",
            message=f"{len(problems)} of {max(total, 1)} statement(s) of {job_name} could not be "
            f"parsed; first: {messages[0]}",
            programmingLanguage="SQL",
            stackTrace="\n".join(messages),
        ),
        "extractionError": facet(
            "extractionError",
            totalTasks=max(total, 1),
            failedTasks=len(problems),
            errors=[
                {"errorMessage": message, "task": message.split(": ", 1)[0]}
                | ({"taskNumber": index} if index is not None else {})
                for index, message in problems
            ],
        ),
    }


def scan_sql(text: str, job_name: str, settings: ScanSettings, namer: _Namer | None = None) -> FileScan:
    """The RunEvent of one file's SQL (``COMPLETE``, or ``FAIL`` with the problems as facets)."""
    statements = split_statements(text, settings.dialect)
    lineage = _FileLineage(settings, namer or _Namer(settings))
    problems: list[tuple[int | None, str]] = []
    dialect = settings.dialect.lower()
    for index, statement in enumerate(statements):
        meta, problem = _parse(statement.text, dialect)
        if problem is not None:
            problems.append((index, _parser_problem(job_name, statement, problem)))
        else:
            lineage.add(statement, meta)
    if not statements:
        problems.append((None, f"{job_name}:1: no SQL statement in the file"))
    inputs, outputs = lineage.datasets()
    job_facets = {
        "jobType": facet("jobType", processingType="BATCH", integration="SQL", jobType="QUERY"),
        "sql": facet(
            "sql",
            query=";\n".join(statement.redacted.strip() for statement in statements),
            dialect=dialect,
        ),
    }
    event = run_event(
        event_type="FAIL" if problems else "COMPLETE",
        job_namespace=settings.job_namespace,
        job_name=job_name,
        job_facets=job_facets,
        run_facets=_failure_facets(job_name, len(statements), problems) if problems else {},
        inputs=inputs,
        outputs=outputs,
    )
    return FileScan(
        event=event,
        statements=len(statements),
        problems=[message for _, message in problems],
        column_lineage_withheld=lineage.withheld,
        failed_statements=sum(1 for index, _ in problems if index is not None),
    )


def _unreadable(job_name: str, problem: str, settings: ScanSettings) -> FileScan:
    message = f"{job_name}:{problem}"
    event = run_event(
        event_type="FAIL",
        job_namespace=settings.job_namespace,
        job_name=job_name,
        job_facets={},
        run_facets=_failure_facets(job_name, 0, [(None, message)]),
        inputs=[],
        outputs=[],
    )
    return FileScan(event=event, statements=0, problems=[message])


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_inside(path: str, root: str, real_dirs: dict[str, str]) -> bytes | None:
    """The file's bytes, or None if it resolves outside ``root``.

    The file itself is opened with ``O_NOFOLLOW``, so a symlink swapped in after the check is
    refused, not followed; a symlink that stays inside ``root`` is read through its target.
    """
    parent = os.path.dirname(path)
    real_dir = real_dirs.get(parent)
    if real_dir is None:
        real_dir = real_dirs[parent] = os.path.realpath(parent)
    if not _inside(real_dir, root):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        target = os.path.realpath(path)
        if not _inside(target, root):
            return None
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as source:
        return source.read()


def scan_file(
    path: str | os.PathLike[str],
    job_name: str,
    root: str | os.PathLike[str],
    settings: ScanSettings,
    real_dirs: dict[str, str] | None = None,
    namer: _Namer | None = None,
) -> FileScan:
    """One file; a file outside ``root`` (through a symlink), unreadable or not UTF-8 is a failed
    file, not an error."""
    root = os.fspath(root)
    try:
        data = _read_inside(os.fspath(path), root, {} if real_dirs is None else real_dirs)
    except OSError as exc:
        return _unreadable(job_name, f"1: cannot be read: {exc.strerror}", settings)
    if data is None:
        return _unreadable(job_name, f"1: not read: it resolves outside the SQL folder ({root})", settings)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _unreadable(job_name, f"{line}: not UTF-8 text (byte {exc.start})", settings)
    return scan_sql(text, job_name, settings, namer)


def sql_files(sql_dir: Path, pattern: str) -> list[Path]:
    if not sql_dir.is_dir():
        raise LineageError(f"sql_dir {sql_dir} is not a folder")
    return sorted(path for path in sql_dir.glob(pattern) if path.is_file())


def scan_directory(
    sql_dir: str | Path, output_path: str | Path, settings: ScanSettings, pattern: str = "**/*.sql"
) -> ScanSummary:
    """Scan every file under ``sql_dir`` matching ``pattern`` into ``output_path`` (JSON lines).

    The job of each file is named by its path relative to ``sql_dir``. Every file gets an event,
    failed ones too, so the output is complete even when the share rule then fails the task.
    """
    folder = Path(sql_dir)
    files = sql_files(folder, pattern)
    if not files:
        raise LineageError(f"no file matches '{pattern}' under {folder}")
    root = str(folder.resolve())
    summary = ScanSummary()
    real_dirs: dict[str, str] = {}
    namer = _Namer(settings)

    def events() -> Iterator[dict[str, Any]]:
        for path in files:
            job_name = path.relative_to(folder).as_posix()
            result = scan_file(str(path), job_name, root, settings, real_dirs, namer)
            summary.files += 1
            summary.statements += result.statements
            summary.failed_statements += result.failed_statements
            summary.column_lineage_withheld += result.column_lineage_withheld
            if result.problems:
                summary.failures.append(FileFailure(job_name, result.problems))
            yield result.event

    write_jsonl(events(), output_path)
    return summary
