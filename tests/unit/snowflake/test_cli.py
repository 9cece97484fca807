"""``dataops snowflake-ddl``: the script on stdout or in a file; bad input → exit 2 and one line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from airflow_provider_dataops.cli import main
from airflow_provider_dataops.snowflake.parquet import plan_load
from tests.fixtures.snowflake import assert_splits_into


def test_prints_the_script_for_dimension_files_and_a_fact_folder(
    write_parquet: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_parquet("dim/calendar.parquet", {"Time_ID": [1]})
    write_parquet("fact/sales/part-0.parquet", {"id": [1]})
    code = main(
        ["snowflake-ddl", str(tmp_path / "dim" / "*.parquet"), str(tmp_path / "fact" / "sales"),
         "--database", "parquet_test", "--schema", "public"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert 'CREATE TABLE IF NOT EXISTS "PARQUET_TEST"."PUBLIC"."CALENDAR"' in out
    assert 'COPY INTO "PARQUET_TEST"."PUBLIC"."SALES" ("id")' in out
    assert out.count("DROP STAGE IF EXISTS") == 2
    plan = plan_load(
        [str(tmp_path / "dim" / "*.parquet"), str(tmp_path / "fact" / "sales")],
        database="parquet_test",
        schema="public",
    )
    assert_splits_into(out, plan.statements)


def test_writes_the_script_to_a_file_with_o(
    write_parquet: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_parquet("calendar.parquet", {"Time_ID": [1]})
    out = tmp_path / "all_tables.sql"
    assert main(["snowflake-ddl", str(path), "-o", str(out)]) == 0
    assert out.read_text().startswith(
        "-- schema drift not checked: no connection to read the existing tables' columns\n\n"
        "-- Load CALENDAR from 1 Parquet file(s)\nCREATE TABLE"
    )
    assert capsys.readouterr().out.strip() == f"wrote 5 statements for 1 table(s) to {out}"
    assert_splits_into(out.read_text(), plan_load(str(path)).statements)


def test_replace_writes_a_script_that_swaps_the_new_table_in(
    write_parquet: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_parquet("calendar.parquet", {"Time_ID": [1]})
    assert main(["snowflake-ddl", str(path), "--if-exists", "replace"]) == 0
    out = capsys.readouterr().out
    assert "CREATE OR REPLACE TABLE" not in out
    assert out.count(" SWAP WITH ") == 1
    # The new table's name is unique per run, so compare the shape, not the exact text.
    assert len([s for s in out.split(";\n") if s.strip()]) == 8
    statements = [line for line in out.split(";\n") if line.strip()]
    assert_splits_into(out, [s.split("\n", 1)[1] if s.startswith("--") else s for s in statements])


def test_the_issues_hostile_columns_exit_2_with_one_line_naming_file_and_column(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_parquet("customers.parquet", {"x\\": [1], ";\nDROP TABLE PROD.PUBLIC.CUSTOMERS;\n--": [2]})
    out = tmp_path / "all_tables.sql"
    proc = subprocess.run(
        [sys.executable, "-m", "airflow_provider_dataops.cli", "snowflake-ddl", str(path), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"snowflake-ddl: {path}: column 'x\\\\' contains a backslash; no quoting makes it safe"
    ]
    assert not out.exists()


def _bad_inputs(tmp_path: Path, write_parquet: Callable[..., Path]) -> dict[str, tuple[list[str], str]]:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.parquet").write_text("just text")
    good = write_parquet("ok.parquet", {"a": [1]})
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(good.read_bytes()[:-12] + b"\xff\xff\xff\x00PAR1")
    duration = write_parquet("dur.parquet", {"d": pa.array([1], pa.duration("s"))})
    return {
        "missing": (
            [str(tmp_path / "nope.parquet")],
            f"{tmp_path / 'nope.parquet'}: no such file or directory",
        ),
        "not-parquet": (
            [str(tmp_path / "notes.parquet")],
            f"{tmp_path / 'notes.parquet'}: not a Parquet file",
        ),
        "corrupt": ([str(corrupt)], f"{corrupt}: corrupt Parquet footer"),
        "empty-folder": (
            [str(tmp_path / "empty")],
            f"{tmp_path / 'empty'}: directory holds no Parquet files",
        ),
        "unsupported": ([str(duration)], f"{duration}: column 'd': duration[s] has no Snowflake column type"),
        "unknown-scheme": (
            ["nosuch://bucket/x.parquet"],
            "nosuch://bucket/x.parquet: cannot read nosuch:// URLs",
        ),
        "stage-without-integration": (
            [str(good), "--stage-url", "s3://b/p"],
            "--stage-url needs --storage-integration",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "not-parquet",
        "corrupt",
        "empty-folder",
        "unsupported",
        "unknown-scheme",
        "stage-without-integration",
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_file_and_problem(
    case: str, tmp_path: Path, write_parquet: Callable[..., Path]
) -> None:
    args, expected = _bad_inputs(tmp_path, write_parquet)[case]
    proc = subprocess.run(
        [sys.executable, "-m", "airflow_provider_dataops.cli", "snowflake-ddl", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("snowflake-ddl: ")
    assert expected in lines[0]


def test_with_conn_the_script_includes_the_alters_an_existing_table_needs(
    write_parquet: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI reads the table through an environment connection (fakesnow in patch mode: the
    real SnowflakeHook speaks only https, which the fakesnow server does not)."""
    import json

    fakesnow = pytest.importorskip("fakesnow", reason="fakesnow is not installed (dev extra)")
    import snowflake.connector

    conn_uri = {"conn_type": "snowflake", "login": "fake", "password": "snow", "schema": "PUBLIC"}
    conn_uri["extra"] = {"account": "fakesnow", "database": "CLI_DB"}
    monkeypatch.setenv("AIRFLOW_CONN_SF_CLI", json.dumps(conn_uri))
    path = write_parquet("orders.parquet", {"id": [1], "Region": ["emea"]})
    out = tmp_path / "day2.sql"
    with fakesnow.patch():
        setup = snowflake.connector.connect(account="fakesnow", user="fake", password="snow")
        for sql in (
            "CREATE DATABASE IF NOT EXISTS CLI_DB",
            "CREATE SCHEMA IF NOT EXISTS CLI_DB.PUBLIC",
            'CREATE TABLE CLI_DB.PUBLIC.ORDERS ("id" NUMBER(38,0))',
        ):
            setup.cursor().execute(sql)
        argv = ["snowflake-ddl", str(path), "--table", "ORDERS", "--database", "CLI_DB", "--schema", "PUBLIC"]
        assert main([*argv, "--conn", "sf_cli", "-o", str(out)]) == 0
        setup.close()

    script = out.read_text()
    assert 'ALTER TABLE "CLI_DB"."PUBLIC"."ORDERS" ADD COLUMN "Region" VARCHAR;' in script
    assert "drift not checked" not in script
