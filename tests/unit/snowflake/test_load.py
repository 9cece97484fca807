"""The runner's pure parts: which planned files count as loaded, and the shape of errors.

The runner itself runs against fakesnow in tests/integration/snowflake/test_fakesnow_load.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from airflow_provider_dataops.snowflake.load import first_line, unloaded_files
from airflow_provider_dataops.snowflake.parquet import TablePlan, plan_load


@pytest.fixture
def sales(write_parquet: Callable[..., Path], tmp_path: Path) -> TablePlan:
    write_parquet("sales/part-0.parquet", {"id": [1]})
    write_parquet("sales/year=2024/part-0.parquet", {"id": [2]})
    [table] = plan_load(str(tmp_path / "sales"), database="d", schema="s").tables
    return table


def test_files_copy_reports_loaded_or_skipped_count_as_loaded(sales: TablePlan) -> None:
    stage = sales.stage_root.lower()
    rows = [
        {"file": f"{stage}part-0.parquet", "status": "LOADED"},
        {"file": f"{stage}year=2024/part-0.parquet", "status": "LOAD_SKIPPED"},
    ]
    assert unloaded_files(sales, rows) == []


def test_a_planned_file_copy_did_not_report_is_named(sales: TablePlan, tmp_path: Path) -> None:
    # e.g. the connector's PUT globbed `part[a].parquet` into another file: COPY reports only what
    # reached the stage, so the planned file is missing from its output.
    rows = [{"file": f"{sales.stage_root.lower()}part-0.parquet", "status": "LOADED"}]
    assert unloaded_files(sales, rows) == [str(tmp_path / "sales" / "year=2024" / "part-0.parquet")]


def test_a_file_of_the_same_name_in_another_folder_does_not_count(sales: TablePlan, tmp_path: Path) -> None:
    rows = [{"file": f"{sales.stage_root.lower()}other/part-0.parquet", "status": "LOADED"}]
    assert len(unloaded_files(sales, rows)) == 2


def test_a_file_copy_skipped_silently_counts_when_the_load_history_has_it(sales: TablePlan) -> None:
    # Snowflake's COPY does not list files it skips as loaded before ("Copy executed with 0 files
    # processed."), so a re-run checks the table's load history instead.
    history = [
        f"{sales.stage_root}part-0.parquet",
        f"/tmp/fakesnow_bucket_x/D/S/{sales.stage_root.upper()}year=2024/part-0.parquet",
    ]
    assert unloaded_files(sales, [], history) == []
    assert len(unloaded_files(sales, [], history[:1])) == 1


def test_a_file_copy_reported_failed_is_not_rescued_by_the_history(sales: TablePlan) -> None:
    stage = sales.stage_root.lower()
    rows = [
        {"file": f"{stage}part-0.parquet", "status": "LOAD_FAILED"},
        {"file": f"{stage}year=2024/part-0.parquet", "status": "LOADED"},
    ]
    assert len(unloaded_files(sales, rows, [f"{stage}part-0.parquet"])) == 1


def test_external_stage_files_match_copys_urls_whatever_the_scheme_spelling(
    write_parquet: Callable[..., Path],
) -> None:
    import pyarrow as pa

    from airflow_provider_dataops.snowflake.parquet import _External, _table_plan
    from airflow_provider_dataops.snowflake.sources import ParquetSource

    schema = pa.schema([pa.field("a", pa.int64())])
    files = [
        ParquetSource(
            url=f"gs://bucket/data/sales/p{i}.parquet",
            table="SALES",
            relative_name="x",
            size=1,
            schema=schema,
        )
        for i in range(2)
    ]
    external = _External(url="gcs://bucket/data/", integration="I", encryption=None)
    table = _table_plan(
        "SALES",
        "D",
        "S",
        ["a"],
        ["NUMBER(38,0)"],
        [True],
        files,
        "append",
        "ON_ERROR=ABORT_STATEMENT",
        external,
    )
    rows = [{"file": "gcs://bucket/data/sales/p0.parquet", "status": "LOADED"}]
    assert unloaded_files(table, rows) == ["gs://bucket/data/sales/p1.parquet"]
    assert unloaded_files(table, rows, ["gcs://bucket/data/sales/p1.parquet"]) == []


def test_first_line_keeps_only_the_first_non_empty_line_of_an_engine_error() -> None:
    error = RuntimeError("\n100038 (22018): Conversion Error: bad\n\nLINE 1: COPY ...\n  ^^^^\nTraceback ...")
    assert first_line(error) == "100038 (22018): Conversion Error: bad"
    assert first_line(RuntimeError("")) == "RuntimeError"


def test_a_put_that_uploaded_other_files_or_none_is_named() -> None:
    from airflow_provider_dataops.snowflake.load import put_mismatch

    path = "/data/part[a].parquet"
    assert put_mismatch([{"source": "part[a].parquet", "status": "UPLOADED"}], path) is None
    assert put_mismatch([{"source": "part[a].parquet", "status": "SKIPPED"}], path) is None
    assert put_mismatch([{"source": "parta.parquet", "status": "UPLOADED"}], path) == (
        "the connector uploaded ['parta.parquet'] instead of 'part[a].parquet'"
    )
    two = [
        {"source": "p1.parquet", "status": "UPLOADED"},
        {"source": "part[a].parquet", "status": "UPLOADED"},
    ]
    assert put_mismatch(two, path) is not None
    assert put_mismatch([], path) == "the connector uploaded nothing instead of 'part[a].parquet'"
    assert put_mismatch([{"source": "part[a].parquet", "status": "ERROR"}], path) == "upload status ERROR"
    assert put_mismatch([{"status": "Statement executed successfully."}], path) is None
