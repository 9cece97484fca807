"""``upload``: copy a file or folder to a local path or ``gs://`` / ``s3://`` through ObjectStoragePath."""

from __future__ import annotations

from pathlib import Path

from airflow_provider_dataops.hocon.task import Task


class Upload(Task):
    task_name = "upload"

    def run(self, source_path: str, target_url: str, conn_id: str | None = None) -> bool:  # type: ignore[override]
        from airflow.sdk import ObjectStoragePath

        source = Path(source_path)
        if not source.exists():
            self.logger.error("Nothing to upload: %s does not exist", source)
            return False
        target = ObjectStoragePath(target_url, conn_id=conn_id)
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for file in files:
            relative = file.relative_to(source) if source.is_dir() else Path(file.name)
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with file.open("rb") as src, destination.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            self.logger.info("Uploaded %s to %s", file, destination)
        return True
