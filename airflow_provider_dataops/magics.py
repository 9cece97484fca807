"""IPython extension: ``%stackql`` / ``%%stackql``, the seed's Jupyter magic on the provider's code.

``%load_ext airflow_provider_dataops.magics``, then::

    %stackql [--conn CONN_ID | --dsn DSN] [--no-display] [-o VAR] QUERY
    %%stackql [options]
    QUERY ...

``$name`` / ``${name}`` come from the notebook namespace through
:func:`airflow_provider_dataops.stackql.expand`, escaped for StackQL's lexer (``#``, ``--``,
``//`` and ``/* */`` comments; backslash escapes in strings). The magic is
``@no_var_expand``, so IPython's own ``{var}`` / ``$var`` rewriting never touches the query.
Without ``--conn`` / ``--dsn``: the ``stackql_default`` Airflow connection when Airflow is
configured, else ``$STACKQL_DSN``, else ``localhost:5444``. Errors print one line.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand

from airflow_provider_dataops.stackql import (
    StackQLConnectionError,
    StackQLTemplateError,
    columns_from_rows,
    connect,
    expand,
    fetch,
    to_dataframe,
)

RESULT_NAME = "stackql_df"
DEFAULT_CONN_ID = "stackql_default"
FALLBACK_DSN = "host=localhost port=5444 user=stackql dbname=stackql"
_OPTION = re.compile(
    r"""\s*(?:(?P<flag>--no-display)(?=\s|$)|(?P<opt>--conn|--dsn|-o|--output)(?:=|\s+)(?P<value>"[^"]*"|'[^']*'|\S+))"""
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class MagicUsageError(ValueError):
    """The magic's options are wrong."""


@dataclass
class Options:
    conn: str | None = None
    dsn: str | None = None
    output: str | None = None
    display: bool = True


def parse_line(line: str) -> tuple[Options, str]:
    """Leading options of the magic line, and the rest verbatim (the query, for ``%stackql``)."""
    options = Options()
    pos = 0
    while match := _OPTION.match(line, pos):
        pos = match.end()
        if match.group("flag"):
            options.display = False
            continue
        value = match.group("value")
        if value[:1] in "\"'" and value[-1:] == value[:1]:
            value = value[1:-1]
        name = match.group("opt")
        if name == "--conn":
            options.conn = value
        elif name == "--dsn":
            options.dsn = value
        else:
            if not _IDENTIFIER.match(value):
                raise MagicUsageError(f"-o needs a Python variable name, not {value!r}")
            options.output = value
    rest = line[pos:]
    if rest.lstrip().startswith("-") and not rest.lstrip().startswith("--"):
        raise MagicUsageError(
            f"unknown option {rest.split()[0]!r} (options: --conn, --dsn, --no-display, -o VAR)"
        )
    if options.conn and options.dsn:
        raise MagicUsageError("give either --conn or --dsn, not both")
    return options, rest.strip()


def _airflow_configured() -> bool:
    home = os.environ.get("AIRFLOW_HOME") or str(Path.home() / "airflow")
    return (
        f"AIRFLOW_CONN_{DEFAULT_CONN_ID.upper()}" in os.environ
        or "AIRFLOW__CORE__SQL_ALCHEMY_CONN" in os.environ
        or "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in os.environ
        or Path(home, "airflow.cfg").is_file()
    )


def open_connection(options: Options) -> Any:
    """A psycopg2 connection for the options (see the module docstring for the default)."""
    if options.dsn:
        return connect(dsn=options.dsn)
    if options.conn:
        conn = airflow_connection(options.conn)
        if conn is None:
            raise MagicUsageError(f"Airflow connection {options.conn!r} is not defined")
        return _connect_airflow(conn)
    if _airflow_configured():
        conn = airflow_connection(DEFAULT_CONN_ID)
        if conn is not None:
            return _connect_airflow(conn)
    return connect(dsn=os.environ.get("STACKQL_DSN") or FALLBACK_DSN)


def airflow_connection(conn_id: str) -> Any:
    """The Airflow connection ``conn_id``, or ``None``.

    Outside a task the Task SDK sees only environment variables and secrets backends, so the
    metadata DB (where ``airflow connections add`` puts them) is read through the core model.
    """
    from airflow_provider_dataops.hooks.stackql import StackQLHook

    with suppress(Exception):  # not visible to the SDK: try the metadata DB next
        return StackQLHook(stackql_conn_id=conn_id).get_connection(conn_id)
    try:
        from airflow.models.connection import Connection

        return Connection.get_connection_from_secrets(conn_id)
    except Exception:  # not defined anywhere (or no metadata DB)
        return None


def _connect_airflow(conn: Any) -> Any:
    from airflow_provider_dataops.hooks.stackql import connect_kwargs

    return connect(**connect_kwargs(conn))


_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    MagicUsageError,
    StackQLTemplateError,
    StackQLConnectionError,
    ValueError,
)


@magics_class
class StackQLMagics(Magics):
    """``%stackql`` / ``%%stackql``; the result DataFrame is returned and stored as ``stackql_df``."""

    @no_var_expand
    @line_cell_magic
    def stackql(self, line: str, cell: str | None = None) -> Any:
        import psycopg2

        try:
            options, query = parse_line(line)
            if cell is not None:
                query = cell.strip()
            if not query:
                raise MagicUsageError("no query given")
            sql = expand(query, self.shell.user_ns if self.shell is not None else {})
            with closing(open_connection(options)) as connection:
                rows, description = fetch(connection, sql)
            frame = to_dataframe(columns_from_rows(rows, description))
        except (
            MagicUsageError,
            StackQLTemplateError,
            StackQLConnectionError,
            psycopg2.Error,
            ValueError,
        ) as err:
            print(f"stackql: {_one_line(err)}", file=sys.stderr)
            return None
        if self.shell is not None:
            self.shell.user_ns[RESULT_NAME] = frame
            if options.output:
                self.shell.user_ns[options.output] = frame
        return frame if options.display else None


def _one_line(err: BaseException) -> str:
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    return lines[0] if lines else type(err).__name__


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(StackQLMagics)
