"""ParquetToSnowflakeOperator in a real Airflow DAG run (``dag.test()``), through the real SnowflakeHook.

Peer: fakesnow in patch mode. The fakesnow *server* cannot be reached by the hook: SnowflakeHook
passes no ``protocol`` to the connector (always https) and the server speaks http. So these tests
use ``fakesnow.patch()``, which swaps ``snowflake.connector.connect`` (the hook imports it at call
time) for DuckDB; everything of ours, the hook and Airflow run for real.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.snowflake import assert_splits_into, patched_snowflake

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[2] / "dags" / "data" / "parquet_to_snowflake"

DAG_SOURCE = """
from airflow.sdk import dag
from airflow_provider_dataops.operators.parquet_to_snowflake import ParquetToSnowflakeOperator

@dag(dag_id="{dag_id}", schedule=None)
def d():
    ParquetToSnowflakeOperator(
        task_id="load",
        source={source!r},
        database="DEMO",
        schema="PUBLIC",
        snowflake_conn_id="sf_test",
        **{kwargs!r},
    )

d()
"""


@pytest.fixture
def fake_snowflake(add_connection: Any) -> Iterator[Any]:
    with patched_snowflake(add_connection, "sf_test", "DEMO") as conn:
        yield conn


def _query(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    cur = conn.cursor()
    cur.execute(sql)
    return list(cur.fetchall())


def _run(run_dag: Any, dag_id: str, source: Any, **kwargs: Any) -> Any:
    return run_dag(DAG_SOURCE.format(dag_id=dag_id, source=source, kwargs=kwargs), dag_id)


def _return_value(run: Any) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(run_id=run.run_id, dag_ids=run.dag_id, task_ids="load", key="return_value")
        rows = session.scalars(query).all()
        assert len(rows) == 1
        return XComModel.deserialize_value(rows[0])


def _counts(conn: Any) -> dict[str, int]:
    return {
        t: _query(conn, f'SELECT COUNT(*) FROM DEMO.PUBLIC."{t}"')[0][0]
        for t in ("CALENDAR", "PRODUCT", "SALES")
    }


def test_dag_run_loads_dimension_files_and_a_fact_folder_and_a_rerun_adds_no_rows(
    run_dag: Any, fake_snowflake: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    sources = [str(data / "dim" / "*.parquet"), str(data / "fact" / "sales")]

    first = _run(run_dag, "p2s_first", sources)
    assert first.state == "success"
    assert _counts(fake_snowflake) == {"CALENDAR": 14, "PRODUCT": 3, "SALES": 10}
    loaded = _return_value(first)
    assert sorted((r["table"], r["status"], r["rows_loaded"]) for r in loaded) == [
        ("DEMO.PUBLIC.CALENDAR", "LOADED", 14),
        ("DEMO.PUBLIC.PRODUCT", "LOADED", 3),
        ("DEMO.PUBLIC.SALES", "LOADED", 5),
        ("DEMO.PUBLIC.SALES", "LOADED", 5),
    ]
    # Parquet's column case is kept; the values survive the projection.
    assert _query(fake_snowflake, 'SELECT SUM("Amount") FROM DEMO.PUBLIC."SALES"')[0][0] == (
        sum(10 + i for i in range(10)) + 10 * Decimal("0.25")
    )

    second = _run(run_dag, "p2s_second", sources)
    assert second.state == "success"
    assert _counts(fake_snowflake) == {"CALENDAR": 14, "PRODUCT": 3, "SALES": 10}
    assert {r["status"] for r in _return_value(second)} == {"LOAD_SKIPPED"}


def test_new_part_file_in_the_fact_folder_is_the_only_one_loaded_on_rerun(
    run_dag: Any, fake_snowflake: Any, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    sales = data / "fact" / "sales"
    assert _run(run_dag, "p2s_part_a", str(sales)).state == "success"
    part = pq.read_table(sales / "part-00000.snappy.parquet")
    pq.write_table(part.slice(0, 2), sales / "part-00002.snappy.parquet")

    run = _run(run_dag, "p2s_part_b", str(sales))
    assert run.state == "success"
    statuses = {r["file"].rsplit("/", 1)[-1]: (r["status"], r["rows_loaded"]) for r in _return_value(run)}
    assert statuses["part-00002.snappy.parquet"] == ("LOADED", 2)
    assert statuses["part-00000.snappy.parquet"][0] == "LOAD_SKIPPED"
    assert _query(fake_snowflake, 'SELECT COUNT(*) FROM DEMO.PUBLIC."SALES"')[0][0] == 12


def test_if_exists_fail_fails_the_task_and_changes_nothing(
    run_dag: Any, fake_snowflake: Any, tmp_path: Path
) -> None:
    fake_snowflake.cursor().execute('CREATE TABLE DEMO.PUBLIC."PRODUCT" ("x" INT)')
    run = _run(run_dag, "p2s_fail", str(DATA / "dim" / "*.parquet"), if_exists="fail")
    assert run.state == "failed"
    tables = {r[0] for r in _query(fake_snowflake, "SELECT TABLE_NAME FROM DEMO.INFORMATION_SCHEMA.TABLES")}
    assert "CALENDAR" not in tables
    assert _query(fake_snowflake, 'SELECT COUNT(*) FROM DEMO.PUBLIC."PRODUCT"')[0][0] == 0


def test_dry_run_writes_the_whole_script_and_creates_nothing(
    run_dag: Any, fake_snowflake: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "all_tables.sql"
    run = _run(run_dag, "p2s_dry", str(DATA / "dim" / "*.parquet"), dry_run=True, sql_output_path=str(out))
    assert run.state == "success"
    assert _return_value(run) == []
    script = out.read_text()
    assert script.count("CREATE TABLE IF NOT EXISTS") == 2
    assert script.count("COPY INTO") == 2
    from airflow_provider_dataops.snowflake.parquet import plan_load

    assert_splits_into(
        script, plan_load(str(DATA / "dim" / "*.parquet"), database="DEMO", schema="PUBLIC").statements
    )
    tables = {r[0] for r in _query(fake_snowflake, "SELECT TABLE_NAME FROM DEMO.INFORMATION_SCHEMA.TABLES")}
    assert not tables & {"CALENDAR", "PRODUCT"}


def test_openlineage_reports_each_input_file_with_its_schema_and_the_output_tables() -> None:
    from airflow_provider_dataops.operators.parquet_to_snowflake import ParquetToSnowflakeOperator

    op = ParquetToSnowflakeOperator(
        task_id="lineage", source=str(DATA / "fact" / "sales"), database="demo", schema="public"
    )
    lineage = op.get_openlineage_facets_on_complete(None)
    assert [(d.namespace, Path(d.name).name) for d in lineage.inputs] == [
        ("file", "part-00000.snappy.parquet"),
        ("file", "part-00001.snappy.parquet"),
    ]
    fields = {f.name: f.type for f in lineage.inputs[0].facets["schema"].fields}
    assert fields["Amount"] == "decimal128(12, 2)"
    assert fields["SoldAt"] == "timestamp[us, tz=UTC]"
    [output] = lineage.outputs
    assert output.namespace.startswith("snowflake://")
    assert output.name == "DEMO.PUBLIC.SALES"
    assert {f.name: f.type for f in output.facets["schema"].fields}["Amount"] == "NUMBER(12,2)"


def test_local_files_with_stage_url_plan_from_the_local_footers_and_load_from_the_bucket(
    run_dag: Any, fake_snowflake: Any, tmp_path: Path
) -> None:
    # The seed's workflow; dry run, because fakesnow has no external stages.
    out = tmp_path / "all_tables.sql"
    run = _run(
        run_dag,
        "p2s_seed_workflow",
        str(DATA / "dim" / "*.parquet"),
        stage_url="s3://my-bucket",
        storage_integration="my_storage_int",
        kms_key_id="4f715ec9-ee8e-44ab-b35d-8daf36c05f19",
        stage_base=str(DATA),
        dry_run=True,
        sql_output_path=str(out),
    )
    assert run.state == "success"
    script = out.read_text()
    assert "PUT " not in script
    assert script.count("URL='s3://my-bucket/' STORAGE_INTEGRATION=\"MY_STORAGE_INT\"") == 2
    assert "FILES=('dim/calendar.parquet')" in script
    assert "FILES=('dim/product.parquet')" in script


def _xcom(run: Any, key: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(run_id=run.run_id, dag_ids=run.dag_id, task_ids="load", key=key)
        (row,) = session.scalars(query).all()
        return XComModel.deserialize_value(row)


def test_a_day_2_column_is_in_the_dry_run_script_then_added_and_reported_in_xcom(
    run_dag: Any, fake_snowflake: Any, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    day1, day2 = tmp_path / "orders_1.parquet", tmp_path / "orders_2.parquet"
    pq.write_table(pa.table({"id": pa.array([1], pa.int64())}), day1)
    pq.write_table(pa.table({"id": pa.array([2], pa.int64()), "Region": ["emea"]}), day2)
    assert _run(run_dag, "drift_day1", str(day1), table="ORDERS").state == "success"

    script = tmp_path / "day2.sql"
    dry = _run(run_dag, "drift_dry", str(day2), table="ORDERS", dry_run=True, sql_output_path=str(script))
    assert dry.state == "success"
    assert 'ALTER TABLE "DEMO"."PUBLIC"."ORDERS" ADD COLUMN "Region" VARCHAR;' in script.read_text()
    assert [c[0] for c in _query(fake_snowflake, 'DESCRIBE TABLE DEMO.PUBLIC."ORDERS"')] == ["id"]

    real = _run(run_dag, "drift_day2", str(day2), table="ORDERS")
    assert real.state == "success"
    (change,) = _xcom(real, "schema_changes")
    assert change["added_columns"] == [{"name": "Region", "type": "VARCHAR"}]
    assert _query(fake_snowflake, 'SELECT "id", "Region" FROM DEMO.PUBLIC."ORDERS" ORDER BY "id"') == [
        (1, None),
        (2, "emea"),
    ]


def test_dry_run_without_a_connection_says_drift_was_not_checked(run_dag: Any, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "orders.parquet"
    pq.write_table(pa.table({"id": pa.array([1], pa.int64())}), path)
    script = tmp_path / "out.sql"
    run = _run(run_dag, "drift_noconn", str(path), table="ORDERS", dry_run=True, sql_output_path=str(script))
    assert run.state == "success"
    assert script.read_text().startswith("-- schema drift not checked")
