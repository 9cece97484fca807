"""The cloud_inventory example DAG in a real DAG run: StackQL query -> Parquet -> Snowflake.

Peers: real PostgreSQL for the StackQL server (its provider table ``google.compute.instances``
swapped in the DAG source for a view of the same shape, as PostgreSQL has no such catalog), and
fakesnow in patch mode for Snowflake (SnowflakeHook cannot reach the fakesnow *server*: it
always speaks https), as in test_parquet_to_snowflake_operator.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest

from tests.fixtures.snowflake import patched_snowflake
from tests.fixtures.stackql import add_stackql_connection

pytestmark = pytest.mark.e2e

DAG_FILE = Path(__file__).resolve().parents[2] / "dags" / "cloud_inventory.py"


@pytest.fixture
def inventory_peers(stackql_db: dict[str, Any], add_connection: Any) -> Iterator[Any]:
    import psycopg2

    with psycopg2.connect(connect_timeout=5, **stackql_db) as pg, pg.cursor() as cur:
        cur.execute(
            "CREATE VIEW compute_instances AS "
            "SELECT name, status, zone, 'stackql-demo'::text AS project FROM instances"
        )
    pg.close()
    add_stackql_connection(add_connection, "stackql_default", stackql_db)
    with patched_snowflake(add_connection, "snowflake_default", "INVENTORY") as conn:
        yield conn


@pytest.mark.parametrize(
    "logical_date",
    [None, pendulum.datetime(2026, 3, 4, 5, 6, tz="UTC")],
    ids=["without_logical_date", "with_logical_date"],
)
def test_cloud_inventory_counts_instances_per_status_into_snowflake(
    run_dag: Any, inventory_peers: Any, tmp_path: Path, logical_date: pendulum.DateTime | None
) -> None:
    """A run without a logical date (CLI or REST trigger, asset event) dates its snapshot by ``run_after``."""
    source = DAG_FILE.read_text()
    assert "FROM google.compute.instances" in source
    source = source.replace("FROM google.compute.instances", "FROM compute_instances")
    run = run_dag(
        source,
        "cloud_inventory",
        run_conf={"project": "stackql-demo", "zone": "australia-southeast1-a", "output_dir": str(tmp_path)},
        logical_date=logical_date,
    )
    assert run.state == "success"
    assert run.logical_date == logical_date
    snapshot_date = (logical_date or run.run_after).strftime("%Y-%m-%d")
    parquet = tmp_path / snapshot_date / "instances_by_status.parquet"
    assert parquet.stat().st_size > 0
    cur = inventory_peers.cursor()
    cur.execute(
        "SELECT status, num_instances, project, zone, snapshot_date "
        "FROM INVENTORY.PUBLIC.INSTANCES_BY_STATUS ORDER BY status"
    )
    assert [tuple(r) for r in cur.fetchall()] == [
        ("RUNNING", 4, "stackql-demo", "australia-southeast1-a", snapshot_date),
        ("TERMINATED", 1, "stackql-demo", "australia-southeast1-a", snapshot_date),
    ]
