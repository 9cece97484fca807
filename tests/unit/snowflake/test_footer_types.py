"""Parquet logical types the Arrow schema hides (VARIANT, GEOMETRY, GEOGRAPHY), and encrypted files.

Test files come from real writers: DuckDB (a fakesnow dependency) writes Parquet VARIANT groups,
shredded or not; pyarrow writes GEOMETRY / GEOGRAPHY from a ``geoarrow.wkb`` column, with the CRS
in the footer; ``pyarrow.parquet.encryption`` writes encrypted files. The SQL is checked on
sqlglot's Snowflake AST.
"""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe
import pytest

sqlglot = pytest.importorskip("sqlglot")
from sqlglot import exp  # noqa: E402

from airflow_provider_dataops.snowflake.parquet import (  # noqa: E402
    ParquetPlanError,
    ParquetSourceError,
    TablePlan,
    plan_load,
)
from tests.unit.snowflake.test_parquet_plan import parse  # noqa: E402

POINT = struct.pack("<bIdd", 1, 1, 144.96, -37.81)  # WKB POINT(144.96 -37.81), little-endian


def _column_defs(table: TablePlan) -> list[tuple[str, str, bool]]:
    """(name, type, nullable) of each column, read from the CREATE TABLE's AST."""
    out = []
    for col in parse(table.create_table).find_all(exp.ColumnDef):
        not_null = any(
            isinstance(c.kind, exp.NotNullColumnConstraint) for c in col.args.get("constraints") or []
        )
        out.append((col.this.this, col.args["kind"].sql("snowflake"), not not_null))
    return out


def _projection(table: TablePlan) -> list[str]:
    """Each COPY SELECT expression, with the ``$1:"col"`` path shown as ``<col>``."""
    select = parse(table.copies[0]).args["files"][0].this
    out = []
    for node in select.expressions:
        for path in list(node.find_all(exp.JSONExtract)):
            assert path.this == exp.Parameter(this=exp.Literal.number(1))
            [key] = [k for k in path.expression.expressions if isinstance(k, exp.JSONPathKey)]
            path.replace(exp.column(f"<{key.this}>"))
        out.append(node.sql("snowflake"))
    return out


# --- VARIANT -------------------------------------------------------------------------------------


@pytest.fixture
def variant_file(tmp_path: Path) -> Path:
    """DuckDB's Parquet: ``v`` a required Variant group (shredded as int), ``w`` an optional one
    shredded as a list, ``plain`` a struct with the same child names but no annotation."""
    import duckdb

    path = tmp_path / "events.parquet"
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE t (id INT, v VARIANT NOT NULL, w VARIANT,"
            " plain STRUCT(metadata BLOB, value BLOB) NOT NULL)"
        )
        con.execute(
            "INSERT INTO t VALUES"
            " (1, 42::VARIANT, [1, 2]::VARIANT, {'metadata': 'a'::BLOB, 'value': 'b'::BLOB}),"
            " (2, 'x'::VARIANT, NULL, {'metadata': 'c'::BLOB, 'value': 'd'::BLOB})"
        )
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    finally:
        con.close()
    printed = str(pq.ParquetFile(path).schema)
    assert "required group field_id=-1 v (Variant(1))" in printed  # the footer really says so
    assert (
        pq.ParquetFile(path).schema_arrow.field("v").type.num_fields == 3
    )  # struct<metadata, value, typed_value>
    return path


def test_a_variant_group_is_planned_as_variant_and_always_nullable(variant_file: Path) -> None:
    [table] = plan_load(str(variant_file)).tables
    assert _column_defs(table) == [
        ("id", "DECIMAL(38, 0)", False),
        ("v", "VARIANT", True),  # required group, yet a variant null must not reject the row
        ("w", "VARIANT", True),
        ("plain", "OBJECT", False),  # same shape, no Variant annotation: an ordinary struct
    ]
    assert _projection(table) == [
        'CAST("<id>" AS DECIMAL(38, 0))',
        'CAST("<v>" AS VARIANT)',
        'CAST("<w>" AS VARIANT)',
        'CAST("<plain>" AS OBJECT)',
    ]


