"""The planner's SQL, checked on sqlglot's Snowflake AST (never on strings alone).

Why sqlglot and not fakesnow for these: fakesnow (DuckDB underneath) ignores identifier case,
cannot parse DROP STAGE, does not support PATTERN / ON_ERROR other than ABORT_STATEMENT, turns
``$1:"col"`` into an unquoted DuckDB name (so a hostile name fails there instead of loading),
and has no external stages. Loads that fakesnow can run are in tests/integration/snowflake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

sqlglot = pytest.importorskip("sqlglot")
from sqlglot import exp  # noqa: E402
from sqlglot.tokens import TokenType  # noqa: E402

from airflow_provider_dataops.snowflake.parquet import (  # noqa: E402
    FILE_FORMAT,
    LoadPlan,
    ParquetPlanError,
    ParquetSourceError,
    plan_load,
    stage_name,
)
from tests.fixtures.snowflake import assert_splits_into  # noqa: E402

HOSTILE = [
    'a"; DROP TABLE x; --',
    "x' OR 1=1",
    "camelCol",
    "with space",
    "Ünï/cødé.$1",
    '"; DROP',
    "$$; DROP TABLE x; $$",
    "/* open",
    "// slash",
    "-- dash",
    '"',
]


def parse(sql: str) -> exp.Expr:
    statements = sqlglot.parse(sql, read="snowflake")
    assert len(statements) == 1, f"more than one statement in {sql!r}"
    assert statements[0] is not None
    return statements[0]


def identifiers(node: exp.Expr) -> list[exp.Identifier]:
    return list(node.find_all(exp.Identifier))


def copy_projection(copy: exp.Expr) -> list[tuple[str, str]]:
    """``[(json path key, cast type)]`` of a COPY's ``SELECT $1:"key"::TYPE`` list."""
    select = copy.args["files"][0].this
    out = []
    for cast in select.expressions:
        assert isinstance(cast, exp.Cast)
        assert isinstance(cast.this, exp.JSONExtract)
        assert cast.this.this == exp.Parameter(this=exp.Literal.number(1))
        keys = [k for k in cast.this.expression.expressions if isinstance(k, exp.JSONPathKey)]
        assert len(keys) == 1
        out.append((keys[0].this, cast.to.sql("snowflake")))
    return out


@pytest.fixture
def plan_of(write_parquet: Callable[..., Path]) -> Callable[..., LoadPlan]:
    def _plan(columns: dict[str, Any], **kwargs: Any) -> LoadPlan:
        path = write_parquet("src/my_table.parquet", columns)
        return plan_load(str(path), **kwargs)

    return _plan


