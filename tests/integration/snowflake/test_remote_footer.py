"""Planning ``gs://`` sources reads only footers (bytes counted on the wire, GCS emulator)."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from airflow_provider_dataops.snowflake.parquet import ParquetSourceError, plan_load
from airflow_provider_dataops.snowflake.sources import MAX_FOOTER_ENV, TAIL_READ_BYTES
from tests.fixtures.snowflake import CountingProxy, footer_size

pytestmark = pytest.mark.integration


def _parquet(rows: int, columns: int = 3) -> bytes:
    buf = io.BytesIO()
    table = pa.table({f"col_{i}": pa.array(range(i, i + rows), pa.int64()) for i in range(columns)})
    pq.write_table(table, buf, compression="none")
    return buf.getvalue()


def test_planning_gcs_files_reads_the_footer_with_one_ranged_read_each(
    gcs_emulator: str, gcs_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = gcs_client.create_bucket("lake")
    big = _parquet(400_000)  # ~9.6 MB of data pages
    wide = _parquet(10, columns=3000)  # footer larger than one 64 KiB read
    bucket.blob("raw/sales/part-0.parquet").upload_from_string(big)
    bucket.blob("raw/sales/part-1.parquet").upload_from_string(big)
    bucket.blob("raw/sales/_SUCCESS").upload_from_string(b"")
    bucket.blob("raw/dim/wide.parquet").upload_from_string(wide)
    assert footer_size(wide) > TAIL_READ_BYTES

    with CountingProxy(gcs_emulator) as proxy:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
        plan = plan_load(
            ["gs://lake/raw/sales", "gs://lake/raw/dim/*.parquet"],
            stage_url="gs://lake/raw",
            storage_integration="lake_int",
        )
    assert [(t.name, len(t.files), len(t.columns)) for t in plan.tables] == [
        ("SALES", 2, 3),
        ("WIDE", 1, 3000),
    ]
    per_file: dict[str, list[int]] = {}
    for path, _range, size in proxy.media_requests:
        name = path.split("?")[0].rsplit("%2F", 1)[-1].rsplit("/", 1)[-1]
        per_file.setdefault(name, []).append(size)
    assert per_file["part-0.parquet"] == [TAIL_READ_BYTES]
    assert per_file["part-1.parquet"] == [TAIL_READ_BYTES]
    assert len(per_file["wide.parquet"]) == 2
    assert sum(per_file["wide.parquet"]) <= footer_size(wide) + TAIL_READ_BYTES
    assert proxy.media_bytes <= sum(footer_size(d) + TAIL_READ_BYTES for d in (big, big, wide))
    assert proxy.media_bytes < len(big) // 5
    [sales] = [t for t in plan.tables if t.name == "SALES"]
    assert "FILES=('sales/part-0.parquet', 'sales/part-1.parquet')" in sales.copies[0]


def test_a_gcs_object_that_is_not_parquet_is_named_in_the_error(gcs_emulator: str, gcs_client: Any) -> None:
    gcs_client.create_bucket("lake2").blob("x/notes.parquet").upload_from_string(b"plain text, not parquet")
    with pytest.raises(ParquetSourceError, match=r"^gs://lake2/x/notes\.parquet: not a Parquet file"):
        plan_load("gs://lake2/x/notes.parquet", stage_url="gs://lake2/x", storage_integration="i")


def _forged(size: int, footer_length: int) -> bytes:
    """``size`` bytes that end like Parquet: a footer length of ``footer_length`` and ``PAR1``."""
    return b"PAR1" + b"\x00" * (size - 12) + footer_length.to_bytes(4, "little") + b"PAR1"


def test_a_forged_footer_length_over_the_limit_is_refused_after_one_tail_read(
    gcs_emulator: str, gcs_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the planner fetched the whole claimed footer (here 3 MiB of a 4 MiB object; in the
    # issue 399 MiB of a 400 MiB one) and only then found it corrupt.
    bucket = gcs_client.create_bucket("forged")
    bucket.blob("raw/big.parquet").upload_from_string(_forged(4 * 1024 * 1024, 3 * 1024 * 1024))
    monkeypatch.setenv(MAX_FOOTER_ENV, str(1024 * 1024))
    with CountingProxy(gcs_emulator) as proxy:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
        with pytest.raises(ParquetSourceError) as err:
            plan_load("gs://forged/raw/big.parquet", stage_url="gs://forged/raw", storage_integration="i")
    message = str(err.value)
    assert message == (
        f"gs://forged/raw/big.parquet: Parquet footer of {3 * 1024 * 1024} bytes is larger than the"
        f" {1024 * 1024}-byte limit ({MAX_FOOTER_ENV}); not read"
    )
    assert [size for _path, _range, size in proxy.media_requests] == [TAIL_READ_BYTES]


def test_the_footer_limit_is_64_mib_unless_configured_and_a_bad_setting_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from airflow_provider_dataops.snowflake.sources import MAX_FOOTER_BYTES, max_footer_bytes

    monkeypatch.delenv(MAX_FOOTER_ENV, raising=False)
    assert max_footer_bytes() == MAX_FOOTER_BYTES == 64 * 1024 * 1024
    monkeypatch.setenv(MAX_FOOTER_ENV, "1000")
    assert max_footer_bytes() == 1000
    # Local files are bounded the same way, before pyarrow reads the footer.
    local = tmp_path / "forged.parquet"
    local.write_bytes(_forged(5000, 3000))
    with pytest.raises(ParquetSourceError, match=r"forged\.parquet: Parquet footer of 3000 bytes is larger"):
        plan_load(str(local))
    monkeypatch.setenv(MAX_FOOTER_ENV, "64MiB")
    with pytest.raises(ParquetSourceError, match=rf"^{MAX_FOOTER_ENV}='64MiB': expected a positive number"):
        plan_load(str(local))
