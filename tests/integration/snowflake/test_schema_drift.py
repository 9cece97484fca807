"""Appends into a table whose columns differ from the files', on the fakesnow server.

fakesnow runs ``DESCRIBE TABLE``, ``ALTER TABLE ... ADD COLUMN`` and ``ALTER COLUMN ... SET DATA
TYPE``, so every mode is run for real here; it reports a ``TIMESTAMP_LTZ`` column as
``TIMESTAMP_TZ`` and ignores timestamp precision (the planner accepts both, see
``snowflake/drift.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from airflow_provider_dataops.snowflake.load import SnowflakeLoadError, fit_existing_tables, run_plan
from airflow_provider_dataops.snowflake.parquet import plan_load
from tests.fixtures.snowflake import connect, query

pytestmark = pytest.mark.integration


def _load(kwargs: dict[str, Any], source: Path, mode: str = "append_new_columns") -> list[dict[str, Any]]:
    plan = plan_load(str(source), table="SALES", database=kwargs["database"], schema=kwargs["schema"])
    conn = connect(kwargs)
    try:
        return run_plan(conn, plan, on_schema_change=mode)
    finally:
        conn.close()


def _columns(kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    db, schema = kwargs["database"], kwargs["schema"]
    return [(r[0], r[1]) for r in query(kwargs, f'DESCRIBE TABLE "{db}"."{schema}"."SALES"')]


def _rows(kwargs: dict[str, Any], columns: str) -> list[tuple[Any, ...]]:
    db, schema = kwargs["database"], kwargs["schema"]
    return query(kwargs, f'SELECT {columns} FROM "{db}"."{schema}"."SALES" ORDER BY "id"')


DAY_1 = {"id": pa.array([1, 2], pa.int64()), "amount": pa.array([10, 20], pa.int64())}
DAY_2 = {
    "id": pa.array([3], pa.int64()),
    "amount": pa.array([30], pa.int64()),
    "region": pa.array(["emea"], pa.string()),
}


def test_day_2_file_gaining_a_column_adds_it_and_loads_old_and_new_rows(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    _load(snowflake_db, write_parquet("sales_day1.parquet", DAY_1))
    results = _load(snowflake_db, write_parquet("sales_day2.parquet", DAY_2))

    assert [(r["status"], r["rows_loaded"]) for r in results] == [("LOADED", 1)]
    assert [name for name, _type in _columns(snowflake_db)] == ["id", "amount", "region"]
    assert _rows(snowflake_db, '"id", "amount", "region"') == [(1, 10, None), (2, 20, None), (3, 30, "emea")]


def test_fail_mode_stops_before_anything_changes_naming_table_and_column(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    _load(snowflake_db, write_parquet("sales_day1.parquet", DAY_1))
    before = _columns(snowflake_db)

    with pytest.raises(SnowflakeLoadError, match=r"SALES.*only in the files: 'region'"):
        _load(snowflake_db, write_parquet("sales_day2.parquet", DAY_2), mode="fail")

    assert _columns(snowflake_db) == before
    assert _rows(snowflake_db, '"id"') == [(1,), (2,)]


def test_ignore_mode_leaves_the_new_column_out_and_loads_the_rest(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    _load(snowflake_db, write_parquet("sales_day1.parquet", DAY_1))
    _load(snowflake_db, write_parquet("sales_day2.parquet", DAY_2), mode="ignore")

    assert [name for name, _type in _columns(snowflake_db)] == ["id", "amount"]
    assert _rows(snowflake_db, '"id", "amount"') == [(1, 10), (2, 20), (3, 30)]


def test_a_column_dropped_upstream_loads_as_null(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    _load(snowflake_db, write_parquet("sales_day1.parquet", DAY_1))
    _load(snowflake_db, write_parquet("sales_day2.parquet", {"id": pa.array([3], pa.int64())}))

    assert _rows(snowflake_db, '"id", "amount"') == [(1, 10), (2, 20), (3, None)]


def test_a_wider_decimal_widens_the_column_and_a_scale_change_is_refused_leaving_table_and_rows(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    import decimal

    def money(precision: int, scale: int, value: str) -> dict[str, Any]:
        return {
            "id": pa.array([int(value.split(".")[0])], pa.int64()),
            "price": pa.array([decimal.Decimal(value)], pa.decimal128(precision, scale)),
        }

    _load(snowflake_db, write_parquet("sales_day1.parquet", money(10, 2, "1.25")))
    _load(snowflake_db, write_parquet("sales_day2.parquet", money(20, 2, "2.50")))
    assert ("price", "NUMBER(20,2)") in _columns(snowflake_db)
    before = _columns(snowflake_db)

    with pytest.raises(SnowflakeLoadError, match=r"'price' is NUMBER\(20,2\).*NUMBER\(20,4\).*scale"):
        _load(snowflake_db, write_parquet("sales_day3.parquet", money(20, 4, "3.1234")))

    assert _columns(snowflake_db) == before
    assert _rows(snowflake_db, '"id", "price"') == [
        (1, decimal.Decimal("1.25")),
        (2, decimal.Decimal("2.50")),
    ]


def test_parquet_names_match_a_table_created_with_unquoted_names(
    snowflake_db: dict[str, Any], write_parquet: Callable[..., Path]
) -> None:
    db, schema = snowflake_db["database"], snowflake_db["schema"]
    query(snowflake_db, f'CREATE TABLE "{db}"."{schema}"."SALES" (ID NUMBER(38,0), AMOUNT NUMBER(38,0))')
    plan = plan_load(
        str(write_parquet("sales.parquet", {"Id": pa.array([7], pa.int64()), "Amount": pa.array([70])})),
        table="SALES",
        database=db,
        schema=schema,
    )
    conn = connect(snowflake_db)
    try:
        fitted, changes = fit_existing_tables(conn.cursor(), plan)
        run_plan(conn, fitted, on_schema_change=None)
    finally:
        conn.close()

    assert changes[0].case_matched == (("Id", "ID"), ("Amount", "AMOUNT"))
    assert changes[0].statements == ()
    assert 'COPY INTO "' + db + '"."' + schema + '"."SALES" ("ID", "AMOUNT")' in fitted.tables[0].copies[0]
    assert [name for name, _type in _columns(snowflake_db)] == ["ID", "AMOUNT"]
    assert query(snowflake_db, f'SELECT ID, AMOUNT FROM "{db}"."{schema}"."SALES"') == [(7, 70)]
