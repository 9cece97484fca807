"""Arrow → Snowflake type mapping (no Airflow import).

=================================================  ==================================
Arrow type (as read from the Parquet footer)       Snowflake column type
=================================================  ==================================
int8…int64, uint8…uint64                           ``NUMBER(38,0)``
float16, float32, float64                          ``FLOAT``
decimal(p, s), p <= 38                             ``NUMBER(p,s)``
decimal(p, s), p > 38                              error unless overridden
string, large_string, string_view,                 ``VARCHAR``
dictionary<…, string>
binary, large_binary, binary_view, fixed_size      ``BINARY``
bool                                               ``BOOLEAN``
date32, date64                                     ``DATE``
timestamp(unit) without time zone                  ``TIMESTAMP_NTZ(n)``
timestamp(unit, tz)                                ``TIMESTAMP_LTZ(n)``
time32 / time64 (unit)                             ``TIME(n)``
list, large_list, fixed_size_list, list_view       ``ARRAY``
struct, map                                        ``OBJECT``
null (a column with no values)                     ``VARIANT``
dictionary<…, other>, extension types              the value / storage type's mapping
anything else (duration, interval, union, …)       error unless overridden
=================================================  ==================================

``n`` is the unit's digits: s → 0, ms → 3, us → 6, ns → 9.

Why ``TIMESTAMP_LTZ`` for zoned timestamps: Parquet stores them as UTC instants
(``isAdjustedToUTC=true``) and keeps no per-value offset. ``TIMESTAMP_LTZ`` stores exactly an
instant; ``TIMESTAMP_TZ`` would also store an offset, and the only offset available at load
time is the loading session's time zone, which says nothing about the data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_UNIT_SCALE = {"s": 0, "ms": 3, "us": 6, "ns": 9}

MAX_NUMBER_PRECISION = 38

#: A Snowflake type name with optional ``(n)`` or ``(p, s)``; anything else is refused as an override.
_TYPE_SPEC = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\s*\(\s*\d+\s*(,\s*\d+\s*)?\))?$")


class UnsupportedTypeError(ValueError):
    """An Arrow type with no faithful Snowflake column type (and no override for it)."""


def snowflake_type(arrow_type: Any) -> str:
    """The Snowflake column type for a pyarrow ``DataType`` (see the module's table)."""
    by_id = _by_type_id()
    found = by_id.get(arrow_type.id)
    if found is not None:
        return found
    key = _param_key(arrow_type)
    if key is None:
        return _snowflake_type(arrow_type)
    found = _BY_PARAMS.get(key)
    if found is None:
        found = _BY_PARAMS[key] = _snowflake_type(arrow_type)
    return found


_BY_PARAMS: dict[tuple[Any, ...], str] = {}
_TIMESTAMP_ID, _TIME32_ID, _TIME64_ID, _DECIMAL128_ID, _DECIMAL256_ID = 18, 19, 20, 23, 24


def _param_key(arrow_type: Any) -> tuple[Any, ...] | None:
    """A cheap cache key for the common parameterised types (hashing a DataType costs ~1 us)."""
    type_id = arrow_type.id
    if type_id == _TIMESTAMP_ID:
        return (type_id, arrow_type.unit, arrow_type.tz is not None)
    if type_id in (_TIME32_ID, _TIME64_ID):
        return (type_id, arrow_type.unit)
    if type_id in (_DECIMAL128_ID, _DECIMAL256_ID):
        return (type_id, arrow_type.precision, arrow_type.scale)
    return None


@lru_cache(maxsize=1)
def _by_type_id() -> dict[int, str]:
    """Types whose mapping has no parameters, keyed by Arrow type id (cheaper than hashing a type)."""
    import pyarrow as pa

    plain = [
        pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64(),
        pa.float16(), pa.float32(), pa.float64(), pa.string(), pa.large_string(), pa.string_view(),
        pa.binary(), pa.large_binary(), pa.binary_view(), pa.bool_(), pa.date32(), pa.date64(),
        pa.list_(pa.null()), pa.large_list(pa.null()), pa.struct([]), pa.map_(pa.string(), pa.null()),
        pa.null(),
    ]  # fmt: skip
    return {t.id: _snowflake_type(t) for t in plain}


@lru_cache(maxsize=4096)
def _snowflake_type(arrow_type: Any) -> str:
    import pyarrow as pa

    t = pa.types
    if t.is_integer(arrow_type):
        return "NUMBER(38,0)"
    if t.is_floating(arrow_type):
        return "FLOAT"
    if t.is_decimal(arrow_type):
        if arrow_type.precision > MAX_NUMBER_PRECISION:
            raise UnsupportedTypeError(
                f"{arrow_type} has precision {arrow_type.precision} > {MAX_NUMBER_PRECISION}, the most a "
                "Snowflake NUMBER holds; give the column a type_overrides entry (e.g. VARCHAR or FLOAT)"
            )
        return f"NUMBER({arrow_type.precision},{arrow_type.scale})"
    if t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_string_view(arrow_type):
        return "VARCHAR"
    if (
        t.is_binary(arrow_type)
        or t.is_large_binary(arrow_type)
        or t.is_fixed_size_binary(arrow_type)
        or t.is_binary_view(arrow_type)
    ):
        return "BINARY"
    if t.is_boolean(arrow_type):
        return "BOOLEAN"
    if t.is_date(arrow_type):
        return "DATE"
    if t.is_timestamp(arrow_type):
        kind = "TIMESTAMP_LTZ" if arrow_type.tz else "TIMESTAMP_NTZ"
        return f"{kind}({_UNIT_SCALE[arrow_type.unit]})"
    if t.is_time(arrow_type):
        return f"TIME({_UNIT_SCALE[arrow_type.unit]})"
    if (
        t.is_list(arrow_type)
        or t.is_large_list(arrow_type)
        or t.is_fixed_size_list(arrow_type)
        or t.is_list_view(arrow_type)
        or t.is_large_list_view(arrow_type)
    ):
        return "ARRAY"
    if t.is_struct(arrow_type) or t.is_map(arrow_type):
        return "OBJECT"
    if t.is_null(arrow_type):
        return "VARIANT"
    if t.is_dictionary(arrow_type):
        return _snowflake_type(arrow_type.value_type)
    if isinstance(arrow_type, pa.BaseExtensionType):
        return _snowflake_type(arrow_type.storage_type)
    raise UnsupportedTypeError(
        f"{arrow_type} has no Snowflake column type; give the column a type_overrides entry (e.g. VARCHAR)"
    )


def normalise_type_spec(spec: str) -> str:
    """Validate a user-given Snowflake type (``type_overrides`` value) and return it upper-cased.

    Only a bare type name with optional ``(n)`` / ``(p,s)`` is accepted, so an override can never
    carry SQL into a statement.
    """
    if not isinstance(spec, str) or not _TYPE_SPEC.match(spec.strip()):
        raise ValueError(f"{spec!r} is not a Snowflake type such as VARCHAR, NUMBER(18,2) or TIME(9)")
    return re.sub(r"\s+", "", spec.strip().upper())


_PARAMS = re.compile(r"^([A-Z_]+)\((\d+)(?:,(\d+))?\)$")


def widen(left: str, right: str) -> str | None:
    """The narrowest type holding both ``left`` and ``right``, or ``None`` when they conflict.

    Same type → itself; ``TIMESTAMP_*``/``TIME`` of different precision → the larger; two
    ``NUMBER(p,s)`` → enough integer digits and scale for both (while p stays <= 38).
    """
    if left == right:
        return left
    lm, rm = _PARAMS.match(left), _PARAMS.match(right)
    if not lm or not rm or lm.group(1) != rm.group(1):
        return None
    name = lm.group(1)
    if name == "NUMBER":
        lp, ls = int(lm.group(2)), int(lm.group(3) or 0)
        rp, rs = int(rm.group(2)), int(rm.group(3) or 0)
        scale = max(ls, rs)
        precision = max(lp - ls, rp - rs) + scale
        return f"NUMBER({precision},{scale})" if precision <= MAX_NUMBER_PRECISION else None
    if name in {"TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ", "TIME"} and lm.group(3) is None:
        return f"{name}({max(int(lm.group(2)), int(rm.group(2)))})"
    return None