def test_every_statement_parses_as_one_snowflake_statement_of_the_expected_kind(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("dim/calendar.parquet", {"Time_ID": [1], "CalYear": [2020]})
    write_parquet("fact/sales/part-0.parquet", {"id": [1], "amount": [1.5]})
    write_parquet("fact/sales/year=2024/part-1.parquet", {"id": [2], "note": ["x"]})
    plan = plan_load(
        [str(tmp_path / "dim" / "*.parquet"), str(tmp_path / "fact" / "sales")], database="d", schema="s"
    )
    kinds = []
    for statement in plan.statements:
        node = parse(statement)
        kinds.append(type(node).__name__ + (f":{node.args['kind']}" if isinstance(node, exp.Create) else ""))
    assert kinds == [
        "Create:TABLE", "Create:STAGE", "Put", "Copy", "Drop",
        "Create:TABLE", "Create:STAGE", "Put", "Put", "Copy", "Drop",
    ]  # fmt: skip
    assert len(sqlglot.parse(plan.to_sql(), read="snowflake")) == len(plan.statements)
    assert_splits_into(plan.to_sql(), plan.statements)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_column_names_stay_quoted_identifiers_with_their_exact_text(
    plan_of: Callable[..., LoadPlan], name: str
) -> None:
    plan = plan_of({name: [1], "other": ["v"]})
    assert_splits_into(plan.to_sql(), plan.statements)
    [table] = plan.tables
    for statement in table.statements:
        node = parse(statement)
        assert not list(node.find_all(exp.Drop)) or isinstance(node, exp.Drop)
    create = parse(table.create_table)
    column_defs = list(create.find_all(exp.ColumnDef))
    assert [(c.this.this, c.this.quoted) for c in column_defs] == [(name, True), ("other", True)]
    copy = parse(table.copies[0])
    assert [i.this for i in copy.this.expressions] == [name, "other"]
    assert all(i.quoted for i in copy.this.expressions)
    assert copy_projection(copy) == [(name, "DECIMAL(38, 0)"), ("other", "VARCHAR")]


def test_parquet_column_case_is_kept_and_table_names_follow_snowflake_unquoted_rules(
    plan_of: Callable[..., LoadPlan],
) -> None:
    plan = plan_of({"camelCol": [1], "UPPER": [2], "lower": [3]}, database="analytics", schema='"MixedCase"')
    [table] = plan.tables
    create = parse(table.create_table)
    target = create.this.this
    assert (target.catalog, target.db, target.name) == ("ANALYTICS", "MixedCase", "MY_TABLE")
    assert [c.this.this for c in create.find_all(exp.ColumnDef)] == ["camelCol", "UPPER", "lower"]
    assert all(i.quoted for i in identifiers(create))
    assert [k for k, _ in copy_projection(parse(table.copies[0]))] == ["camelCol", "UPPER", "lower"]


def test_copy_uses_the_parquet_file_format_with_logical_types_and_binary_kept_binary(
    plan_of: Callable[..., LoadPlan],
) -> None:
    table = plan_of({"ts": pa.array([0], pa.timestamp("ns")), "b": [b"x"]}).tables[0]
    copy = parse(table.copies[0])
    params = {p.this.name: p for p in copy.args["params"]}
    file_format = {
        prop.this.name: prop.args["value"].sql("snowflake") for prop in params["FILE_FORMAT"].expressions
    }
    assert file_format == {"TYPE": "PARQUET", "USE_LOGICAL_TYPE": "TRUE", "BINARY_AS_TEXT": "FALSE"}
    assert params["ON_ERROR"].expression.name == "ABORT_STATEMENT"
    assert "FORCE" not in params
    assert copy_projection(copy) == [("ts", "TIMESTAMPNTZ(9)"), ("b", "BINARY")]
    stage = parse(table.create_stage)
    assert isinstance(stage.find(exp.TemporaryProperty), exp.TemporaryProperty)
    assert stage.find(exp.FileFormatProperty).sql("snowflake") == FILE_FORMAT.replace(
        "FILE_FORMAT=", "FILE_FORMAT="
    )


@pytest.mark.parametrize(
    ("on_error", "rendered"),
    [
        ("CONTINUE", "CONTINUE"),
        ("skip_file", "SKIP_FILE"),
        ("SKIP_FILE_3", "'SKIP_FILE_3'"),
        ("SKIP_FILE_10%", "'SKIP_FILE_10%'"),
    ],
)
def test_on_error_values_render_as_snowflake_accepts_them(
    plan_of: Callable[..., LoadPlan], on_error: str, rendered: str
) -> None:
    # fakesnow only runs ON_ERROR=ABORT_STATEMENT, so the other values are checked on the AST.
    copy = parse(plan_of({"a": [1]}, on_error=on_error).tables[0].copies[0])
    params = {p.this.name: p for p in copy.args["params"]}
    assert params["ON_ERROR"].expression.sql("snowflake") == rendered


@pytest.mark.parametrize("on_error", ["SKIP_FILE; DROP TABLE x", "ignore", "SKIP_FILE_%"])
def test_unknown_on_error_values_are_refused(plan_of: Callable[..., LoadPlan], on_error: str) -> None:
    with pytest.raises(ParquetPlanError, match="on_error="):
        plan_of({"a": [1]}, on_error=on_error)


def test_drop_stage_targets_the_tables_stage(plan_of: Callable[..., LoadPlan]) -> None:
    # fakesnow cannot parse DROP STAGE, so the statement is proven here.
    table = plan_of({"a": [1]}, database="d", schema="s").tables[0]
    drop = parse(table.drop_stage)
    assert drop.args["kind"] == "STAGE"
    assert drop.args["exists"] is True
    [target] = drop.args["tables"]
    assert (target.catalog, target.db, target.name) == ("D", "S", stage_name("MY_TABLE", "D", "S"))


def test_put_paths_with_quotes_and_backslashes_stay_one_string_literal(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_parquet("it's a \\dir/t.parquet", {"a": [1]})
    [put] = plan_load(str(path)).tables[0].puts
    node = parse(put)
    assert isinstance(node, exp.Put)
    assert node.this.is_string
    assert node.this.this == f"file://{path}"
    props = {p.this.name: p.args["value"].sql("snowflake") for p in node.args["properties"].expressions}
    assert props == {"AUTO_COMPRESS": "FALSE"}


def test_files_and_globs_give_one_table_per_stem_and_a_directory_one_table(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("dim/dim_calendar.snappy.parquet", {"a": [1]})
    write_parquet("dim/product.parquet", {"b": [1]})
    write_parquet("fact/sales/part-0.parquet", {"c": [1]})
    write_parquet("fact/sales/part-1.parquet", {"c": [2]})
    (tmp_path / "fact" / "sales" / "_SUCCESS").write_text("")
    plan = plan_load([str(tmp_path / "dim" / "*.parquet"), str(tmp_path / "fact" / "sales")])
    assert [(t.name, len(t.files), len(t.copies)) for t in plan.tables] == [
        ("DIM_CALENDAR", 1, 1),
        ("PRODUCT", 1, 1),
        ("SALES", 2, 1),
    ]
    one = plan_load([str(tmp_path / "dim"), str(tmp_path / "fact")], table="everything")
    assert [(t.name, len(t.files)) for t in one.tables] == [("EVERYTHING", 4)]
    assert [c.name for c in one.tables[0].columns] == ["a", "b", "c"]


def test_a_column_missing_from_some_files_is_nullable_and_one_in_every_file_keeps_not_null(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    required = pa.schema(
        [pa.field("id", pa.int64(), nullable=False), pa.field("x", pa.int64(), nullable=False)]
    )
    write_parquet("t/p0.parquet", pa.table({"id": [1], "x": [1]}, schema=required))
    write_parquet("t/p1.parquet", pa.table({"id": [2]}, schema=pa.schema([required.field("id")])))
    [table] = plan_load(str(tmp_path / "t")).tables
    assert [(c.name, c.nullable) for c in table.columns] == [("id", False), ("x", True)]
    constraints = {
        c.this.this: [k.sql("snowflake") for k in c.args.get("constraints", [])]
        for c in parse(table.create_table).find_all(exp.ColumnDef)
    }
    assert constraints == {"id": ["NOT NULL"], "x": []}


def test_compatible_types_widen_and_a_real_conflict_names_both_files_and_the_column(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    write_parquet("ok/a.parquet", {"t": pa.array([0], pa.timestamp("ms")), "n": pa.array([1], pa.int32())})
    write_parquet("ok/b.parquet", {"t": pa.array([0], pa.timestamp("ns")), "n": pa.array([1], pa.uint64())})
    [table] = plan_load(str(tmp_path / "ok")).tables
    assert [(c.name, c.type) for c in table.columns] == [("t", "TIMESTAMP_NTZ(9)"), ("n", "NUMBER(38,0)")]

    first = write_parquet("bad/a.parquet", {"amount": pa.array([1], pa.int64())})
    second = write_parquet("bad/b.parquet", {"amount": pa.array([1.5], pa.float64())})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(tmp_path / "bad"))
    message = str(err.value)
    assert "'amount'" in message
    assert str(first) in message
    assert str(second) in message


def test_type_overrides_win_and_rescue_unsupported_types(plan_of: Callable[..., LoadPlan]) -> None:
    columns = {"big": pa.array([1], pa.decimal256(50, 2)), "n": [1]}
    with pytest.raises(ParquetPlanError, match=r"my_table\.parquet: column 'big': .*precision 50"):
        plan_of(columns)
    table = plan_of(columns, type_overrides={"big": "varchar", "n": "NUMBER(10, 0)"}).tables[0]
    assert [(c.name, c.type) for c in table.columns] == [("big", "VARCHAR"), ("n", "NUMBER(10,0)")]
    assert copy_projection(parse(table.copies[0])) == [("big", "VARCHAR"), ("n", "DECIMAL(10, 0)")]


def test_type_overrides_naming_no_column_or_carrying_sql_are_refused(
    plan_of: Callable[..., LoadPlan],
) -> None:
    with pytest.raises(ParquetPlanError, match="'nope'"):
        plan_of({"a": [1]}, type_overrides={"nope": "VARCHAR"})
    with pytest.raises(ParquetPlanError, match="is not a Snowflake type"):
        plan_of({"a": [1]}, type_overrides={"a": "VARCHAR) AS SELECT 1; --"})


@pytest.mark.parametrize("if_exists", ["append", "replace", "fail"])
def test_if_exists_picks_the_create_table_form(plan_of: Callable[..., LoadPlan], if_exists: str) -> None:
    create = parse(plan_of({"a": [1]}, if_exists=if_exists).tables[0].create_table)
    # replace creates the target only if missing (so SWAP WITH has a partner), never OR REPLACE.
    assert (bool(create.args.get("exists")), bool(create.args.get("replace"))) == {
        "append": (True, False),
        "replace": (True, False),
        "fail": (False, False),
    }[if_exists]


def _without_encryption(statement: str) -> tuple[str, str]:
    start = statement.index(" ENCRYPTION=(")
    end = statement.index(")", start)
    return statement[:start] + statement[end + 1 :], statement[start + 1 : end + 1]


@pytest.mark.parametrize(("scheme", "kms_type"), [("s3", "AWS_SSE_KMS"), ("gs", "GCS_SSE_KMS")])
def test_external_stage_with_kms_uses_snowflakes_encryption_syntax(
    write_parquet: Callable[..., Path], scheme: str, kms_type: str
) -> None:
    # The files only need to exist for the footer read; use local ones and check the external
    # stage statement, which needs no file access.
    from airflow_provider_dataops.snowflake.parquet import _external_stage

    hostile_key = "k'); DROP TABLE x; --"
    stage = _external_stage(f"{scheme}://bucket/data", "my_int", hostile_key)
    assert stage is not None
    assert stage.url == f"{'gcs' if scheme == 'gs' else 's3'}://bucket/data/"
    # sqlglot 30 cannot parse the space-separated ENCRYPTION=(TYPE=... KMS_KEY_ID=...) Snowflake
    # documents, so the clause is checked token by token and the rest of the statement parsed.
    tokens = sqlglot.tokenize(stage.encryption, read="snowflake")
    shape = [(t.token_type, t.text) for t in tokens]
    assert shape == [
        (TokenType.VAR, "ENCRYPTION"),
        (TokenType.EQ, "="),
        (TokenType.L_PAREN, "("),
        (TokenType.VAR, "TYPE"),
        (TokenType.EQ, "="),
        (TokenType.STRING, kms_type),
        (TokenType.VAR, "KMS_KEY_ID"),
        (TokenType.EQ, "="),
        (TokenType.STRING, hostile_key),
        (TokenType.R_PAREN, ")"),
    ]


def test_external_stage_plan_lists_files_relative_to_the_stage_url() -> None:
    from airflow_provider_dataops.snowflake.parquet import _External, _table_plan
    from airflow_provider_dataops.snowflake.sources import ParquetSource

    schema = pa.schema([pa.field("a", pa.int64())])
    files = [
        ParquetSource(
            url=f"gs://bucket/data/sales/part-{i}.parquet",
            table="SALES",
            relative_name=f"part-{i}.parquet",
            size=1,
            schema=schema,
        )
        for i in range(2)
    ]
    external = _External(
        url="gcs://bucket/data/",
        integration="MY_INT",
        encryption="ENCRYPTION=(TYPE='GCS_SSE_KMS' KMS_KEY_ID='k')",
    )
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
    assert table.puts == ()
    statement, clause = _without_encryption(table.create_stage)
    stage = parse(statement)
    assert stage.args["kind"] == "STAGE"
    props = {type(p).__name__: p for p in stage.args["properties"].expressions}
    assert "TemporaryProperty" in props
    assert "URL='gcs://bucket/data/'" in stage.sql("snowflake")
    assert "STORAGE_INTEGRATION=MY_INT" in stage.sql("snowflake")
    assert clause == "ENCRYPTION=(TYPE='GCS_SSE_KMS' KMS_KEY_ID='k')"
    [copy_sql] = table.copies
    copy = parse(copy_sql)
    params = {p.this.name: p for p in copy.args["params"]}
    assert [f.name for f in params["FILES"].expression.expressions] == [
        "sales/part-0.parquet",
        "sales/part-1.parquet",
    ]
    outside = ParquetSource(
        url="gs://other/x.parquet", table="SALES", relative_name="x.parquet", size=1, schema=schema
    )
    with pytest.raises(ParquetPlanError, match=r"gs://other/x\.parquet: not under stage_url"):
        _table_plan(
            "SALES",
            "D",
            "S",
            ["a"],
            ["NUMBER(38,0)"],
            [True],
            [outside],
            "append",
            "ON_ERROR=ABORT_STATEMENT",
            external,
        )


def test_stage_options_that_cannot_work_are_refused_with_the_reason(plan_of: Callable[..., LoadPlan]) -> None:
    with pytest.raises(ParquetPlanError, match="needs storage_integration"):
        plan_of({"a": [1]}, stage_url="s3://b/p")
    with pytest.raises(ParquetPlanError, match="expected gs://"):
        plan_of({"a": [1]}, stage_url="ftp://b/p", storage_integration="i")
    with pytest.raises(ParquetPlanError, match="need stage_url"):
        plan_of({"a": [1]}, kms_key_id="k")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: d / "missing.parquet", "no such file or directory"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "directory holds no Parquet files"),
        (
            lambda d: (d / "n.parquet").write_text("hello, not parquet") and d / "n.parquet",
            "not a Parquet file",
        ),
        (lambda d: (d / "z.parquet").write_bytes(b"") or d / "z.parquet", "not a Parquet file"),
        (
            lambda d: (
                (d / "c.parquet").write_bytes(b"PAR1" + b"\x00" * 20 + (9).to_bytes(4, "little") + b"PAR1")
                and d / "c.parquet"
            ),
            "corrupt Parquet footer",
        ),
        (lambda d: str(d / "*.nothing"), "no files match"),
    ],
    ids=["missing", "empty-dir", "not-parquet", "empty-file", "corrupt-footer", "glob-no-match"],
)
def test_bad_sources_raise_one_error_naming_the_file_and_problem(
    tmp_path: Path, make: Callable[[Path], Any], problem: str
) -> None:
    target = str(make(tmp_path))
    with pytest.raises(ParquetSourceError) as err:
        plan_load(target)
    assert str(err.value).startswith(target)
    assert problem in str(err.value)


def test_a_stage_subfolder_with_spaces_is_put_to_a_quoted_stage_location(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    # fakesnow rejects quoted PUT targets; Snowflake documents quoting paths with special characters.
    write_parquet("logs/day one/part-0.parquet", {"a": [1]})
    write_parquet("logs/day=2/part-0.parquet", {"a": [2]})
    [table] = plan_load(str(tmp_path / "logs")).tables
    targets = [parse(put).args["target"] for put in table.puts]
    stage = stage_name("LOGS", None, None)
    assert [t.sql("snowflake") for t in targets] == [
        f"'@\"{stage}\"/day one'",
        f'@"{stage}"/day=2',
    ]


ISSUE_COLUMNS = ["x\\", ";\nDROP TABLE PROD.PUBLIC.CUSTOMERS;\n--"]


def test_the_issues_columns_are_refused_instead_of_becoming_a_drop_table(
    write_parquet: Callable[..., Path],
) -> None:
    # Before: both names were emitted verbatim; the connector's splitter read `"x\"` as an open
    # identifier and cut the script into a standalone DROP TABLE PROD.PUBLIC.CUSTOMERS.
    path = write_parquet("src/customers.parquet", {name: [1] for name in ISSUE_COLUMNS})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(path))
    message = str(err.value)
    assert message == f"{path}: column 'x\\\\' contains a backslash; no quoting makes it safe"
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("x\\", "contains a backslash"),
        ('a\\"b', "contains a backslash"),
        (";\nDROP TABLE PROD.PUBLIC.CUSTOMERS;\n--", "contains the control character '\\n'"),
        ("tab\there", "contains the control character '\\t'"),
        ("nul\x00", "contains the control character '\\x00'"),
        ("cr\r", "contains the control character '\\r'"),
    ],
)
def test_a_column_name_no_quoting_makes_safe_is_refused_naming_file_and_column(
    plan_of: Callable[..., LoadPlan], tmp_path: Path, name: str, problem: str
) -> None:
    with pytest.raises(ParquetPlanError) as err:
        plan_of({"ok": [1], name: [1]})
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'src' / 'my_table.parquet'}: column {name!r} {problem}")
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"database": "x\\", "schema": "s"}, "database name 'x\\\\' contains a backslash"),
        ({"database": "d", "schema": '"a\\b"'}, "schema name '\"a\\\\b\"' contains a backslash"),
        ({"table": "t\n"}, "table name 't\\n' contains the control character"),
        ({"table": '"t\\"'}, "table name"),
    ],
)
def test_database_schema_and_table_names_no_quoting_makes_safe_are_refused(
    plan_of: Callable[..., LoadPlan], kwargs: dict[str, str], expected: str
) -> None:
    with pytest.raises(ParquetPlanError, match="^" + re.escape(expected)):
        plan_of({"a": [1]}, **kwargs)


