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
from tests.fixtures.snowflake import all_types_table

pytestmark = pytest.mark.integration


def _connect(kwargs: dict[str, Any]) -> Any:
    import snowflake.connector

    return snowflake.connector.connect(**kwargs)


def _query(kwargs: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    conn = _connect(kwargs)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return list(cur.fetchall())
    finally:
        conn.close()


def _load(kwargs: dict[str, Any], source: Any, **plan_kwargs: Any) -> list[dict[str, Any]]:
    plan = plan_load(source, database=kwargs["database"], schema=kwargs["schema"], **plan_kwargs)
    conn = _connect(kwargs)
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
    rows = _query(snowflake_db, f'SELECT {quoted} FROM "{db}"."PUBLIC"."ALL_TYPES" ORDER BY "i8" NULLS LAST')
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
    nulls = _query(
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
    assert _query(snowflake_db, f'SELECT COUNT(*), SUM("id") FROM "{db}"."PUBLIC"."SALES"') == [(5, 15)]


def test_replace_recreates_the_table_and_loads_again(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    path = write_parquet("t/dim_x.parquet", {"id": [1, 2]})
    db = snowflake_db["database"]
    _load(snowflake_db, str(path))
    again = _load(snowflake_db, str(path), if_exists="replace")
    assert [r["status"] for r in again] == ["LOADED"]
    assert _query(snowflake_db, f'SELECT COUNT(*) FROM "{db}"."PUBLIC"."DIM_X"') == [(2,)]


def test_a_copy_that_fails_raises_naming_the_table_and_snowflakes_reason(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    path = write_parquet("t/bad_values.parquet", {"code": ["not a number"]})
    with pytest.raises(SnowflakeLoadError, match=r"COPY INTO .*BAD_VALUES failed: .*not a number"):
        _load(snowflake_db, str(path), type_overrides={"code": "NUMBER(10,0)"})
    db = snowflake_db["database"]
    assert _query(snowflake_db, f'SELECT COUNT(*) FROM "{db}"."PUBLIC"."BAD_VALUES"') == [(0,)]


def test_if_exists_fail_names_the_existing_tables_and_changes_nothing(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("dim/calendar.parquet", {"day": [1]})
    write_parquet("dim/product.parquet", {"sku": ["a"]})
    db = snowflake_db["database"]
    conn = _connect(snowflake_db)
    try:
        conn.cursor().execute(f'CREATE TABLE "{db}"."PUBLIC"."PRODUCT" ("sku" VARCHAR)')
    finally:
        conn.close()
    with pytest.raises(
        SnowflakeLoadError, match=rf"these tables exist: {db}\.PUBLIC\.PRODUCT; nothing was changed"
    ):
        _load(snowflake_db, str(tmp_path / "dim" / "*.parquet"), if_exists="fail")
    tables = {
        row[0] for row in _query(snowflake_db, f'SELECT TABLE_NAME FROM "{db}".INFORMATION_SCHEMA.TABLES')
    }
    assert "CALENDAR" not in tables
    assert _query(snowflake_db, f'SELECT COUNT(*) FROM "{db}"."PUBLIC"."PRODUCT"') == [(0,)]


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
    assert _query(snowflake_db, f'SELECT SUM("id") FROM "{db}"."PUBLIC"."EVENTS"') == [(6,)]
