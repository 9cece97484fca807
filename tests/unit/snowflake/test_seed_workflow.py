"""The seed's own workflow: plan from local specimen copies, load the same files from the bucket.

The seed ran ``all_tables.sql`` generated from ``data/dim/*.gzip`` (its example file is
``data/dim/Calendar.gzip``) against an S3 stage with a storage integration and a KMS key. The
script is checked on sqlglot's Snowflake AST; sqlglot cannot parse Snowflake's space-separated
``ENCRYPTION=(TYPE=... KMS_KEY_ID=...)``, so that clause is checked token by token.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sqlglot = pytest.importorskip("sqlglot")
from sqlglot import exp  # noqa: E402
from sqlglot.tokens import TokenType  # noqa: E402

from airflow_provider_dataops.snowflake.parquet import (  # noqa: E402
    LoadPlan,
    ParquetPlanError,
    TablePlan,
    plan_load,
    stage_name,
)
from tests.unit.snowflake.test_parquet_plan import copy_projection, parse  # noqa: E402

KMS_KEY = "4f715ec9-ee8e-44ab-b35d-8daf36c05f19"
#: The seed's dimension files: ``Calendar.gzip`` with its five bigint columns (from the seed's
#: ``allTables`` listing), and two more dimensions of the same shape of name.
SEED_FILES = {
    "Calendar.gzip": {
        "Time_ID": [20200601],
        "CalYear": [2020],
        "CalMonthOfYearNo": [6],
        "FinYear": [2020],
        "FinWeekOfYearNo": [49],
    },
    "Product.gzip": {"Product_ID": [1], "ProductName": ["widget"]},
    "Store.gzip": {"Store_ID": [7], "StoreName": ["Melbourne"]},
}


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """``data/dim/*.gzip`` under a working folder, written gzip-compressed like Spark's output."""
    folder = tmp_path / "work" / "data" / "dim"
    folder.mkdir(parents=True)
    for name, columns in SEED_FILES.items():
        pq.write_table(pa.table(columns), folder / name, compression="gzip")
    return tmp_path / "work"


def _seed_command(cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``dataops snowflake-ddl data/dim/*.gzip ...`` as the seed's user types it (shell glob)."""
    paths = sorted(str(p.relative_to(cwd)) for p in (cwd / "data" / "dim").glob("*.gzip"))
    return subprocess.run(
        [
            sys.executable, "-m", "airflow_provider_dataops.cli", "snowflake-ddl", *paths,
            "--database", "PARQUET_TEST", "--schema", "PUBLIC", "--stage-url", "s3://my-bucket",
            "--storage-integration", "my_storage_int", "--kms-key-id", KMS_KEY, *extra,
        ],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _split_encryption(statement: str) -> tuple[str, str]:
    start = statement.index(" ENCRYPTION=(")
    end = statement.index(")", start)
    return statement[:start] + statement[end + 1 :], statement[start + 1 : end + 1]


def _blocks(script: str) -> dict[str, list[str]]:
    """Statements per table, split by the same splitter the Snowflake connector uses."""
    from snowflake.connector.util_text import split_statements

    statements = [s.rstrip(";").strip() for s, _ in split_statements(io.StringIO(script))]
    out: dict[str, list[str]] = {}
    for statement in statements:
        body = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
        if body.startswith("CREATE TABLE"):
            current = parse(body).this.this.name
        out.setdefault(current, []).append(body)
    return out


def _stage_of(create_stage: str) -> tuple[str, str, str]:
    """(URL, STORAGE_INTEGRATION, ENCRYPTION clause) of a CREATE STAGE, URL read from the AST."""
    statement, encryption = _split_encryption(create_stage)
    stage = parse(statement)
    assert stage.args["kind"] == "STAGE"
    props = stage.args["properties"].expressions
    url = next(p for p in props if isinstance(p, exp.Property) and p.name.upper() == "URL")
    integration = next(p for p in props if p.name.upper() == "STORAGE_INTEGRATION")
    return url.args["value"].name, integration.args["value"].name, encryption


def _files_of(copy_sql: str) -> list[str]:
    copy = parse(copy_sql)
    files = next(p for p in copy.args["params"] if p.this.name == "FILES").expression
    literals = files.expressions if isinstance(files, exp.Tuple) else [files.this]  # one name: a Paren
    assert all(isinstance(f, exp.Literal) and f.is_string for f in literals)
    return [f.name for f in literals]


def test_the_seeds_command_plans_from_local_copies_and_loads_each_file_from_the_bucket(
    seed_dir: Path,
) -> None:
    proc = _seed_command(seed_dir)
    assert proc.returncode == 0, proc.stderr
    blocks = _blocks(proc.stdout)
    assert list(blocks) == ["CALENDAR", "PRODUCT", "STORE"]
    for table, stem in zip(blocks, ("Calendar", "Product", "Store"), strict=True):
        create_table, create_stage, copy, drop = blocks[table]  # no PUT: the files are already in S3
        assert parse(create_table).this.this.sql("snowflake") == f'"PARQUET_TEST"."PUBLIC"."{table}"'
        url, integration, encryption = _stage_of(create_stage)
        assert (url, integration) == ("s3://my-bucket/", "MY_STORAGE_INT")
        tokens = [(t.token_type, t.text) for t in sqlglot.tokenize(encryption, read="snowflake")]
        assert (TokenType.STRING, "AWS_SSE_KMS") in tokens
        assert (TokenType.STRING, KMS_KEY) in tokens
        assert _files_of(copy) == [f"{stem}.gzip"]
        assert isinstance(parse(drop), exp.Drop)
    calendar_copy = blocks["CALENDAR"][2]
    assert copy_projection(parse(calendar_copy)) == [
        (name, "DECIMAL(38, 0)") for name in SEED_FILES["Calendar.gzip"]
    ]
    assert parse(calendar_copy).args["files"][0].this.args["from_"].this.sql("snowflake") == (
        f'@"PARQUET_TEST"."PUBLIC"."{stage_name("CALENDAR", "PARQUET_TEST", "PUBLIC")}"'
    )


def test_stage_base_keeps_the_folders_below_it_in_each_files_stage_name(seed_dir: Path) -> None:
    # The seed's own stage URL was s3_prefix + "/" + file path as given (data/dim/Calendar.gzip).
    proc = _seed_command(seed_dir, "--stage-base", ".")
    assert proc.returncode == 0, proc.stderr
    blocks = _blocks(proc.stdout)
    assert [_files_of(b[2]) for b in blocks.values()] == [
        ["data/dim/Calendar.gzip"],
        ["data/dim/Product.gzip"],
        ["data/dim/Store.gzip"],
    ]


def test_files_from_several_folders_are_named_below_their_common_parent(tmp_path: Path) -> None:
    for rel in ("lake/dim/calendar/part-0.parquet", "lake/dim/calendar/day=2/part-1.parquet"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"a": [1]}), tmp_path / rel)
    plan = plan_load(
        str(tmp_path / "lake" / "dim" / "calendar"), stage_url="gs://lake/dim", storage_integration="i"
    )
    [table] = plan.tables
    assert table.puts == ()
    assert _files_of(table.copies[0]) == ["part-0.parquet", "day=2/part-1.parquet"]
    plan = plan_load(
        str(tmp_path / "lake" / "dim" / "calendar"),
        stage_url="gs://lake",
        storage_integration="i",
        stage_base=tmp_path / "lake",
    )
    assert _files_of(plan.tables[0].copies[0]) == [
        "dim/calendar/part-0.parquet",
        "dim/calendar/day=2/part-1.parquet",
    ]


def _one_file(tmp_path: Path, relative: str) -> Path:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"a": [1]}), path)
    return path


def _plan_external(source: Any, **kwargs: Any) -> LoadPlan:
    return plan_load(source, stage_url="s3://my-bucket/data", storage_integration="my_int", **kwargs)


@pytest.mark.parametrize(
    ("stage_base", "problem"),
    [
        ("other", "not under stage_base"),
        ("in/deeper", "not under stage_base"),
    ],
)
def test_a_file_outside_stage_base_is_refused_naming_it(
    tmp_path: Path, stage_base: str, problem: str
) -> None:
    path = _one_file(tmp_path, "in/calendar.parquet")
    (tmp_path / "other").mkdir()
    with pytest.raises(ParquetPlanError) as err:
        _plan_external(str(path), stage_base=tmp_path / stage_base)
    assert str(err.value).startswith(f"{path}: {problem} {tmp_path / stage_base}")


def test_a_stage_base_written_with_dotdot_resolves_before_naming_files(tmp_path: Path) -> None:
    # "in/../in" is the folder "in": names come out clean, never with a ".." segment.
    path = _one_file(tmp_path, "in/sub/calendar.parquet")
    plan = _plan_external(str(path), stage_base=f"{tmp_path}/in/../in")
    assert _files_of(plan.tables[0].copies[0]) == ["sub/calendar.parquet"]


@pytest.mark.parametrize(
    "name",
    ["back\\slash.parquet", "new\nline.parquet", "tab\there.parquet", "del\x7f.parquet"],
    ids=["backslash", "newline", "tab", "del"],
)
def test_names_with_backslashes_or_control_characters_are_refused_for_the_stage(
    tmp_path: Path, name: str
) -> None:
    path = _one_file(tmp_path, f"in/{name}")
    with pytest.raises(ParquetPlanError, match=r"contains (a backslash|the control character)"):
        _plan_external(str(path))


@pytest.mark.parametrize(
    "name", ["it's.parquet", 'quo"te.parquet', "semi;colon --x.parquet", "sp ace.parquet"]
)
def test_names_with_quotes_stay_one_string_literal_in_files(tmp_path: Path, name: str) -> None:
    path = _one_file(tmp_path, f"in/{name}")
    [table] = _plan_external(str(path)).tables
    assert _files_of(table.copies[0]) == [name]
    from snowflake.connector.util_text import split_statements

    script = _plan_external(str(path)).to_sql()
    assert len([s for s, _ in split_statements(io.StringIO(script)) if s.strip()]) == len(table.statements)


def test_remote_names_take_the_same_checks_as_local_ones() -> None:
    from airflow_provider_dataops.snowflake.parquet import _External, _table_plan
    from airflow_provider_dataops.snowflake.sources import ParquetSource

    external = _External(url="s3://bucket/data/", integration="I", encryption=None)

    def plan_for(url: str) -> TablePlan:
        source = ParquetSource(
            url=url, table="T", relative_name="x", size=1, schema=pa.schema([("a", pa.int64())])
        )
        return _table_plan(
            "T", None, None, ["a"], ["NUMBER(38,0)"], [True], [source], "append", "ON_ERROR=ABORT_STATEMENT",
            external,
        )  # fmt: skip

    with pytest.raises(ParquetPlanError, match=r"contains (a backslash|the control character)"):
        plan_for("s3://bucket/data/a\\b.parquet")
    with pytest.raises(ParquetPlanError, match=r"'\.' or '\.\.' path segment"):
        plan_for("s3://bucket/data/x/../../secret/a.parquet")
    assert _files_of(plan_for("s3://bucket/data/x/a.parquet").copies[0]) == ["x/a.parquet"]


def test_stage_base_without_stage_url_or_without_local_files_is_refused(tmp_path: Path) -> None:
    path = _one_file(tmp_path, "in/calendar.parquet")
    with pytest.raises(ParquetPlanError, match="stage_base needs stage_url"):
        plan_load(str(path), stage_base=tmp_path)


def test_cli_refuses_an_escaping_stage_base_with_one_line(seed_dir: Path) -> None:
    proc = _seed_command(seed_dir, "--stage-base", "data/dim/deeper")
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    calendar = os.path.join(seed_dir, "data", "dim", "Calendar.gzip")
    assert line == (
        f"snowflake-ddl: {calendar}: not under stage_base {seed_dir / 'data' / 'dim' / 'deeper'}; "
        "give the folder that maps to stage_url"
    )


def test_operator_passes_stage_base_to_the_plan(seed_dir: Path, write_parquet: Callable[..., Path]) -> None:
    from airflow_provider_dataops.operators.parquet_to_snowflake import ParquetToSnowflakeOperator

    op = ParquetToSnowflakeOperator(
        task_id="load",
        source=str(seed_dir / "data" / "dim" / "*.gzip"),
        database="PARQUET_TEST",
        schema="PUBLIC",
        stage_url="s3://my-bucket",
        storage_integration="my_storage_int",
        stage_base=str(seed_dir),
    )
    assert "stage_base" in op.template_fields
    assert [_files_of(t.copies[0]) for t in op.plan().tables] == [
        ["data/dim/Calendar.gzip"],
        ["data/dim/Product.gzip"],
        ["data/dim/Store.gzip"],
    ]