def test_a_variant_group_with_a_parquet_field_id_is_recognised(tmp_path: Path) -> None:
    # The layout of apache/parquet-testing's shredded_variant files (parquet-avro writes field ids).
    import duckdb

    path = tmp_path / "with_ids.parquet"
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT 1 AS id, true::VARIANT AS var) TO '{path}'"
            " (FORMAT parquet, FIELD_IDS {id: 1, var: 2})"
        )
    finally:
        con.close()
    assert "group field_id=2 var (Variant(1))" in str(pq.ParquetFile(path).schema)
    [table] = plan_load(str(path)).tables
    assert [(n, t) for n, t, _ in _column_defs(table)] == [("id", "DECIMAL(38, 0)"), ("var", "VARIANT")]


# --- GEOMETRY / GEOGRAPHY -----------------------------------------------------------------------


class _Wkb(pa.ExtensionType):
    """Minimal ``geoarrow.wkb``: pyarrow writes it as Parquet GEOMETRY, or GEOGRAPHY with edges."""

    def __init__(self, meta: dict[str, Any] | None = None) -> None:
        self.meta = meta or {}
        super().__init__(pa.binary(), "geoarrow.wkb")

    def __arrow_ext_serialize__(self) -> bytes:
        return json.dumps(self.meta).encode()

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type: Any, serialized: bytes) -> _Wkb:
        return cls(json.loads(serialized or b"{}"))


@pytest.fixture
def wkb_type() -> Iterator[type[_Wkb]]:
    pa.register_extension_type(_Wkb())
    try:
        yield _Wkb
    finally:
        pa.unregister_extension_type("geoarrow.wkb")


@pytest.fixture
def write_geo(tmp_path: Path, wkb_type: type[_Wkb]) -> Callable[..., Path]:
    def _write(name: str, columns: dict[str, dict[str, Any]], *, kv: dict[str, str] | None = None) -> Path:
        arrays = {
            col: pa.ExtensionArray.from_storage(wkb_type(meta), pa.array([POINT, None], pa.binary()))
            for col, meta in columns.items()
        }
        table = pa.table({"id": [1, 2], **arrays})
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(path, table.schema, store_schema=False) as writer:
            writer.write_table(table)
            if kv:
                writer.add_key_value_metadata(kv)
        return path

    return _write


def test_geometry_and_geography_load_wkb_through_to_geometry_with_the_srid_and_to_geography(
    write_geo: Callable[..., Path],
) -> None:
    projjson_5070 = json.dumps(
        {"type": "ProjectedCRS", "name": "NAD83 / Conus Albers", "id": {"authority": "EPSG", "code": 5070}}
    )
    path = write_geo(
        "places.parquet",
        {
            "lonlat": {},  # no CRS: Parquet's default, OGC:CRS84
            "mercator": {"crs": "EPSG:3857"},
            "utm": {"crs": {"id": {"authority": "EPSG", "code": 32633}}, "crs_type": "projjson"},
            "albers": {"crs": "5070", "crs_type": "srid"},
            "by_key": {"crs": "projjson:albers_crs"},  # PROJJSON kept in the file's key-value metadata
            "earth": {"edges": "spherical"},
        },
        kv={"albers_crs": projjson_5070},
    )
    printed = str(pq.ParquetFile(path).schema)
    assert "mercator (Geometry(crs=EPSG:3857))" in printed
    assert "earth (Geography(crs=, algorithm=spherical))" in printed
    [table] = plan_load(str(path)).tables
    assert _column_defs(table) == [
        ("id", "DECIMAL(38, 0)", True),
        ("lonlat", "GEOMETRY", True),
        ("mercator", "GEOMETRY", True),
        ("utm", "GEOMETRY", True),
        ("albers", "GEOMETRY", True),
        ("by_key", "GEOMETRY", True),
        ("earth", "GEOGRAPHY", True),
    ]
    assert _projection(table) == [
        'CAST("<id>" AS DECIMAL(38, 0))',
        'TO_GEOMETRY(CAST("<lonlat>" AS BINARY), 4326)',
        'TO_GEOMETRY(CAST("<mercator>" AS BINARY), 3857)',
        'TO_GEOMETRY(CAST("<utm>" AS BINARY), 32633)',
        'TO_GEOMETRY(CAST("<albers>" AS BINARY), 5070)',
        'TO_GEOMETRY(CAST("<by_key>" AS BINARY), 5070)',
        'TO_GEOGRAPHY(CAST("<earth>" AS BINARY))',
    ]
    assert 'TO_GEOGRAPHY($1:"earth"::BINARY)' in table.copies[0]


