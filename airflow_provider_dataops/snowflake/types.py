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
Parquet ``VARIANT`` group (footer logical type)    ``VARIANT`` (always nullable)
Parquet ``GEOMETRY`` (WKB), CRS with an SRID       ``GEOMETRY``, via ``TO_GEOMETRY(wkb, srid)``
Parquet ``GEOGRAPHY`` (WKB), WGS 84 / spherical    ``GEOGRAPHY``, via ``TO_GEOGRAPHY(wkb)``
anything else (duration, interval, union, …)       error unless overridden
=================================================  ==================================

``n`` is the unit's digits: s → 0, ms → 3, us → 6, ns → 9.

Why ``TIMESTAMP_LTZ`` for zoned timestamps: Parquet stores them as UTC instants
(``isAdjustedToUTC=true``) and keeps no per-value offset. ``TIMESTAMP_LTZ`` stores exactly an
instant; ``TIMESTAMP_TZ`` would also store an offset, and the only offset available at load
time is the loading session's time zone, which says nothing about the data.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, NamedTuple

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
    if arrow_type.id == _EXTENSION_ID:  # not always hashable, so never a cache key
        return snowflake_type(arrow_type.storage_type)
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


class FooterType(NamedTuple):
    """A Parquet logical type that the Arrow schema does not show."""

    kind: str
    """``VARIANT``, ``GEOMETRY`` or ``GEOGRAPHY``."""
    crs: str = ""
    """The footer's CRS (``""``: the default, OGC:CRS84); ``projjson:KEY`` already replaced by the
    PROJJSON stored under KEY in the file's key-value metadata."""
    algorithm: str = ""
    """A GEOGRAPHY's edge interpolation (``spherical`` unless the footer says otherwise)."""


_BINARY_IDS = frozenset({13, 14, 35, 40})  # binary, fixed_size_binary, large_binary, binary_view
_EXTENSION_ID = 31
_GEO_HEAD = re.compile(r"^(Geometry|Geography)\(crs=")
_GEOGRAPHY_TAIL = re.compile(r", algorithm=([a-z_]+)\)$")
_WGS84 = 4326
#: CRS names with a fixed EPSG equivalent (OGC's lon/lat forms of WGS 84, NAD83, NAD27).
_OGC_SRID = {"OGC:CRS84": _WGS84, "OGC:CRS83": 4269, "OGC:CRS27": 4267}
_SRID_FORM = re.compile(r"^(?:(?:EPSG|srid):)?(\d{1,9})$", re.IGNORECASE)


#: In Parquet's Thrift-compact footer, a VARIANT / GEOMETRY / GEOGRAPHY logical type is field 16 /
#: 17 / 18 of the LogicalType union; an id above 15 always takes the long header: the struct type
#: byte 0x0C, then the zigzag varint of the id (0x20 / 0x22 / 0x24).
_HIDDEN_TYPE_HEADER = re.compile(rb"\x0c[\x20\x22\x24]")


def may_hide_types(footer: bytes) -> bool:
    """Whether raw footer bytes may carry a logical type the Arrow schema hides (no false
    negatives; a rare false positive only costs the exact check in :func:`footer_types`)."""
    return _HIDDEN_TYPE_HEADER.search(footer) is not None


def footer_types(
    schema: Any, names: list[str], arrow_types: list[Any], candidates: list[int], metadata: Any
) -> dict[str, FooterType]:
    """Top-level columns whose footer logical type is VARIANT, GEOMETRY or GEOGRAPHY.

    ``names`` / ``arrow_types`` are ``schema.names`` / ``schema.types`` (already built by the
    caller: building them again costs
    microseconds per column), ``candidates`` the indexes of its binary and struct columns, and
    ``metadata`` the file's ``pyarrow.parquet.FileMetaData``. Only the candidates' footer nodes
    are looked at.
    """
    found: dict[str, FooterType] = {}
    pschema = metadata.schema
    printed: str | None = None
    leaf = 0
    position = 0
    for index in candidates:
        for earlier in arrow_types[position:index]:
            leaf += _leaf_count(earlier) if earlier.num_fields or earlier.id == _EXTENSION_ID else 1
        position = index
        # A registered extension type (geoarrow.wkb, say) wraps the column's storage type.
        arrow_type = getattr(arrow_types[index], "storage_type", arrow_types[index])
        if arrow_type.id in _BINARY_IDS:
            column = pschema.column(leaf)
            kind = column.logical_type.type
            if kind in ("GEOMETRY", "GEOGRAPHY") and column.path == names[index]:
                found[column.path] = _geo_footer_type(kind, str(column.logical_type), metadata)
        elif _variant_shaped(arrow_type):
            printed = printed if printed is not None else str(pschema)
            fld = schema.field(index)
            if _annotated_variant(printed, fld):
                found[fld.name] = FooterType("VARIANT")
    return found


