"""Load a folder of dimension and fact Parquet files into Snowflake.

The table DDL comes from the Parquet footers (no data is read to plan it): each file under
``dim/`` becomes its own table (CALENDAR, PRODUCT), and the part files of ``fact/sales/`` one
table (SALES). Loads go through a temporary internal stage and PUT, on the connection
``snowflake_default``. Re-running loads nothing twice: Snowflake skips files it already loaded.
"""

from __future__ import annotations

from pathlib import Path

from airflow.sdk import dag

from airflow_provider_dataops.operators.parquet_to_snowflake import ParquetToSnowflakeOperator

DATA = Path(__file__).resolve().parent / "data" / "parquet_to_snowflake"


@dag(dag_id="parquet_to_snowflake", schedule=None, catchup=False, tags=["dataops", "snowflake"])
def parquet_to_snowflake() -> None:
    dimensions = ParquetToSnowflakeOperator(
        task_id="load_dimensions",
        source=str(DATA / "dim" / "*.parquet"),
        if_exists="append",
    )
    facts = ParquetToSnowflakeOperator(
        task_id="load_facts",
        source=str(DATA / "fact" / "sales"),
        if_exists="append",
    )
    dimensions >> facts


parquet_to_snowflake()