def test_a_geometry_column_is_still_found_when_a_geoarrow_type_is_registered_at_read_time(
    tmp_path: Path, wkb_type: type[_Wkb]
) -> None:
    table = pa.table({"g": pa.ExtensionArray.from_storage(wkb_type({"crs": "EPSG:3857"}), pa.array([POINT]))})
    path = tmp_path / "registered.parquet"
    pq.write_table(table, path)  # stores the Arrow schema too, so the read gives the extension type
    assert isinstance(pq.read_schema(path).field("g").type, pa.ExtensionType)
    [plan] = plan_load(str(path)).tables
    assert _projection(plan) == ['TO_GEOMETRY(CAST("<g>" AS BINARY), 3857)']


def test_a_geometry_column_after_nested_columns_is_found_at_its_own_footer_leaf(
    tmp_path: Path, wkb_type: type[_Wkb]
) -> None:
    # The footer lists leaf columns only; every nested kind before the geometry shifts its index.
    table = pa.table(
        {
            "m": pa.array([{"k": 1}], pa.map_(pa.string(), pa.int64())),
            "l": pa.array([[{"a": 1, "b": "x"}]]),
            "d": pa.array(["red"]).dictionary_encode(),
            "s": pa.array([{"x": {"y": 1, "z": b"bin"}}]),
            "n": pa.nulls(1),
            "raw": pa.array([b"not a shape"]),
            "g": pa.ExtensionArray.from_storage(wkb_type({"crs": "EPSG:3857"}), pa.array([POINT])),
        }
    )
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path, store_schema=False)
    [plan] = plan_load(str(path)).tables
    assert [(n, t) for n, t, _ in _column_defs(plan)] == [
        ("m", "OBJECT"),
        ("l", "ARRAY"),
        ("d", "VARCHAR"),
        ("s", "OBJECT"),
        ("n", "VARIANT"),
        ("raw", "BINARY"),
        ("g", "GEOMETRY"),
    ]
    assert _projection(plan)[-1] == 'TO_GEOMETRY(CAST("<g>" AS BINARY), 3857)'


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        ({"crs": "my local grid"}, "GEOMETRY CRS 'my local grid' names no EPSG code or SRID"),
        ({"crs": {"type": "EngineeringCRS", "name": "site grid"}}, "names no EPSG code or SRID"),
        ({"crs": "projjson:missing_key"}, "GEOMETRY CRS 'projjson:missing_key' names no EPSG code"),
        (
            {"crs": "EPSG:3857", "edges": "spherical"},
            "GEOGRAPHY in CRS 'EPSG:3857': Snowflake GEOGRAPHY holds only WGS 84",
        ),
    ],
    ids=["free-text", "projjson-without-id", "projjson-key-missing", "geography-not-wgs84"],
)
def test_a_crs_snowflake_cannot_represent_is_refused_naming_file_column_and_crs(
    write_geo: Callable[..., Path], meta: dict[str, Any], problem: str
) -> None:
    path = write_geo("odd.parquet", {"shape": meta})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(path))
    assert str(err.value).startswith(f"{path}: column 'shape': ")
    assert problem in str(err.value)
    assert "type_overrides" in str(err.value)


def test_type_overrides_rescue_a_refused_crs_and_pick_the_loading_function(
    write_geo: Callable[..., Path],
) -> None:
    path = write_geo("odd.parquet", {"shape": {"crs": "my local grid"}, "wgs": {"crs": "OGC:CRS84"}})
    [table] = plan_load(str(path), type_overrides={"shape": "BINARY", "wgs": "GEOGRAPHY"}).tables
    assert [(n, t) for n, t, _ in _column_defs(table)][1:] == [("shape", "BINARY"), ("wgs", "GEOGRAPHY")]
    assert _projection(table)[1:] == [
        'CAST("<shape>" AS BINARY)',
        'TO_GEOGRAPHY(CAST("<wgs>" AS BINARY))',
    ]


