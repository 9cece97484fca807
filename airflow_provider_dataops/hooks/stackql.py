"""Hook for a StackQL server, reached over the PostgreSQL wire protocol with psycopg2."""

from __future__ import annotations

from typing import Any

from airflow.providers.common.sql.hooks.sql import DbApiHook

DEFAULT_PORT = 5444
DEFAULT_CONNECT_TIMEOUT = 10


class StackQLHook(DbApiHook):
    """Run StackQL queries through psycopg2 with autocommit (StackQL's BEGIN/COMMIT are no-ops)."""

    conn_name_attr = "stackql_conn_id"
    default_conn_name = "stackql_default"
    conn_type = "stackql"
    hook_name = "StackQL"
    supports_autocommit = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if args:
            self.stackql_conn_id = args[0]

    def get_conn(self) -> Any:
        import psycopg2

        conn = self.get_connection(getattr(self, self.conn_name_attr))
        extra = conn.extra_dejson
        kwargs: dict[str, Any] = {
            "host": conn.host or "localhost",
            "port": int(conn.port or DEFAULT_PORT),
            "user": conn.login or "stackql",
            "dbname": conn.schema or "stackql",
            "connect_timeout": int(extra.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT),
        }
        for key in ("sslmode", "sslcert", "sslkey", "sslrootcert"):
            if extra.get(key):
                kwargs[key] = extra[key]
        connection = psycopg2.connect(**kwargs)
        connection.autocommit = True
        return connection
