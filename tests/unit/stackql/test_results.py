"""Rows + cursor.description into typed columns: numeric to int/float where lossless, text stays text."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import polars as pl
import pytest

from airflow_provider_dataops.stackql import columns_from_rows, to_dataframe

TEXT, NUMERIC, INT4 = 25, 1700, 23


def _desc(*cols: tuple[str, int]) -> list[tuple[object, ...]]:
    return [(name, oid, None, None, None, None, None) for name, oid in cols]


def test_integral_numeric_becomes_int64_and_text_stays_text() -> None:
    rows = [("1", "42", "007"), ("2", "-3", "1.50")]
    df = to_dataframe(columns_from_rows(rows, _desc(("n", NUMERIC), ("m", NUMERIC), ("s", TEXT))))
    assert df.dtypes["n"] == "int64"
    assert df.dtypes["m"] == "int64"
    assert df["s"].tolist() == ["007", "1.50"]  # the seed's read_json would have made these numbers


def test_fractional_numeric_becomes_float64_when_lossless() -> None:
    df = to_dataframe(columns_from_rows([("1.5",), ("2",), (None,)], _desc(("x", NUMERIC))))
    assert df.dtypes["x"] == "float64"
    assert df["x"].tolist()[:2] == [1.5, 2.0]
    assert pd.isna(df["x"][2])


def test_numeric_with_more_than_15_significant_digits_stays_decimal() -> None:
    cols = columns_from_rows([("0.1234567890123456",), ("1",)], _desc(("x", NUMERIC)))
    assert cols[0].kind == "decimal"
    assert to_dataframe(cols)["x"].tolist() == [Decimal("0.1234567890123456"), Decimal("1")]


def test_integer_beyond_int64_stays_decimal() -> None:
    cols = columns_from_rows([(str(2**63),)], _desc(("x", NUMERIC)))
    assert cols[0].kind == "decimal"


def test_decimal_values_are_converted_too() -> None:
    cols = columns_from_rows([(Decimal("3"),), (Decimal("4.0"),)], _desc(("x", NUMERIC)))
    assert cols[0].kind == "int"
    assert cols[0].to_list() == [3, 4]


def test_nullable_integral_numeric_uses_nullable_int64() -> None:
    df = to_dataframe(columns_from_rows([("1",), (None,)], _desc(("x", NUMERIC))))
    assert str(df.dtypes["x"]) == "Int64"
    assert df["x"][0] == 1
    assert df["x"][1] is pd.NA


def test_empty_result_keeps_the_column_names() -> None:
    df = to_dataframe(columns_from_rows([], _desc(("a", TEXT), ("n", NUMERIC))))
    assert list(df.columns) == ["a", "n"]
    assert len(df) == 0


def test_no_result_set_gives_no_columns() -> None:
    assert columns_from_rows([], None) == []
    assert to_dataframe([]).empty


def test_polars_frame_has_the_same_types() -> None:
    rows = [("a", "1", "1.5", "12345678901234567.5"), ("b", None, "2", "1")]
    df = to_dataframe(
        columns_from_rows(rows, _desc(("s", TEXT), ("i", NUMERIC), ("f", NUMERIC), ("d", NUMERIC))), "polars"
    )
    assert df.schema["s"] == pl.String
    assert df.schema["i"] == pl.Int64
    assert df.schema["f"] == pl.Float64
    assert isinstance(df.schema["d"], pl.Decimal)
    assert df["d"].to_list() == [Decimal("12345678901234567.5"), Decimal("1.0")]


def test_other_types_are_kept_as_the_driver_made_them() -> None:
    df = to_dataframe(columns_from_rows([(1, True), (2, False)], _desc(("i", INT4), ("b", 16))))
    assert df["i"].tolist() == [1, 2]
    assert df["b"].tolist() == [True, False]


def test_unknown_df_type_is_refused() -> None:
    with pytest.raises(ValueError, match="df_type"):
        to_dataframe([], "spark")


def test_arrow_table_types_each_kind() -> None:
    rows = [("a", "1", "1.5", "12345678901234567.5"), ("b", None, "2", "1")]
    table = to_dataframe(
        columns_from_rows(rows, _desc(("s", TEXT), ("i", NUMERIC), ("f", NUMERIC), ("d", NUMERIC))), "arrow"
    )
    assert [str(t) for t in table.schema.types] == ["string", "int64", "double", "decimal128(18, 1)"]
    assert table.column("i").to_pylist() == [1, None]


def test_numeric_nan_and_infinity_become_float() -> None:
    df = to_dataframe(
        columns_from_rows([("NaN",), ("Infinity",), ("-Infinity",), ("2",)], _desc(("x", NUMERIC)))
    )
    assert df.dtypes["x"] == "float64"
    values = df["x"].tolist()
    assert values[1:] == [float("inf"), float("-inf"), 2.0]
    assert values[0] != values[0]


def test_rows_shorter_than_the_description_are_refused() -> None:
    with pytest.raises(ValueError, match="2 columns"):
        columns_from_rows([("a",)], _desc(("a", TEXT), ("b", TEXT)))


def test_text_uses_the_pandas_default_string_dtype_like_from_records() -> None:
    rows = [("a", "x"), (None, "y")]
    df = to_dataframe(columns_from_rows(rows, _desc(("s", TEXT), ("u", 2950))))  # 2950: uuid, sent as text
    plain = pd.DataFrame.from_records(rows, columns=["s", "u"])
    assert (
        df.dtypes.to_dict()
        == plain.dtypes.to_dict()
        == {"s": pd.Series(["z"]).dtype, "u": pd.Series(["z"]).dtype}
    )
    assert df["s"].tolist()[0] == "a"
    assert pd.isna(df["s"][1])


def test_empty_text_column_has_the_default_string_dtype_too() -> None:
    df = to_dataframe(columns_from_rows([], _desc(("s", TEXT))))
    assert df.dtypes["s"] == pd.Series(["z"]).dtype


def test_decimal_and_mixed_columns_stay_python_objects() -> None:
    rows = [("12345678901234567.5", {"a": 1}), ("1", None)]
    df = to_dataframe(columns_from_rows(rows, _desc(("d", NUMERIC), ("j", 114))))  # 114: json
    assert df.dtypes["d"].kind == "O"
    assert df.dtypes["j"].kind == "O"
