"""Real loads through the real Snowflake connector against the fakesnow server (DuckDB underneath).

fakesnow gaps these tests work around, each proven elsewhere on sqlglot's AST
(tests/unit/snowflake/test_parquet_plan.py): no DROP STAGE (internal stages here are temporary
and go with the session, so the runner never drops them), identifier case not enforced, hostile
column names cannot load (fakesnow rewrites ``$1:"col"`` into an unquoted DuckDB name), a
``$1:"col"`` missing from one file raises where Snowflake gives NULL. The fakesnow server also
returns a NULL timestamp as the epoch, so nulls are checked with ``IS NULL``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.snowflake.load import SnowflakeLoadError, run_plan
from airflow_provider_dataops.snowflake.parquet import plan_load
from tests.fixtures.snowflake import all_types_table, connect, query

pytestmark = pytest.mark.integration


def _load(kwargs: dict[str, Any], source: Any, **plan_kwargs: Any) -> list[dict[str, Any]]:
    plan = plan_load(source, database=kwargs["database"], schema=kwargs["schema"], **plan_kwargs)
    conn = connect(kwargs)
    try:
        return run_plan(conn, plan)
    finally:
        conn.close()


def test_every_supported_type_round_trips_through_put_and_copy_with_the_projection(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    table = all_types_table()
    path = write_parquet("types/all_types.parquet", table)
    results = _load(snowflake_db, str(path))
    assert [(r["status"], r["rows_loaded"]) for r in results] == [("LOADED", 2)]

    names = table.schema.names
    quoted = ", ".join(f'"{n}"' for n in names)
    db = snowflake_db["database"]
    rows = query(snowflake_db, f'SELECT {quoted} FROM "{db}"."PUBLIC"."ALL_TYPES" ORDER BY "i8" NULLS LAST')
    assert len(rows) == 2
    loaded = dict(zip(names, rows[0], strict=True))
    source = table.slice(0, 1).to_pylist()[0]
    for name in names:
        got, want = loaded[name], source[name]
        if name in ("items", "obj"):
            assert json.loads(got) == want, name  # ARRAY / OBJECT come back as JSON text
        elif name == "ts_tz":
            assert got == want, name  # same instant (TIMESTAMP_LTZ)
        elif name in ("bin", "fixed"):
            assert bytes(got) == want, name
        else:
            assert got == want, name
    nulls = query(
        snowflake_db,
        "SELECT "
        + ", ".join(f'COUNT_IF("{n}" IS NULL)' for n in names)
        + f' FROM "{db}"."PUBLIC"."ALL_TYPES"',
    )[0]
    assert dict(zip(names, nulls, strict=True)) == dict.fromkeys(names, 1)


def test_rerun_on_a_new_session_loads_nothing_twice(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("sales/part-0.parquet", {"id": [1, 2, 3]})
    write_parquet("sales/part-1.parquet", {"id": [4, 5]})
    db = snowflake_db["database"]
    first = _load(snowflake_db, str(tmp_path / "sales"))
    assert sorted((r["status"], r["rows_loaded"]) for r in first) == [("LOADED", 2), ("LOADED", 3)]
    second = _load(snowflake_db, str(tmp_path / "sales"))
    assert {r["status"] for r in second} == {"LOAD_SKIPPED"}
    assert sum(r["rows_loaded"] for r in second) == 0
    assert query(snowflake_db, f'SELECT COUNT(*), SUM("id") FROM "{db}"."PUBLIC"."SALES"') == [(5, 15)]


class _SwapEmulatingCursor:
    """fakesnow 0.12 cannot parse ``ALTER TABLE a SWAP WITH b``; run it as three renames.

    This patches the peer, not our code: the statement itself is proven on sqlglot's AST in
    tests/unit/snowflake/test_parquet_plan.py::test_replace_loads_a_new_table_and_swaps_it_in_after_the_copies.
    """

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.swaps: list[str] = []

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        import sqlglot
        from sqlglot import exp

        if " SWAP WITH " in sql:
            node = sqlglot.parse_one(sql, read="snowflake")
            [action] = node.args["actions"]
            assert isinstance(action, exp.SwapTable)
            a, b = node.this, action.this
            spare = a.copy()
            spare.set("this", exp.to_identifier(f"{a.name}_SPARE", quoted=True))
            for old, new in ((a, spare), (b, a), (spare, b)):
                self._cursor.execute(
                    f"ALTER TABLE {old.sql('snowflake')} RENAME TO {new.this.sql('snowflake')}"
                )
            self.swaps.append(sql)
            return self
        return self._cursor.execute(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class _SwapEmulatingConnection:
    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.cursors: list[_SwapEmulatingCursor] = []

    def cursor(self) -> _SwapEmulatingCursor:
        self.cursors.append(_SwapEmulatingCursor(self._conn.cursor()))
        return self.cursors[-1]


def _tables(kwargs: dict[str, Any]) -> set[str]:
    db = kwargs["database"]
    return {r[0] for r in query(kwargs, f'SELECT TABLE_NAME FROM "{db}".INFORMATION_SCHEMA.TABLES')}


def test_replace_loads_a_new_table_and_swaps_it_in_dropping_the_old_one(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    db = snowflake_db["database"]
    _load(snowflake_db, str(write_parquet("t/dim_x.parquet", {"id": [1, 2, 3]})))
    path = write_parquet("u/dim_x.parquet", {"id": [10, 20], "label": ["a", "b"]})
    plan = plan_load(str(path), database=db, schema="PUBLIC", if_exists="replace")
    conn = connect(snowflake_db)
    try:
        wrapped = _SwapEmulatingConnection(conn)
        again = run_plan(wrapped, plan)
    finally:
        conn.close()
    assert [r["status"] for r in again] == ["LOADED"]
    assert [len(c.swaps) for c in wrapped.cursors] == [1]
    assert query(snowflake_db, f'SELECT "id", "label" FROM "{db}"."PUBLIC"."DIM_X" ORDER BY 1') == [
        (10, "a"),
        (20, "b"),
    ]
    assert _tables(snowflake_db) == {"DIM_X"}  # the new table took the name; the old one is dropped


def test_replace_whose_copy_fails_leaves_the_old_table_untouched(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    # Before: CREATE OR REPLACE TABLE ran first, so a failed COPY left the table empty (3 -> 0).
    db = snowflake_db["database"]
    _load(snowflake_db, str(write_parquet("t/dim_y.parquet", {"code": [1, 2, 3]})))
    assert query(snowflake_db, f'SELECT COUNT(*) FROM "{db}"."PUBLIC"."DIM_Y"') == [(3,)]
    bad = write_parquet("u/dim_y.parquet", {"code": ["not a number"]})
    with pytest.raises(SnowflakeLoadError) as err:
        _load(snowflake_db, str(bad), if_exists="replace", type_overrides={"code": "NUMBER(10,0)"})
    assert query(snowflake_db, f'SELECT SUM("code"), COUNT(*) FROM "{db}"."PUBLIC"."DIM_Y"') == [(6, 3)]
    assert _tables(snowflake_db) == {"DIM_Y"}  # the half-loaded new table was dropped
    assert str(err.value).startswith(f"COPY INTO {db}.PUBLIC.DIM_Y from {bad} failed: ")


def test_a_copy_that_fails_raises_one_line_naming_file_table_and_snowflakes_first_line(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    path = write_parquet("t/bad_values.parquet", {"code": ["not a number"]})
    db = snowflake_db["database"]
    with caplog.at_level("ERROR"), pytest.raises(SnowflakeLoadError) as err:
        _load(snowflake_db, str(path), type_overrides={"code": "NUMBER(10,0)"})
    message = str(err.value)
    # Before: the whole engine text (the failing DuckDB statement, a caret line, ...) was the error.
    assert len(message.splitlines()) == 1
    assert message.startswith(f"COPY INTO {db}.PUBLIC.BAD_VALUES from {path} failed: ")
    assert "not a number" in message
    assert len(message) < 400
    cause = str(err.value.__cause__)
    assert len(cause.splitlines()) > 1  # fakesnow's error really is many lines ...
    assert cause in caplog.text  # ... and all of it is in the log
    assert query(snowflake_db, f'SELECT COUNT(*) FROM "{db}"."PUBLIC"."BAD_VALUES"') == [(0,)]


def test_if_exists_fail_names_the_existing_tables_and_changes_nothing(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("dim/calendar.parquet", {"day": [1]})
    write_parquet("dim/product.parquet", {"sku": ["a"]})
    db = snowflake_db["database"]
    conn = connect(snowflake_db)
    try:
        conn.cursor().execute(f'CREATE TABLE "{db}"."PUBLIC"."PRODUCT" ("sku" VARCHAR)')
    finally:
        conn.close()
    with pytest.raises(
        SnowflakeLoadError, match=rf"these tables exist: {db}\.PUBLIC\.PRODUCT; nothing was changed"
    ):
        _load(snowflake_db, str(tmp_path / "dim" / "*.parquet"), if_exists="fail")
    tables = {
        row[0] for row in query(snowflake_db, f'SELECT TABLE_NAME FROM "{db}".INFORMATION_SCHEMA.TABLES')
    }
    assert "CALENDAR" not in tables
    assert query(snowflake_db, f'SELECT COUNT(*) FROM "{db}"."PUBLIC"."PRODUCT"') == [(0,)]


def test_part_files_in_partition_subfolders_keep_their_paths_in_the_stage_and_all_load(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("events/year=2024/part-0.parquet", {"id": [1, 2]})
    write_parquet("events/year=2025/part-0.parquet", {"id": [3]})
    results = _load(snowflake_db, str(tmp_path / "events"))
    assert sorted((r["file"].split("/", 1)[1], r["rows_loaded"]) for r in results) == [
        ("year=2024/part-0.parquet", 2),
        ("year=2025/part-0.parquet", 1),
    ]
    db = snowflake_db["database"]
    assert query(snowflake_db, f'SELECT SUM("id") FROM "{db}"."PUBLIC"."EVENTS"') == [(6,)]


def test_local_files_with_glob_characters_each_load_exactly_their_own_rows(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    # The fakesnow server hands PUT back to the real connector, whose file transfer agent globs
    # the local path (_expand_filenames): before, `*.parquet` also uploaded the Spark side file
    # `_tmp.parquet` the plan skips, and its rows were loaded. (`?`, `[`, `#` are refused: the
    # fakesnow server, like a URI parser, reads `?` as a query and `file://[a]` as an IPv6 host.)
    write_parquet("g/*.parquet", {"id": [1]})
    write_parquet("g/real.parquet", {"id": [100]})
    write_parquet("g/_tmp.parquet", {"id": [10000]})
    results = _load(snowflake_db, str(tmp_path / "g"))
    assert sorted((r["file"].split("/", 1)[1], r["rows_loaded"]) for r in results) == [
        ("*.parquet", 1),
        ("real.parquet", 1),
    ]
    db = snowflake_db["database"]
    assert query(snowflake_db, f'SELECT COUNT(*), SUM("id") FROM "{db}"."PUBLIC"."G"') == [(2, 101)]


def test_the_load_history_query_finds_what_fakesnow_loaded(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    # Snowflake's COPY omits files skipped as loaded before, so the runner falls back to the
    # table's LOAD_HISTORY; this proves the query and the name matching against a real one.
    from airflow_provider_dataops.snowflake.load import _history_loaded, unloaded_files

    write_parquet("hist/part-0.parquet", {"id": [1]})
    write_parquet("hist/year=2024/part-1.parquet", {"id": [2]})
    _load(snowflake_db, str(tmp_path / "hist"))
    [table] = plan_load(str(tmp_path / "hist"), database=snowflake_db["database"], schema="PUBLIC").tables
    conn = connect(snowflake_db)
    try:
        history = _history_loaded(conn.cursor(), table)
    finally:
        conn.close()
    assert len(history) == 2
    assert unloaded_files(table, [], history) == []
    assert len(unloaded_files(table, [], history[:1])) == 1


def _stages(kwargs: dict[str, Any]) -> dict[str, str]:
    db = kwargs["database"]
    rows = query(kwargs, f'SHOW STAGES IN SCHEMA "{db}"."PUBLIC"')
    return {r[1]: r[10] for r in rows}  # name -> type


def test_a_users_own_stage_named_like_the_old_temporary_stage_survives_the_load(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    # Before: CREATE OR REPLACE TEMPORARY STAGE "SALES_STAGE" replaced the user's stage and its files.
    db = snowflake_db["database"]
    mine = write_parquet("mine/keep.parquet", {"x": [1]})
    conn = connect(snowflake_db)
    try:
        cur = conn.cursor()
        cur.execute(f'CREATE STAGE "{db}"."PUBLIC"."SALES_STAGE"')
        cur.execute(f'PUT \'file://{mine}\' @"{db}"."PUBLIC"."SALES_STAGE" AUTO_COMPRESS=FALSE')
    finally:
        conn.close()
    write_parquet("sales/part-0.parquet", {"id": [1, 2]})
    assert [r["rows_loaded"] for r in _load(snowflake_db, str(tmp_path / "sales"))] == [2]
    assert _stages(snowflake_db)["SALES_STAGE"] == "INTERNAL"
    listed = query(snowflake_db, f'LIST @"{db}"."PUBLIC"."SALES_STAGE"')
    assert [r[0] for r in listed] == ["sales_stage/keep.parquet"]


def test_a_permanent_stage_of_this_packages_name_is_refused_and_nothing_changes(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    db = snowflake_db["database"]
    path = write_parquet("orders/part-0.parquet", {"id": [1]})
    [table] = plan_load(str(path.parent), database=db, schema="PUBLIC").tables
    name = table.stage.rsplit(".", 1)[-1].strip('"')
    conn = connect(snowflake_db)
    try:
        conn.cursor().execute(f"CREATE STAGE {table.stage}")
    finally:
        conn.close()
    with pytest.raises(
        SnowflakeLoadError, match=r"already exists \(INTERNAL\) and was not created by this load"
    ):
        _load(snowflake_db, str(path.parent))
    assert _stages(snowflake_db)[name] == "INTERNAL"
    assert "ORDERS" not in _tables(snowflake_db)


def test_a_failing_check_query_is_one_line_too(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    path = write_parquet("t/orders.parquet", {"id": [1]})
    plan = plan_load(str(path), database="NO_SUCH_DB", schema="PUBLIC")
    conn = connect(snowflake_db)
    try:
        with caplog.at_level("ERROR"), pytest.raises(SnowflakeLoadError) as err:
            run_plan(conn, plan)
    finally:
        conn.close()
    assert str(err.value).startswith("Snowflake load failed: ")
    assert len(str(err.value).splitlines()) == 1
    assert str(err.value.__cause__) in caplog.text
