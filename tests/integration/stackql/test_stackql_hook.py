"""StackQLHook against a real PostgreSQL server over TCP, standing in for a StackQL server."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest

from airflow_provider_dataops.hooks.stackql import StackQLConnectionError, StackQLHook, StackQLTemplateError
from tests.fixtures.peers import free_port
from tests.fixtures.stackql import stackql_conn_uri_json

QUERY = (
    "SELECT status, count(*)::numeric AS num_instances FROM instances "
    "WHERE zone = '$zone' GROUP BY status ORDER BY status"
)


def test_get_records_and_get_first(stackql_conn: Callable[..., str]) -> None:
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    sql = hook.expand(QUERY, {"zone": "australia-southeast1-a"})
    assert [(s, int(n)) for s, n in hook.get_records(sql)] == [("RUNNING", 4), ("TERMINATED", 1)]
    assert hook.get_first("SELECT name FROM instances ORDER BY id") == ("vm-1",)


def test_connection_is_autocommit_even_when_run_asks_otherwise(stackql_conn: Callable[..., str]) -> None:
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    hook.run("CREATE TABLE t (a text)", autocommit=False)
    hook.run("INSERT INTO t VALUES ('kept')", autocommit=False)
    assert hook.get_records("SELECT a FROM t") == [("kept",)]
    with closing(hook.get_conn()) as conn:
        assert conn.autocommit is True


def test_get_df_types_columns_from_the_description(stackql_conn: Callable[..., str]) -> None:
    df = StackQLHook(stackql_conn_id=stackql_conn()).get_df("SELECT * FROM instances ORDER BY id")
    assert list(df.columns) == ["name", "status", "zone", "id", "cpu_hours", "labels"]
    assert df.dtypes["id"] == "int64"
    assert df.dtypes["cpu_hours"] == "float64"
    assert df["labels"][0] == '{"n": 1}'
    assert df["cpu_hours"].tolist() == [1.5, 3.0, 4.5, 6.0, 7.5]


def test_get_df_text_columns_have_the_pandas_default_string_dtype(stackql_conn: Callable[..., str]) -> None:
    import pandas as pd

    hook = StackQLHook(stackql_conn_id=stackql_conn())
    df = hook.get_df(
        "SELECT name, status, labels, NULL::text AS missing, gen_random_uuid() AS u FROM instances"
    )
    default = pd.Series(["x"]).dtype  # pandas 3: str, i.e. StringDtype(na_value=nan)
    if int(pd.__version__.split(".")[0]) >= 3:
        assert default == pd.StringDtype(na_value=float("nan"))
    assert {name: df.dtypes[name] for name in df.columns} == dict.fromkeys(df.columns, default)
    plain = pd.DataFrame.from_records(
        hook.get_records("SELECT name, labels FROM instances"), columns=["name", "labels"]
    )
    assert (df.dtypes["name"], df.dtypes["labels"]) == (plain.dtypes["name"], plain.dtypes["labels"])
    assert df["missing"].isna().all()


def test_get_df_polars_with_parameters(stackql_conn: Callable[..., str]) -> None:
    import polars as pl

    df = StackQLHook(stackql_conn_id=stackql_conn()).get_df(
        "SELECT name, id FROM instances WHERE status = %s ORDER BY id",
        parameters=("TERMINATED",),
        df_type="polars",
    )
    assert df.schema == pl.Schema({"name": pl.String, "id": pl.Int64})
    assert df.rows() == [("vm-3", 3)]


def test_expanded_injection_attempt_matches_nothing(stackql_conn: Callable[..., str]) -> None:
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    sql = hook.expand("SELECT name FROM instances WHERE status = '$s'", {"s": "x' OR '1'='1"})
    assert hook.get_records(sql) == []


def test_empty_result_keeps_columns(stackql_conn: Callable[..., str]) -> None:
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    df = hook.get_df("SELECT name, id FROM instances WHERE false")
    assert list(df.columns) == ["name", "id"]
    assert df.empty
    assert hook.get_records("SELECT name FROM instances WHERE false") == []
    assert hook.get_first("SELECT name FROM instances WHERE false") is None


def test_statement_without_result_set_does_not_raise(stackql_conn: Callable[..., str]) -> None:
    """Like StackQL's ``REGISTRY PULL``: cursor.description is None."""
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    assert hook.run("SET application_name = 'registry_pull'") is None
    assert hook.get_records("SET application_name = 'x'") is None
    assert hook.get_first("SET application_name = 'x'") is None
    assert hook.get_df("SET application_name = 'x'").empty


