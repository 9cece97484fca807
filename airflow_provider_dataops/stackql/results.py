"""Result rows + DB-API ``cursor.description`` into typed columns and DataFrames.

StackQL sends most columns as text (type 25) and numbers as ``numeric`` (1700). Text stays
text (no guessing, unlike the seed's ``pd.read_json(json.dumps(rows))``); a numeric column
becomes int64 when every value is integral and fits, float64 when every value has at most 15
significant digits (so the float prints back as the same decimal), else it keeps
:class:`decimal.Decimal`. Numeric values may arrive as ``str`` (the hook reads them as text,
which is faster than building Decimals) or as ``Decimal``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

NUMERIC_OID = 1700
TEXT_OIDS = frozenset({25, 1043, 1042, 19})  # text, varchar, bpchar, name
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_FLOAT_DIGITS = 15

Kind = Literal["int", "float", "decimal", "text", "other"]


@dataclass(frozen=True)
class Column:
    """One result column; ``values`` is a list, or a pyarrow Array for numeric text typed in bulk."""

    name: str
    kind: Kind
    values: Any

    def to_list(self) -> list[Any]:
        return self.values.to_pylist() if hasattr(self.values, "to_pylist") else list(self.values)


def columns_from_rows(
    rows: Sequence[Sequence[Any]], description: Sequence[Sequence[Any]] | None
) -> list[Column]:
    """Transpose ``rows`` into one :class:`Column` per ``description`` entry (none if no result set)."""
    if not description:
        return []
    names = [str(item[0]) for item in description]
    transposed = _transpose(rows, len(names))
    return [
        _column(name, item[1], values)
        for name, item, values in zip(names, description, transposed, strict=True)
    ]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many young, acyclic containers (rows, columns)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _transpose(rows: Sequence[Sequence[Any]], width: int) -> list[tuple[Any, ...]]:
    """Rows to column tuples (no list copies), GC paused: with a fresh ``fetchall()`` (all
    objects young) the collections would otherwise cost more than the transposition itself."""
    if not rows:
        return [() for _ in range(width)]
    with gc_paused():
        columns = list(zip(*rows, strict=True))
    if len(columns) != width:
        raise ValueError(f"rows have {len(columns)} values but the description names {width} columns")
    return columns


def _column(name: str, type_code: Any, values: Sequence[Any]) -> Column:
    if type_code == NUMERIC_OID:
        return _numeric_column(name, values)
    return Column(name, "text" if type_code in TEXT_OIDS else "other", values)


def _numeric_column(name: str, values: Sequence[Any]) -> Column:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, str):
        column = _numeric_text_column(name, values)
        if column is not None:
            return column
    present = [v for v in values if v is not None] if None in values else values
    try:
        ints = [int(v) if isinstance(v, str) else _exact_int(v) for v in present]
    except (ValueError, ArithmeticError):
        pass
    else:
        if not ints or (min(ints) >= _INT64_MIN and max(ints) <= _INT64_MAX):
            return Column(name, "int", _refill(values, ints))
    if all(_float_safe(v) for v in present):
        return Column(name, "float", [None if v is None else float(v) for v in values])
    return Column(name, "decimal", [None if v is None else Decimal(v) for v in values])


def _numeric_text_column(name: str, values: Sequence[Any]) -> Column | None:
    """Vectorised (pyarrow) typing of numeric text; ``None`` when it must stay Decimal."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if not pc.any(pc.match_substring(text, ".")).as_py():
        try:
            return Column(name, "int", pc.cast(text, pa.int64()))
        except pa.ArrowInvalid:  # NaN, Infinity or beyond int64
            pass
    finite = pc.invert(pc.is_in(text, value_set=pa.array(["NaN", "Infinity", "-Infinity"])))
    # digits incl. leading zeros: conservative, never calls a lossy value lossless
    digits = pc.subtract(
        pc.utf8_length(text), pc.add(pc.count_substring(text, "."), pc.count_substring(text, "-"))
    )
    widest = pc.max(pc.if_else(finite, digits, 0)).as_py()
    if widest is not None and widest > _FLOAT_DIGITS:
        return None
    return Column(name, "float", pc.cast(text, pa.float64()))


def _exact_int(value: Any) -> int:
    as_int = int(value)
    if as_int != value:
        raise ValueError(f"{value} is not integral")
    return as_int


def _float_safe(value: Any) -> bool:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return True
        digits = value.as_tuple().digits
        return len(digits) - _leading_zeros(digits) <= _FLOAT_DIGITS
    text = str(value).lstrip("+-")
    if text in ("NaN", "Infinity"):
        return True
    return len(text.replace(".", "").lstrip("0")) <= _FLOAT_DIGITS


def _leading_zeros(digits: tuple[int, ...]) -> int:
    count = 0
    for digit in digits:
        if digit:
            break
        count += 1
    return count


