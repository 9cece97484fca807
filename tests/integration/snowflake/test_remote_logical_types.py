"""Footer-only planning of ``gs://`` files (GCS emulator) sees the logical types and encryption too."""

from __future__ import annotations

import base64
import io
import json
import struct
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe
import pytest

from airflow_provider_dataops.snowflake.parquet import ParquetSourceError, plan_load

pytestmark = pytest.mark.integration


class _Wkb(pa.ExtensionType):
    def __init__(self, meta: dict[str, Any] | None = None) -> None:
        self.meta = meta or {}
        super().__init__(pa.binary(), "geoarrow.wkb")

    def __arrow_ext_serialize__(self) -> bytes:
        return json.dumps(self.meta).encode()

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type: Any, serialized: bytes) -> _Wkb:
        return cls(json.loads(serialized or b"{}"))


class _Base64Kms(pe.KmsClient):
    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> bytes:
        return base64.b64encode(key_bytes)

    def unwrap_key(self, wrapped_key: bytes, master_key_identifier: str) -> bytes:
        return base64.b64decode(wrapped_key)


def test_a_gcs_geometry_column_plans_with_its_srid(gcs_emulator: str, gcs_client: Any) -> None:
    point = struct.pack("<bIdd", 1, 1, 1.0, 2.0)
    pa.register_extension_type(_Wkb())
    try:
        column = pa.ExtensionArray.from_storage(_Wkb({"crs": "EPSG:3857"}), pa.array([point], pa.binary()))
        buf = io.BytesIO()
        pq.write_table(pa.table({"g": column}), buf, store_schema=False)
    finally:
        pa.unregister_extension_type("geoarrow.wkb")
    gcs_client.create_bucket("geo-lake").blob("raw/shapes.parquet").upload_from_string(buf.getvalue())
    [table] = plan_load(
        "gs://geo-lake/raw/shapes.parquet", stage_url="gs://geo-lake/raw", storage_integration="i"
    ).tables
    assert table.column_types == ("GEOMETRY",)
    assert 'TO_GEOMETRY($1:"g"::BINARY, 3857)' in table.copies[0]


def test_a_gcs_file_with_an_encrypted_footer_is_reported_as_encrypted(
    gcs_emulator: str, gcs_client: Any
) -> None:
    config = pe.EncryptionConfiguration(footer_key="fk", column_keys={"ck": ["a"]}, plaintext_footer=False)
    props = pe.CryptoFactory(lambda cfg: _Base64Kms()).file_encryption_properties(
        pe.KmsConnectionConfig(), config
    )
    buf = io.BytesIO()
    with pq.ParquetWriter(buf, pa.schema([("a", pa.int64())]), encryption_properties=props) as writer:
        writer.write_table(pa.table({"a": [1]}))
    gcs_client.create_bucket("vault-lake").blob("x/vault.parquet").upload_from_string(buf.getvalue())
    with pytest.raises(ParquetSourceError) as err:
        plan_load("gs://vault-lake/x/vault.parquet", stage_url="gs://vault-lake/x", storage_integration="i")
    message = str(err.value)
    assert message.startswith("gs://vault-lake/x/vault.parquet: encrypted Parquet file")
    assert "plaintext footer" in message
    assert "not a Parquet file" not in message
