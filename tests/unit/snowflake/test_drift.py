"""Schema drift planning against an existing table (pure: no connection)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from airflow_provider_dataops.snowflake.drift import (
    ColumnLoad,
    FileColumn,
    SchemaDriftError,
    TableColumn,
    columns_from_describe,
    parse_type,
    plan_schema_change,
    render_type,
)

TABLE_SQL = '"DB"."PUBLIC"."SALES"'
TABLE = [
    TableColumn("ID", "NUMBER(38,0)", False),
    TableColumn("AMOUNT", "NUMBER(10,2)", True),
    TableColumn("note", "VARCHAR(16777216)", True),
]


def plan(files: list[FileColumn], mode: str = "append_new_columns", table: list[TableColumn] = TABLE):
    return plan_schema_change(TABLE_SQL, "DB.PUBLIC.SALES", files, table, mode)


def test_same_schema_needs_no_statement_and_loads_every_column():
    change = plan(
        [
            FileColumn("ID", "NUMBER(38,0)"),
            FileColumn("AMOUNT", "NUMBER(10,2)"),
            FileColumn("note", "VARCHAR"),
        ]
    )
    assert change.statements == ()
    assert not change.changed
    assert [load.target for load in change.loads] == ["ID", "AMOUNT", "note"]


def test_new_file_column_is_added_nullable_in_append_new_columns():
    change = plan([FileColumn("ID", "NUMBER(38,0)"), FileColumn("Region", "VARCHAR")])
    assert change.statements == (f'ALTER TABLE {TABLE_SQL} ADD COLUMN "Region" VARCHAR',)
    assert ColumnLoad("Region", "Region", "VARCHAR") in change.loads
    assert ("Region", "VARCHAR", True) in change.columns_after
    assert change.missing == ("AMOUNT", "note")


def test_new_file_column_fails_naming_table_and_column_in_fail_mode():
    with pytest.raises(SchemaDriftError, match=r"DB\.PUBLIC\.SALES.*only in the files: 'Region'"):
        plan([FileColumn("ID", "NUMBER(38,0)"), FileColumn("AMOUNT", "NUMBER(10,2)"),
              FileColumn("note", "VARCHAR"), FileColumn("Region", "VARCHAR")], mode="fail")  # fmt: skip


def test_column_only_in_the_table_fails_in_fail_mode():
    with pytest.raises(SchemaDriftError, match=r"only in the table: 'AMOUNT', 'note'"):
        plan([FileColumn("ID", "NUMBER(38,0)")], mode="fail")


def test_new_file_column_is_left_out_in_ignore_mode():
    change = plan([FileColumn("ID", "NUMBER(38,0)"), FileColumn("Region", "VARCHAR")], mode="ignore")
    assert change.statements == ()
    assert change.ignored == ("Region",)
    assert [load.source for load in change.loads] == ["ID"]


def test_not_null_column_missing_from_the_files_is_refused_in_every_mode():
    for mode in ("append_new_columns", "ignore"):
        with pytest.raises(SchemaDriftError, match=r"NOT NULL columns the files do not have.*'ID'"):
            plan([FileColumn("AMOUNT", "NUMBER(10,2)")], mode=mode)


def test_number_precision_up_at_the_same_scale_is_widened():
    change = plan([FileColumn("ID", "NUMBER(38,0)"), FileColumn("AMOUNT", "NUMBER(20,2)")])
    assert change.widened == (("AMOUNT", "NUMBER(10,2)", "NUMBER(20,2)"),)
    assert f'ALTER TABLE {TABLE_SQL} ALTER COLUMN "AMOUNT" SET DATA TYPE NUMBER(20,2)' in change.statements
    assert ColumnLoad("AMOUNT", "AMOUNT", "NUMBER(20,2)") in change.loads


def test_narrower_file_number_fits_without_alter():
    change = plan([FileColumn("ID", "NUMBER(9,0)"), FileColumn("AMOUNT", "NUMBER(5,1)")])
    assert change.statements == ()


def test_number_scale_change_is_refused_with_both_types():
    with pytest.raises(
        SchemaDriftError, match=r"'AMOUNT' is NUMBER\(10,2\) in the table but NUMBER\(12,4\).*scale"
    ):
        plan([FileColumn("ID", "NUMBER(38,0)"), FileColumn("AMOUNT", "NUMBER(12,4)")])


def test_timestamp_precision_up_is_refused_because_snowflake_cannot_alter_it():
    table = [TableColumn("TS", "TIMESTAMP_NTZ(6)", True)]
    with pytest.raises(SchemaDriftError, match=r"'TS' is TIMESTAMP_NTZ\(6\).*TIMESTAMP_NTZ\(9\).*precision"):
        plan([FileColumn("TS", "TIMESTAMP_NTZ(9)")], table=table)
    assert plan([FileColumn("TS", "TIMESTAMP_NTZ(3)")], table=table).statements == ()


def test_zoned_instants_fit_a_timestamp_tz_column_but_not_a_wall_clock_one():
    assert (
        plan(
            [FileColumn("TS", "TIMESTAMP_LTZ(6)")], table=[TableColumn("TS", "TIMESTAMP_TZ(9)", True)]
        ).statements
        == ()
    )
    with pytest.raises(SchemaDriftError, match="a different type"):
        plan([FileColumn("TS", "TIMESTAMP_LTZ(6)")], table=[TableColumn("TS", "TIMESTAMP_NTZ(9)", True)])


def test_varchar_length_up_from_an_override_is_widened_but_lengthless_parquet_text_fits():
    table = [TableColumn("CODE", "VARCHAR(10)", True)]
    assert plan([FileColumn("CODE", "VARCHAR")], table=table).statements == ()
    change = plan([FileColumn("CODE", "VARCHAR(40)")], table=table)
    assert change.widened == (("CODE", "VARCHAR(10)", "VARCHAR(40)"),)


def test_different_type_is_refused_in_append_and_cast_to_the_table_type_in_ignore():
    table = [TableColumn("AMOUNT", "NUMBER(10,2)", True)]
    with pytest.raises(SchemaDriftError, match=r"NUMBER\(10,2\) in the table but FLOAT"):
        plan([FileColumn("AMOUNT", "FLOAT")], table=table)
    change = plan([FileColumn("AMOUNT", "FLOAT")], table=table, mode="ignore")
    assert change.loads == (ColumnLoad("AMOUNT", "AMOUNT", "NUMBER(10,2)"),)
    assert change.statements == ()


def test_every_problem_of_a_table_is_listed_at_once():
    table = [
        TableColumn("A", "NUMBER(10,2)", True),
        TableColumn("B", "DATE", True),
        TableColumn("C", "DATE", False),
    ]
    with pytest.raises(SchemaDriftError) as info:
        plan([FileColumn("A", "NUMBER(10,4)"), FileColumn("B", "VARCHAR")], table=table)
    message = str(info.value)
    for column in ("'A'", "'B'", "'C'"):
        assert column in message


def test_parquet_name_matches_unquoted_upper_case_column_and_says_so():
    change = plan([FileColumn("id", "NUMBER(38,0)"), FileColumn("Amount", "NUMBER(10,2)")])
    assert change.case_matched == (("id", "ID"), ("Amount", "AMOUNT"))
    assert ColumnLoad("Amount", "AMOUNT", "NUMBER(10,2)") in change.loads
    assert any("Snowflake resolves the unquoted name Amount to AMOUNT" in line for line in change.describe())


def test_exact_name_wins_over_case_folding_and_a_quoted_lower_case_column_is_not_folded():
    table = [TableColumn("AMOUNT", "NUMBER(10,2)", True), TableColumn("amount", "NUMBER(10,2)", True)]
    change = plan([FileColumn("amount", "NUMBER(10,2)")], table=table)
    assert change.loads == (ColumnLoad("amount", "amount", "NUMBER(10,2)"),)
    assert change.case_matched == ()
    # "a b" is not a valid unquoted identifier, so it never folds onto "A B".
    change = plan([FileColumn("a b", "VARCHAR")], table=[TableColumn("A B", "VARCHAR", True)])
    assert change.added == (FileColumn("a b", "VARCHAR"),)


def test_semi_structured_file_columns_fit_a_variant_column():
    table = [TableColumn("PAYLOAD", "VARIANT", True)]
    for kind in ("OBJECT", "ARRAY", "VARIANT"):
        assert plan([FileColumn("PAYLOAD", kind)], table=table).statements == ()


def test_added_column_names_are_quoted_so_a_hostile_name_stays_a_name():
    change = plan([FileColumn("ID", "NUMBER(38,0)"), FileColumn('x"; DROP TABLE T; --', "VARCHAR")])
    assert change.statements == (f'ALTER TABLE {TABLE_SQL} ADD COLUMN "x""; DROP TABLE T; --" VARCHAR',)


def test_unknown_mode_is_refused():
    with pytest.raises(SchemaDriftError, match="on_schema_change='sync_all_columns' is not one of"):
        plan([FileColumn("ID", "NUMBER(38,0)")], mode="sync_all_columns")


@pytest.mark.parametrize(
    ("spec", "canonical"),
    [
        ("TEXT", "VARCHAR"),
        ("VARCHAR(16777216)", "VARCHAR(16777216)"),
        ("int", "NUMBER(38,0)"),
        ("DECIMAL(18, 2)", "NUMBER(18,2)"),
        ("NUMBER", "NUMBER(38,0)"),
        ("DOUBLE", "FLOAT"),
        ("TIMESTAMP", "TIMESTAMP_NTZ(9)"),
        ("TIMESTAMP_LTZ(6)", "TIMESTAMP_LTZ(6)"),
        ("CHAR", "VARCHAR(1)"),
        ("VARIANT", "VARIANT"),
    ],
)
def test_types_fold_snowflake_synonyms(spec: str, canonical: str):
    assert render_type(parse_type(spec)) == canonical


def test_describe_rows_become_columns_with_nullability():
    rows = [("ID", "NUMBER(38,0)", "COLUMN", "N", None), ("note", "VARCHAR(20)", "COLUMN", "Y", None)]
    assert columns_from_describe(rows) == [
        TableColumn("ID", "NUMBER(38,0)", False),
        TableColumn("note", "VARCHAR(20)", True),
    ]


def test_a_fitted_script_splits_into_exactly_its_statements_with_hostile_new_columns(
    write_parquet: Callable[..., Path],
) -> None:
    from dataclasses import replace

    from airflow_provider_dataops.snowflake.parquet import fit_to_table, plan_load
    from tests.fixtures.snowflake import assert_splits_into

    hostile = "it's; DROP TABLE T; --"
    path = write_parquet("sales.parquet", {"AMOUNT": [1], hostile: ["x"], "Note": ["y"]})
    plan = plan_load(str(path), table="SALES", database="DB", schema="PUBLIC")
    [table] = plan.tables
    files = [FileColumn(n, t) for n, t in zip(table.column_names, table.column_types, strict=True)]
    change = plan_schema_change(
        table.load_table, table.qualified_name, files, [TableColumn("AMOUNT", "NUMBER(38,0)", True)]
    )
    fitted = replace(plan, tables=(fit_to_table(table, change),))

    assert fitted.tables[0].alters == change.statements
    assert len(change.statements) == 2
    assert_splits_into(fitted.to_sql(), fitted.statements)
    assert (
        'COPY INTO "DB"."PUBLIC"."SALES" ("AMOUNT", "it\'s; DROP TABLE T; --", "Note")'
        in fitted.tables[0].copies[0]
    )
