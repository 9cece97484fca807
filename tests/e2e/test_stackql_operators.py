"""StackQL in real Airflow DAG runs (``dag.test()``): SQLExecuteQueryOperator and the Parquet export.

Peer: a real PostgreSQL database over TCP with StackQL-like text/numeric columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.stackql import add_stackql_connection

pytestmark = pytest.mark.e2e

DAG_SOURCE = """
from airflow.sdk import dag
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow_provider_dataops.operators.stackql import StackQLToParquetOperator

@dag(dag_id="{dag_id}", schedule=None, params={{"status": "RUNNING"}})
def d():
    query = SQLExecuteQueryOperator(
        task_id="query",
        conn_id="stackql_dag_test",
        sql="SELECT name, id FROM instances WHERE status = %(status)s ORDER BY id",
        parameters={{"status": "{{{{ params.status }}}}"}},
    )
    export = StackQLToParquetOperator(
        task_id="export",
        sql="SELECT * FROM instances WHERE status = %(status)s ORDER BY id",
        parameters={{"status": "{{{{ params.status }}}}"}},
        output_path="{out}/{{{{ ds }}}}/instances.parquet",
        stackql_conn_id="stackql_dag_test",
    )
    query >> export

d()
"""


def _xcom(run: Any, task_id: str) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        query = XComModel.get_many(
            run_id=run.run_id, dag_ids=run.dag_id, task_ids=task_id, key="return_value"
        )
        rows = session.scalars(query).all()
        assert len(rows) == 1
        from airflow.sdk.serde import deserialize

        return deserialize(XComModel.deserialize_value(rows[0]))


@pytest.fixture
def stackql_airflow_conn(stackql_db: dict[str, Any], add_connection: Any) -> str:
    return add_stackql_connection(add_connection, "stackql_dag_test", stackql_db, connect_timeout=5)


def test_dag_run_queries_through_sql_execute_query_operator_and_exports_parquet(
    run_dag: Any, stackql_airflow_conn: str, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    run = run_dag(
        DAG_SOURCE.format(dag_id="stackql_e2e", out=tmp_path), "stackql_e2e", run_conf={"status": "RUNNING"}
    )
    assert run.state == "success"
    assert [tuple(r) for r in _xcom(run, "query")] == [("vm-1", 1), ("vm-2", 2), ("vm-4", 4), ("vm-5", 5)]
    result = _xcom(run, "export")
    assert result["rows"] == 4
    assert result["path"].endswith("/instances.parquet")
    table = pq.read_table(result["path"])
    assert table.column("name").to_pylist() == ["vm-1", "vm-2", "vm-4", "vm-5"]
    assert str(table.schema.field("id").type) == "int64"
    assert str(table.schema.field("cpu_hours").type) == "double"
    assert str(table.schema.field("labels").type) == "string"


def test_dag_run_with_a_failing_query_fails_and_leaves_no_file(
    run_dag: Any, stackql_airflow_conn: str, tmp_path: Path
) -> None:
    source = DAG_SOURCE.format(dag_id="stackql_e2e_bad", out=tmp_path).replace(
        'sql="SELECT * FROM instances', 'sql="SELECT * FROM no_such_table'
    )
    run = run_dag(source, "stackql_e2e_bad")
    assert run.state == "failed"
    assert not list(tmp_path.rglob("*.parquet"))