def test_files_of_one_table_whose_srids_differ_are_refused_naming_both(
    write_geo: Callable[..., Path],
) -> None:
    first = write_geo("parts/part-0.parquet", {"g": {"crs": "EPSG:3857"}})
    second = write_geo("parts/part-1.parquet", {"g": {"crs": "EPSG:4326"}})
    with pytest.raises(ParquetPlanError) as err:
        plan_load(str(first.parent))
    message = str(err.value)
    assert message.startswith("table PARTS: column 'g' loads as TO_GEOMETRY({ref}::BINARY, 3857)")
    assert str(first) in message
    assert str(second) in message


def test_plain_binary_columns_stay_binary(tmp_path: Path) -> None:
    path = tmp_path / "bin.parquet"
    pq.write_table(
        pa.table({"b": pa.array([b"\x00"], pa.binary()), "s": pa.array([{"metadata": b"m", "value": b"v"}])}),
        path,
    )
    [table] = plan_load(str(path)).tables
    assert [(n, t) for n, t, _ in _column_defs(table)] == [("b", "BINARY"), ("s", "OBJECT")]


# --- encrypted files ----------------------------------------------------------------------------


class _InMemoryKms(pe.KmsClient):
    """A KMS for the test: a data key is "wrapped" by base64, so no key server is needed."""

    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> bytes:
        return base64.b64encode(key_bytes)

    def unwrap_key(self, wrapped_key: bytes, master_key_identifier: str) -> bytes:
        return base64.b64decode(wrapped_key)


def _write_encrypted(path: Path, *, plaintext_footer: bool) -> Path:
    table = pa.table({"id": [1, 2], "secret": ["a", "b"]})
    config = pe.EncryptionConfiguration(
        footer_key="footer_key", column_keys={"column_key": ["secret"]}, plaintext_footer=plaintext_footer
    )
    props = pe.CryptoFactory(lambda config: _InMemoryKms()).file_encryption_properties(
        pe.KmsConnectionConfig(), config
    )
    with pq.ParquetWriter(path, table.schema, encryption_properties=props) as writer:
        writer.write_table(table)
    return path


def test_an_encrypted_footer_is_reported_as_encrypted_with_what_the_planner_needs(tmp_path: Path) -> None:
    path = _write_encrypted(tmp_path / "vault.parquet", plaintext_footer=False)
    assert path.read_bytes()[-4:] == b"PARE"
    with pytest.raises(ParquetSourceError) as err:
        plan_load(str(path))
    message = str(err.value)
    assert message.startswith(f"{path}: encrypted Parquet file")
    assert "plaintext footer" in message
    assert "decryption properties" in message
    assert "corrupt" not in message


def test_the_cli_reports_an_encrypted_file_in_one_line(tmp_path: Path) -> None:
    path = _write_encrypted(tmp_path / "vault.parquet", plaintext_footer=False)
    proc = subprocess.run(
        [sys.executable, "-m", "airflow_provider_dataops.cli", "snowflake-ddl", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"snowflake-ddl: {path}: encrypted Parquet file")


def test_an_encrypted_file_with_a_plaintext_footer_is_planned_from_that_footer(tmp_path: Path) -> None:
    path = _write_encrypted(tmp_path / "vault.parquet", plaintext_footer=True)
    [table] = plan_load(str(path)).tables
    assert [(n, t) for n, t, _ in _column_defs(table)] == [("id", "DECIMAL(38, 0)"), ("secret", "VARCHAR")]


def test_only_footers_that_may_hold_hidden_types_are_kept_for_the_exact_check(
    tmp_path: Path, write_geo: Callable[..., Path]
) -> None:
    from airflow_provider_dataops.snowflake.sources import collect_sources

    plain = tmp_path / "plain.parquet"
    pq.write_table(
        pa.table({"b": pa.array([b"\x0c"]), "s": pa.array([{"metadata": b"m", "value": b"v"}])}), plain
    )
    shapes = write_geo("shapes.parquet", {"g": {}})
    by_name = {Path(f.url).name: f for f in collect_sources([str(plain), str(shapes)])}
    assert by_name["plain.parquet"].metadata is None
    assert by_name["shapes.parquet"].metadata is not None