def _leaf_count(arrow_type: Any) -> int:
    """Parquet leaf columns under one Arrow field (its primitive descendants)."""
    n = arrow_type.num_fields
    if not n:
        storage = getattr(arrow_type, "storage_type", None)
        return 1 if storage is None else _leaf_count(storage)
    return sum(_leaf_count(arrow_type.field(i).type) for i in range(n))


def _variant_shaped(arrow_type: Any) -> bool:
    """A struct with binary ``metadata`` and ``value`` children: what a Variant group reads as."""
    if arrow_type.id != 26:  # struct
        return False
    names = [arrow_type.field(i).name for i in range(arrow_type.num_fields)]
    return "metadata" in names and ("value" in names or "typed_value" in names)


def _annotated_variant(printed_schema: str, fld: Any) -> bool:
    """Whether the footer annotates this top-level group ``Variant`` (pyarrow exposes no group
    logical types, only their rendering): matches the group's own line, at depth one."""
    repetition = "optional" if fld.nullable else "required"
    field_id = (fld.metadata or {}).get(b"PARQUET:field_id", b"-1").decode()
    line = f"\n  {repetition} group field_id={field_id} {fld.name} (Variant("
    return line in printed_schema


def _geo_footer_type(kind: str, rendered: str, metadata: Any) -> FooterType:
    """Parse ``Geometry(crs=...)`` / ``Geography(crs=..., algorithm=...)`` (pyarrow's rendering)."""
    head = _GEO_HEAD.match(rendered)
    body = rendered[head.end() :] if head else ""
    algorithm = ""
    if kind == "GEOGRAPHY":
        tail = _GEOGRAPHY_TAIL.search(body)
        algorithm = tail.group(1) if tail else ""
        body = body[: tail.start()] if tail else body.removesuffix(")")
    else:
        body = body.removesuffix(")")
    if body.startswith("projjson:"):
        stored = (metadata.metadata or {}).get(body[len("projjson:") :].encode())
        body = stored.decode("utf-8", "replace") if stored is not None else body
    return FooterType(kind, body, algorithm)


def geo_projection(footer: FooterType, sf_type: str) -> str:
    """The COPY expression (``{ref}`` = the ``$1:"col"`` path) loading WKB as ``sf_type``.

    Raises :class:`UnsupportedTypeError` for a CRS Snowflake cannot represent.
    """
    if sf_type == "GEOGRAPHY":
        if footer.kind == "GEOGRAPHY" and footer.algorithm not in ("", "spherical"):
            raise UnsupportedTypeError(
                f"GEOGRAPHY with {footer.algorithm} edges: Snowflake GEOGRAPHY edges are spherical; "
                "give the column a type_overrides entry (e.g. BINARY)"
            )
        srid = crs_srid(footer.crs)
        if srid != _WGS84:
            raise UnsupportedTypeError(
                f"{footer.kind} in CRS {_short(footer.crs)}: Snowflake GEOGRAPHY holds only WGS 84 "
                "(OGC:CRS84 / EPSG:4326) coordinates; give the column a type_overrides entry "
                "(GEOMETRY or BINARY)"
            )
        return "TO_GEOGRAPHY({ref}::BINARY)"
    srid = crs_srid(footer.crs)
    if srid is None:
        raise UnsupportedTypeError(
            f"{footer.kind} CRS {_short(footer.crs)} names no EPSG code or SRID that a Snowflake GEOMETRY "
            "can carry; give the column a type_overrides entry (e.g. BINARY)"
        )
    return f"TO_GEOMETRY({{ref}}::BINARY, {srid})"


def crs_srid(crs: str) -> int | None:
    """The SRID a Parquet CRS names: ``""`` / ``OGC:CRS84`` → 4326, ``EPSG:n`` / ``srid:n`` / ``n``
    → n, PROJJSON with an EPSG ``id`` → its code; ``None`` when it names none."""
    text = crs.strip()
    if not text:
        return _WGS84
    if text.upper() in _OGC_SRID:
        return _OGC_SRID[text.upper()]
    match = _SRID_FORM.match(text)
    if match:
        return int(match.group(1))
    if text.startswith("{"):
        try:
            ident = json.loads(text).get("id") or {}
        except (ValueError, AttributeError):
            return None
        if isinstance(ident, dict) and str(ident.get("authority", "")).upper() == "EPSG":
            code = ident.get("code")
            if isinstance(code, int) or (isinstance(code, str) and code.isdigit()):
                return int(code)
        if isinstance(ident, dict) and str(ident.get("authority", "")).upper() == "OGC":
            return _OGC_SRID.get(f"OGC:{ident.get('code')}".upper())
    return None


def _short(crs: str) -> str:
    text = re.sub(r"[\x00-\x1f]", " ", crs.strip()) or "OGC:CRS84"
    return repr(text if len(text) <= 60 else text[:57] + "...")
