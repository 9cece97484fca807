"""``upload`` to ``gs://`` through ObjectStoragePath, against gcp-storage-emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow_provider_dataops.hocon import registry


def test_upload_writes_every_file_of_a_folder_to_gcs(
    gcs_emulator: str, gcs_client: Any, tmp_path: Path
) -> None:
    bucket = gcs_client.create_bucket("lineage")
    source = tmp_path / "results"
    (source / "sub").mkdir(parents=True)
    (source / "a.json").write_text('{"a": 1}')
    (source / "sub" / "b.json").write_text('{"b": 2}')

    assert (
        registry.create("upload").run(source_path=str(source), target_url="gs://lineage/lake/billing") is True
    )

    assert sorted(b.name for b in bucket.list_blobs()) == ["lake/billing/a.json", "lake/billing/sub/b.json"]
    assert bucket.blob("lake/billing/sub/b.json").download_as_bytes() == b'{"b": 2}'