def test_a_table_named_after_a_file_stem_with_a_backslash_is_refused_naming_the_file(
    write_parquet: Callable[..., Path],
) -> None:
    path = write_parquet("src/x\\.parquet", {"a": [1]})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(path))
    assert str(err.value) == f"{path}: table name 'X\\\\' contains a backslash; pass table="
    assert plan_load(str(path), table="clean").tables[0].name == "CLEAN"


def test_external_stage_names_no_quoting_makes_safe_are_refused() -> None:
    from airflow_provider_dataops.snowflake.parquet import _external_stage

    with pytest.raises(ParquetPlanError, match="storage integration name 'i\\\\\\\\' contains a backslash"):
        _external_stage("s3://b/p", "i\\", None)
    with pytest.raises(ParquetPlanError, match=r"^kms_key_id .* contains control characters"):
        _external_stage("s3://b/p", "i", "k\n")
    with pytest.raises(ParquetPlanError, match=r"^stage_url .* contains control characters"):
        _external_stage("s3://b/p\n", "i", None)


@pytest.mark.parametrize(
    "folder",
    ["it's a \\dir", "sub--dir", "a;b", "$$", "x /* y", "semi; DROP TABLE x; --", "q'--"],
)
def test_scripts_for_hostile_folder_and_file_names_split_into_exactly_the_planned_statements(
    write_parquet: Callable[..., Path], tmp_path: Path, folder: str
) -> None:
    write_parquet(f"t/{folder}/part*.parquet", {"a": [1]})
    write_parquet("t/plain/part-0.parquet", {"a": [2]})
    for if_exists in ("append", "replace", "fail"):
        plan = plan_load(str(tmp_path / "t"), database="d", schema="s", if_exists=if_exists)
        assert_splits_into(plan.to_sql(), plan.statements)
        for statement in plan.statements:
            parse(statement)


