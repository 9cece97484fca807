"""Hook for a StackQL server, reached over the PostgreSQL wire protocol with psycopg2."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import TYPE_CHECKING, Any, Literal

from airflow.providers.common.sql.hooks.sql import DbApiHook

from airflow_provider_dataops.stackql import StackQLConnectionError, StackQLTemplateError, connect
from airflow_provider_dataops.stackql import expand as _expand
from airflow_provider_dataops.stackql.client import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_HOST,
    DEFAULT_PORT,
    KEEPALIVES,
    numeric_as_text_cursor,
)
from airflow_provider_dataops.stackql.results import gc_paused
from airflow_provider_dataops.stackql.template import Dialect

if TYPE_CHECKING:
    from airflow.sdk import Connection

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_PORT",
    "StackQLConnectionError",
    "StackQLHook",
    "StackQLTemplateError",
]

SSL_EXTRAS = ("sslmode", "sslcert", "sslkey", "sslrootcert")


def connect_kwargs(conn: Connection) -> dict[str, Any]:
    """libpq keywords for an Airflow ``stackql`` connection (no password: StackQL uses mTLS)."""
    extra = conn.extra_dejson
    try:
        timeout = int(extra.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT)
    except (TypeError, ValueError):
        value = extra["connect_timeout"]
        raise ValueError(
            f"connection {conn.conn_id!r}: connect_timeout must be whole seconds, not {value!r}"
        ) from None
    kwargs: dict[str, Any] = {
        "host": conn.host or DEFAULT_HOST,
        "port": int(conn.port or DEFAULT_PORT),
        "user": conn.login or "stackql",
        "dbname": conn.schema or "stackql",
        "connect_timeout": timeout,
        **KEEPALIVES,
    }
    for key in SSL_EXTRAS:
        if extra.get(key):
            kwargs[key] = extra[key]
    return kwargs


class StackQLHook(DbApiHook):
    """Run StackQL queries through psycopg2 with autocommit (StackQL's BEGIN/COMMIT are no-ops).

    Connection: host (default localhost), port (default 5444); extras ``sslmode``,
    ``sslcert``, ``sslkey``, ``sslrootcert`` go to libpq for StackQL's mTLS, and
    ``connect_timeout`` (default 10 s) bounds the connection start-up, including a server that
    accepts the TCP connection but never answers.
    """

    conn_name_attr = "stackql_conn_id"
    default_conn_name = "stackql_default"
    conn_type = "stackql"
    hook_name = "StackQL"
    supports_autocommit = True

    def get_conn(self) -> Any:
        conn = self.get_connection(self.get_conn_id())
        return connect(**connect_kwargs(conn))

    def set_autocommit(self, conn: Any, autocommit: bool) -> None:
        """Keep autocommit on whatever is asked: StackQL has no transactions."""
        conn.autocommit = True

    def get_autocommit(self, conn: Any) -> bool:
        return True

    @staticmethod
    def expand(query: str, variables: Mapping[str, Any], *, dialect: Dialect = "stackql") -> str:
        """The seed's ``$name`` / ``${name}`` expansion, made safe for ``dialect``.

        ``dialect="stackql"`` (the default: this hook talks to StackQL) or ``"postgresql"``. See
        :mod:`airflow_provider_dataops.stackql.template`; prefer ``parameters=`` in new code.
        """
        return _expand(query, variables, dialect=dialect)

    def get_df(  # type: ignore[override]
        self,
        sql: str | list[str],
        parameters: list[Any] | tuple[Any, ...] | Mapping[str, Any] | None = None,
        *,
        df_type: Literal["pandas", "polars"] = "pandas",
        **kwargs: Any,
    ) -> Any:
        """Run ``sql`` (the last statement's result if a list) into a pandas or polars DataFrame.

        Columns are built from ``cursor.description``: text stays text, ``numeric`` becomes
        int64 / float64 where lossless. A statement with no result set gives an empty frame.
        """
        from airflow_provider_dataops.stackql import columns_from_rows, to_dataframe

        if df_type not in ("pandas", "polars"):
            raise ValueError(f"df_type must be 'pandas' or 'polars', not {df_type!r}")
        if kwargs:
            raise TypeError(f"StackQLHook.get_df takes no read_sql options, got {sorted(kwargs)}")
        rows, description = self.fetch_with_description(sql, parameters)
        return to_dataframe(columns_from_rows(rows, description), df_type)

    def fetch_with_description(
        self,
        sql: str | list[str],
        parameters: Sequence[Any] | Mapping[str, Any] | None = None,
    ) -> tuple[list[tuple[Any, ...]], Any]:
        """Rows and ``cursor.description`` of the last statement; ``numeric`` values arrive as text."""
        statements = [sql] if isinstance(sql, str) else list(sql)
        if not statements or not all(s.strip() for s in statements):
            raise ValueError("no SQL statement to run")
        with closing(self.get_conn()) as conn, closing(numeric_as_text_cursor(conn)) as cur:
            for statement in statements:
                self._run_command(cur, statement, parameters)
            description = cur.description
            if description is None:
                return [], None
            with gc_paused():
                rows = cur.fetchall()
        return rows, description
