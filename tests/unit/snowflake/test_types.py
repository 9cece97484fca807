"""The Arrow → Snowflake type table, overrides and widening."""

from __future__ import annotations

import pyarrow as pa
import pytest

from airflow_provider_dataops.snowflake.parquet import UnsupportedTypeError, snowflake_type
from airflow_provider_dataops.snowflake.types import normalise_type_spec, widen


@pytest.mark.parametrize(
    ("arrow_type", "expected"),
    [
        (pa.int8(), "NUMBER(38,0)"),
        (pa.int64(), "NUMBER(38,0)"),
        (pa.uint8(), "NUMBER(38,0)"),
        (pa.uint64(), "NUMBER(38,0)"),
        (pa.float16(), "FLOAT"),
        (pa.float32(), "FLOAT"),
        (pa.float64(), "FLOAT"),
        (pa.decimal128(10, 2), "NUMBER(10,2)"),
        (pa.decimal128(38, 0), "NUMBER(38,0)"),
        (pa.decimal256(20, 5), "NUMBER(20,5)"),
        (pa.string(), "VARCHAR"),
        (pa.large_string(), "VARCHAR"),
        (pa.string_view(), "VARCHAR"),
        (pa.dictionary(pa.int32(), pa.string()), "VARCHAR"),
        (pa.dictionary(pa.int8(), pa.int64()), "NUMBER(38,0)"),
        (pa.binary(), "BINARY"),
        (pa.large_binary(), "BINARY"),
        (pa.binary(16), "BINARY"),
        (pa.bool_(), "BOOLEAN"),
        (pa.date32(), "DATE"),
        (pa.date64(), "DATE"),
        (pa.timestamp("s"), "TIMESTAMP_NTZ(0)"),
        (pa.timestamp("ms"), "TIMESTAMP_NTZ(3)"),
        (pa.timestamp("us"), "TIMESTAMP_NTZ(6)"),
        (pa.timestamp("ns"), "TIMESTAMP_NTZ(9)"),
        (pa.timestamp("us", tz="UTC"), "TIMESTAMP_LTZ(6)"),
        (pa.timestamp("ns", tz="Australia/Melbourne"), "TIMESTAMP_LTZ(9)"),
        (pa.time32("s"), "TIME(0)"),
        (pa.time32("ms"), "TIME(3)"),
        (pa.time64("us"), "TIME(6)"),
        (pa.time64("ns"), "TIME(9)"),
        (pa.list_(pa.int64()), "ARRAY"),
        (pa.large_list(pa.string()), "ARRAY"),
        (pa.list_(pa.int8(), 3), "ARRAY"),
        (pa.struct([("a", pa.int64())]), "OBJECT"),
        (pa.map_(pa.string(), pa.int64()), "OBJECT"),
        (pa.null(), "VARIANT"),
        (pa.uuid(), "BINARY"),
    ],
    ids=str,
)
def test_arrow_type_maps_to_the_documented_snowflake_type(arrow_type: pa.DataType, expected: str) -> None:
    assert snowflake_type(arrow_type) == expected


def test_decimal_wider_than_38_digits_is_a_clear_error_suggesting_an_override() -> None:
    with pytest.raises(UnsupportedTypeError, match=r"precision 40 > 38.*type_overrides"):
        snowflake_type(pa.decimal256(40, 2))


@pytest.mark.parametrize("arrow_type", [pa.duration("s"), pa.month_day_nano_interval()], ids=str)
def test_types_without_a_snowflake_column_type_are_a_clear_error(arrow_type: pa.DataType) -> None:
    with pytest.raises(UnsupportedTypeError, match=str(arrow_type).replace("[", r"\[")):
        snowflake_type(arrow_type)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("varchar", "VARCHAR"), ("number(18, 2)", "NUMBER(18,2)"), (" TIMESTAMP_NTZ(9) ", "TIMESTAMP_NTZ(9)")],
)
def test_override_types_are_normalised(spec: str, expected: str) -> None:
    assert normalise_type_spec(spec) == expected


@pytest.mark.parametrize("spec", ["VARCHAR); DROP TABLE x; --", "INT NOT NULL", "", "NUMBER(1,2,3)", "'x'"])
def test_override_types_that_are_not_a_bare_type_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="is not a Snowflake type"):
        normalise_type_spec(spec)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("NUMBER(38,0)", "NUMBER(38,0)", "NUMBER(38,0)"),
        ("NUMBER(10,2)", "NUMBER(12,4)", "NUMBER(12,4)"),
        ("NUMBER(10,2)", "NUMBER(8,6)", "NUMBER(14,6)"),
        ("TIMESTAMP_NTZ(3)", "TIMESTAMP_NTZ(9)", "TIMESTAMP_NTZ(9)"),
        ("TIME(0)", "TIME(6)", "TIME(6)"),
        ("NUMBER(38,0)", "FLOAT", None),
        ("NUMBER(38,0)", "NUMBER(10,2)", None),
        ("TIMESTAMP_NTZ(6)", "TIMESTAMP_LTZ(6)", None),
        ("VARCHAR", "BINARY", None),
    ],
)
def test_widen_holds_both_types_or_reports_a_conflict(left: str, right: str, expected: str | None) -> None:
    assert widen(left, right) == expected
    assert widen(right, left) == expected