def test_sql_error_names_the_problem(stackql_conn: Callable[..., str]) -> None:
    import psycopg2

    with pytest.raises(psycopg2.errors.UndefinedTable, match="no_such_table"):
        StackQLHook(stackql_conn_id=stackql_conn()).get_records("SELECT * FROM no_such_table")


def test_undefined_variable_raises_before_any_query() -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$project"):
        StackQLHook.expand("SELECT 1 WHERE p = '$project'", {})


def test_one_megabyte_text_cell_arrives_whole(stackql_conn: Callable[..., str]) -> None:
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    df = hook.get_df("SELECT repeat('x', 1048576) AS big, 1::numeric AS n")
    assert len(df["big"][0]) == 1048576
    assert df["n"][0] == 1


def test_unreachable_server_names_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    db = {"host": "127.0.0.1", "port": port, "user": "stackql", "dbname": "stackql"}
    monkeypatch.setenv("AIRFLOW_CONN_STACKQL_DOWN", stackql_conn_uri_json(db))
    with pytest.raises(StackQLConnectionError, match=rf"StackQL server at 127\.0\.0\.1:{port}: .*refused"):
        StackQLHook(stackql_conn_id="stackql_down").get_records("SELECT 1")


def test_silent_server_times_out_naming_host_and_port(
    silent_server: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = silent_server
    db = {"host": host, "port": port, "user": "stackql", "dbname": "stackql"}
    monkeypatch.setenv("AIRFLOW_CONN_STACKQL_SILENT", stackql_conn_uri_json(db, connect_timeout=2))
    started = time.monotonic()
    with pytest.raises(StackQLConnectionError, match=rf"{host}:{port}: no answer within 2 s"):
        StackQLHook(stackql_conn_id="stackql_silent").get_first("SELECT 1")
    assert time.monotonic() - started < 10


def test_default_connection_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_dataops.hooks.stackql import connect_kwargs

    monkeypatch.setenv("AIRFLOW_CONN_STACKQL_DEFAULT", '{"conn_type": "stackql"}')
    hook = StackQLHook()
    kwargs: dict[str, Any] = connect_kwargs(hook.get_connection(hook.get_conn_id()))
    assert (kwargs["host"], kwargs["port"], kwargs["connect_timeout"]) == ("localhost", 5444, 10)
    assert "sslmode" not in kwargs
    assert kwargs["keepalives"] == 1


def test_ssl_extras_reach_libpq(stackql_conn: Callable[..., str]) -> None:
    """sslmode=disable against a server that allows plain connections; libpq reports it back."""
    hook = StackQLHook(stackql_conn_id=stackql_conn(sslmode="disable", connect_timeout=3))
    with closing(hook.get_conn()) as conn:
        params = conn.get_dsn_parameters()
    assert params["sslmode"] == "disable"
    assert params["connect_timeout"] == "3"


def test_invalid_connect_timeout_is_a_clear_error(stackql_conn: Callable[..., str]) -> None:
    with pytest.raises(ValueError, match="connect_timeout must be whole seconds"):
        StackQLHook(stackql_conn_id=stackql_conn(connect_timeout="soon")).get_conn()


def test_get_df_refuses_options_it_would_ignore(stackql_conn: Callable[..., str]) -> None:
    hook = StackQLHook(stackql_conn_id=stackql_conn())
    with pytest.raises(TypeError, match="index_col"):
        hook.get_df("SELECT 1", index_col="x")
    with pytest.raises(ValueError, match="df_type"):
        hook.get_df("SELECT 1", df_type="arrow")  # type: ignore[arg-type]
