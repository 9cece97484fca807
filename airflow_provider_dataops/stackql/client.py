"""psycopg2 access to a StackQL server without Airflow (used by the hook and the magic)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import Any

from airflow_provider_dataops.stackql.results import gc_paused

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 5444
DEFAULT_CONNECT_TIMEOUT = 10
# StackQL has no statement_timeout; TCP keepalives at least notice a peer that vanished.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class StackQLConnectionError(ConnectionError):
    """The StackQL server at host:port is down, refused us, or accepted but never answered."""


def connect(**kwargs: Any) -> Any:
    """psycopg2 connection in autocommit; connection failures name host:port in one line.

    ``kwargs`` are libpq keywords (``dsn=`` may carry a connection string).
    """
    import psycopg2
    from psycopg2.extensions import parse_dsn

    params = {**parse_dsn(kwargs.pop("dsn")), **kwargs} if "dsn" in kwargs else dict(kwargs)
    params.setdefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    for key, value in KEEPALIVES.items():
        params.setdefault(key, value)
    try:
        connection = psycopg2.connect(**params)
    except psycopg2.OperationalError as err:
        where = f"{params.get('host', DEFAULT_HOST)}:{params.get('port', DEFAULT_PORT)}"
        reason = " ".join(str(err).split()) or type(err).__name__
        if "timeout expired" in reason:
            reason = f"no answer within {params['connect_timeout']} s ({reason})"
        raise StackQLConnectionError(f"cannot connect to the StackQL server at {where}: {reason}") from err
    connection.autocommit = True
    return connection


def numeric_as_text_cursor(connection: Any) -> Any:
    """A cursor that returns ``numeric`` values as their text (cheaper than Decimal; typed later)."""
    import psycopg2.extensions

    numeric_as_text = psycopg2.extensions.new_type((1700,), "STACKQL_NUMERIC", lambda value, _cur: value)
    cursor = connection.cursor()
    psycopg2.extensions.register_type(numeric_as_text, cursor)
    return cursor


def fetch(
    connection: Any, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
) -> tuple[list[tuple[Any, ...]], Any]:
    """Rows and ``cursor.description`` of ``sql`` (``[]``, ``None`` for a statement with no result set)."""
    with closing(numeric_as_text_cursor(connection)) as cur:
        cur.execute(sql, parameters or None)
        description = cur.description
        if description is None:
            return [], None
        with gc_paused():
            return cur.fetchall(), description