def _refill(values: Sequence[Any], present: list[Any]) -> list[Any]:
    if len(present) == len(values):
        return present
    filled = iter(present)
    return [None if v is None else next(filled) for v in values]


def to_dataframe(columns: Sequence[Column], df_type: str = "pandas") -> Any:
    """Build a pandas or polars DataFrame (or, with ``"arrow"``, a pyarrow Table) from columns."""
    if df_type == "pandas":
        return _pandas(columns)
    if df_type == "polars":
        return _polars(columns)
    if df_type == "arrow":
        return _arrow(columns)
    raise ValueError(f"df_type must be 'pandas', 'polars' or 'arrow', not {df_type!r}")


def _pandas(columns: Sequence[Column]) -> Any:
    import pandas as pd

    text_dtype = default_string_dtype()
    data: dict[str, Any] = {}
    for column in columns:
        if column.kind == "int":
            ints = _as_arrow(column.values, "int64")
            if ints.null_count:
                mask = ints.is_null().to_numpy(zero_copy_only=False)
                data[column.name] = pd.arrays.IntegerArray(ints.fill_null(0).to_numpy(), mask)
            else:
                data[column.name] = ints.to_numpy()
        elif column.kind == "float":
            data[column.name] = _as_arrow(column.values, "float64").to_numpy(zero_copy_only=False)
        elif column.kind == "decimal":
            data[column.name] = pd.Series(column.values, dtype=object)
        elif column.kind == "text" or _all_text(column.values):
            data[column.name] = _pandas_text(column.values, text_dtype)
        else:
            data[column.name] = pd.Series(column.values)
    if len(data) < len(columns):
        raise ValueError(f"duplicate column names in the result: {[c.name for c in columns]}")
    return pd.DataFrame(data)


def _as_arrow(values: Any, type_name: str) -> Any:
    import pyarrow as pa

    return values if isinstance(values, pa.Array) else pa.array(values, type=getattr(pa, type_name)())


def default_string_dtype() -> Any:
    """The dtype pandas itself gives text: ``str`` in pandas 3 (``StringDtype(na_value=nan)``);
    in pandas 2 ``object``, or ``str`` with ``pd.options.future.infer_string`` on."""
    import pandas as pd

    return pd.Series([""]).dtype


def _all_text(values: Sequence[Any]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, str) for v in present)


def _pandas_text(values: Any, dtype: Any) -> Any:
    """Text in ``dtype``; built through Arrow when pandas stores it there (about 2x faster)."""
    import pandas as pd

    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        return pa.array(values, type=pa.string()).to_pandas(types_mapper={pa.string(): dtype}.get)
    return pd.Series(values, dtype=dtype)


def _polars(columns: Sequence[Column]) -> Any:
    import polars as pl

    series = []
    for column in columns:
        if column.kind == "int":
            series.append(pl.Series(column.name, _as_arrow(column.values, "int64")))
        elif column.kind == "float":
            series.append(pl.Series(column.name, _as_arrow(column.values, "float64")))
        elif column.kind == "decimal":
            series.append(
                pl.Series(column.name, column.values, dtype=pl.Decimal(scale=_max_scale(column.values)))
            )
        elif column.kind == "text":
            series.append(pl.Series(column.name, column.values, dtype=pl.String))
        else:
            series.append(pl.Series(column.name, column.values, strict=False))
    return pl.DataFrame(series)


def _max_scale(values: Sequence[Any]) -> int:
    exponents = [v.as_tuple().exponent for v in values if isinstance(v, Decimal) and v.is_finite()]
    return max((-e for e in exponents if isinstance(e, int) and e < 0), default=0)


def _arrow(columns: Sequence[Column]) -> Any:
    import pyarrow as pa

    names = [c.name for c in columns]
    if len(set(names)) < len(names):
        raise ValueError(f"duplicate column names in the result: {names}")
    fixed = {"int": pa.int64(), "float": pa.float64(), "text": pa.string()}
    arrays = []
    for column in columns:
        if isinstance(column.values, pa.Array):
            arrays.append(column.values)
        elif column.kind in fixed:
            arrays.append(pa.array(column.values, type=fixed[column.kind]))
        elif column.kind == "decimal":
            arrays.append(pa.array(column.values, type=_arrow_decimal(column.values)))
        else:
            arrays.append(pa.array(column.values))
    return pa.Table.from_arrays(arrays, names=names)


def _arrow_decimal(values: Sequence[Any]) -> Any:
    import pyarrow as pa

    finite = [v for v in values if isinstance(v, Decimal) and v.is_finite()]
    scale = _max_scale(values)
    integer_digits = max((len(v.as_tuple().digits) + int(v.as_tuple().exponent) for v in finite), default=1)
    precision = max(integer_digits, 1) + scale
    if len(finite) < len([v for v in values if v is not None]):
        raise ValueError("numeric NaN/Infinity among non-float values cannot be written as a decimal column")
    return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(min(precision, 76), scale)
