"""StackQLToParquetOperator against real PostgreSQL, writing locally and to the GCS emulator."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from airflow_provider_dataops.operators.stackql import StackQLToParquetOperator

SQL = "SELECT * FROM instances ORDER BY id"


def _export(
    conn_id: str, output_path: str, sql: str = SQL, **kwargs: Any
) -> tuple[StackQLToParquetOperator, Any]:
    op = StackQLToParquetOperator(
        task_id="export", sql=sql, output_path=output_path, stackql_conn_id=conn_id, **kwargs
    )
    return op, op.execute(context={})  # type: ignore[arg-type]


def test_writes_local_parquet_with_typed_columns(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    target = tmp_path / "out" / "instances.parquet"
    _, result = _export(stackql_conn(), str(target))
    assert result == {"path": str(target), "rows": 5}
    table = pq.read_table(target)
    assert table.schema.field("id").type == "int64"
    assert table.schema.field("cpu_hours").type == "double"
    assert table.schema.field("status").type == "string"
    assert table.column("labels").to_pylist()[0] == '{"n": 1}'


def test_parameters_reach_the_query(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"
    _, result = _export(
        stackql_conn(),
        str(target),
        sql="SELECT name FROM instances WHERE status = %s",
        parameters=["TERMINATED"],
    )
    assert result["rows"] == 1
    assert pq.read_table(target).column("name").to_pylist() == ["vm-3"]


def test_empty_result_writes_a_file_with_the_schema(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    target = tmp_path / "empty.parquet"
    _, result = _export(stackql_conn(), str(target), sql="SELECT name, id FROM instances WHERE false")
    assert result["rows"] == 0
    assert pq.read_table(target).schema.names == ["name", "id"]


def test_statement_without_result_set_is_a_clear_error_and_writes_nothing(
    stackql_conn: Callable[..., str], tmp_path: Path
) -> None:
    target = tmp_path / "none.parquet"
    with pytest.raises(ValueError, match="no result set"):
        _export(stackql_conn(), str(target), sql="SET application_name = 'registry_pull'")
    assert not target.exists()


def test_sql_error_writes_nothing(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    import psycopg2

    target = tmp_path / "bad.parquet"
    with pytest.raises(psycopg2.Error, match="no_such_table"):
        _export(stackql_conn(), str(target), sql="SELECT * FROM no_such_table")
    assert not target.exists()


@pytest.fixture
def gcs_bucket(gcs_client: Any) -> Iterator[str]:
    import gcsfs

    gcsfs.GCSFileSystem.clear_instance_cache()  # the emulator's port differs per test
    gcs_client.create_bucket("stackql-exports")
    yield "stackql-exports"
    gcsfs.GCSFileSystem.clear_instance_cache()


def test_writes_parquet_to_gcs_through_object_storage(
    stackql_conn: Callable[..., str], gcs_bucket: str, gcs_client: Any
) -> None:
    _, result = _export(stackql_conn(), f"gs://{gcs_bucket}/inventory/instances.parquet")
    assert result == {"path": f"gs://{gcs_bucket}/inventory/instances.parquet", "rows": 5}
    data = gcs_client.bucket(gcs_bucket).blob("inventory/instances.parquet").download_as_bytes()
    assert pq.read_table(io.BytesIO(data)).column("name").to_pylist() == [f"vm-{i}" for i in range(1, 6)]


def test_openlineage_input_is_the_query_and_output_the_file(
    stackql_conn: Callable[..., str], stackql_db: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "lineage.parquet"
    op, _ = _export(stackql_conn(), str(target))
    lineage = op.get_openlineage_facets_on_complete(task_instance=None)
    (source,) = lineage.inputs
    assert source.namespace == f"stackql://{stackql_db['host']}:{stackql_db['port']}"
    assert source.name == SQL
    (output,) = lineage.outputs
    assert (output.namespace, output.name) == ("file", str(target))
    assert [f.name for f in output.facets["schema"].fields][:2] == ["name", "status"]
    assert lineage.job_facets["sql"].query == SQL