def test_a_folder_with_a_double_dash_is_put_to_a_quoted_location_and_keeps_auto_compress_off(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    # Before: `@"STAGE"/sub--dir AUTO_COMPRESS=FALSE` - `--` started a comment, so the option and
    # the `;` were lost. Quoted targets are valid Snowflake but fakesnow cannot run them
    # (it asserts the target is a bare name), so the statement is proven here and with the
    # connector's splitter.
    write_parquet("t/sub--dir/part-0.parquet", {"a": [1]})
    [table] = plan_load(str(tmp_path / "t")).tables
    [put] = table.puts
    node = parse(put)
    location = f'@"{table.stage.strip(chr(34))}"/sub--dir'
    assert f" '{location}' " in put
    assert node.args["target"].sql("snowflake") == f"'{location}'"
    props = {p.this.name: p.args["value"].sql("snowflake") for p in node.args["properties"].expressions}
    assert props == {"AUTO_COMPRESS": "FALSE"}
    assert_splits_into(put + ";\nSELECT 1;", [put, "SELECT 1"])


def test_a_star_in_a_local_file_name_is_escaped_for_the_connectors_put_glob(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    from snowflake.connector.constants import CMD_TYPE_UPLOAD
    from snowflake.connector.file_transfer_agent import SnowflakeFileTransferAgent

    path = write_parquet("t/part*.parquet", {"a": [1]})
    write_parquet("t/part-1.parquet", {"a": [2]})
    [table] = plan_load(str(path)).tables
    [put] = table.puts
    source = parse(put).this.this
    assert source == "file://" + str(path).replace("*", "[*]")
    # The connector's own expansion of a PUT source (the server hands the path back unchanged);
    # before, the raw path expanded to part-1.parquet as well.
    agent = SnowflakeFileTransferAgent.__new__(SnowflakeFileTransferAgent)
    agent._command_type = CMD_TYPE_UPLOAD
    assert agent._expand_filenames([source[len("file://") :]]) == [str(path)]
    assert len(agent._expand_filenames([str(path)])) == 2


@pytest.mark.parametrize(
    "name", ["part[a].parquet", "q?.parquet", "x#y.parquet", "a%41b.parquet", "d[1]/p.parquet"]
)
def test_a_local_path_put_cannot_carry_is_refused_in_one_line_naming_it(
    write_parquet: Callable[..., Path], tmp_path: Path, name: str
) -> None:
    # Before: `part[a].parquet` uploaded `parta.parquet` (the connector's glob), `q?.parquet`
    # and `x#y` lost their tail as a URI query / fragment, `%41` was decoded to `A`.
    path = write_parquet(f"t/{name}", {"a": [1]})
    write_parquet("t/parta.parquet", {"a": [2]})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(tmp_path / "t"))
    message = str(err.value)
    assert message.startswith(f"{path}: a local path with ")
    assert message.endswith("rename it")
    assert len(message.splitlines()) == 1
    assert plan_load(str(write_parquet("ok/100% done.parquet", {"a": [1]}))).tables[0].puts


def test_a_local_folder_with_a_control_character_is_refused_naming_the_file(
    write_parquet: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_parquet("t/new\nline/part-0.parquet", {"a": [1]})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(tmp_path / "t"))
    assert str(err.value).startswith(f"{path}: ")
    assert "control characters" in str(err.value)


def test_the_stage_is_this_packages_own_name_created_without_or_replace(
    plan_of: Callable[..., LoadPlan],
) -> None:
    first = plan_of({"a": [1]}, database="d", schema="s").tables[0]
    again = plan_of({"a": [1]}, database="d", schema="s").tables[0]
    elsewhere = plan_of({"a": [1]}, database="d", schema="other").tables[0]
    name = first.stage.rsplit(".", 1)[-1].strip('"')
    assert re.fullmatch(r"DATAOPS_MY_TABLE_[0-9A-F]{12}", name)
    assert name != "MY_TABLE_STAGE"
    # Stable for one table: Snowflake's load metadata for an internal stage names the stage, so
    # re-runs must stage under the same name to skip files loaded before.
    assert again.stage == first.stage
    assert elsewhere.stage != first.stage
    create = parse(first.create_stage)
    assert create.args["kind"] == "STAGE"
    assert not create.args.get("replace")
    assert isinstance(create.find(exp.TemporaryProperty), exp.TemporaryProperty)
    assert stage_name('we"ird/nä me', None, None).startswith("DATAOPS_WE_IRD_N__ME_")


def test_replace_loads_a_new_table_and_swaps_it_in_after_the_copies(
    plan_of: Callable[..., LoadPlan],
) -> None:
    # fakesnow cannot run ALTER TABLE ... SWAP WITH, so the statements are proven on the AST
    # (the load itself runs on fakesnow in tests/integration/snowflake/test_fakesnow_load.py).
    plan = plan_of({"a": [1]}, database="d", schema="s", if_exists="replace")
    [table] = plan.tables
    kinds = [type(parse(s)).__name__ for s in table.statements]
    assert kinds == ["Create", "Create", "Create", "Put", "Copy", "Alter", "Drop", "Drop"]
    target = parse(table.create_table).this.this
    new = parse(table.create_load_table or "").this.this
    assert (target.catalog, target.db, target.name) == ("D", "S", "MY_TABLE")
    assert (new.catalog, new.db) == ("D", "S")
    assert re.fullmatch(r"DATAOPS_MY_TABLE_NEW_[0-9A-F]{12}", new.name)
    copy = parse(table.copies[0])
    assert copy.this.this.name == new.name
    swap = parse(table.swap[0])
    assert isinstance(swap, exp.Alter)
    assert swap.this.name == new.name
    [action] = swap.args["actions"]
    assert isinstance(action, exp.SwapTable)
    assert action.this.name == "MY_TABLE"
    drop = parse(table.swap[1])
    assert drop.args["kind"] == "TABLE"
    assert [t.name for t in drop.args["tables"]] == [new.name]
    assert plan_of({"a": [1]}, if_exists="replace").tables[0].load_table != table.load_table
