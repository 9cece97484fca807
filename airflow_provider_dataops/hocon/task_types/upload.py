"""``upload``: copy a file or folder to a local path or ``gs://`` / ``s3://`` through ObjectStoragePath.

Object stores have no symlinks, so a symlink anywhere in the source is refused before anything
is uploaded; files are read through folder descriptors with ``O_NOFOLLOW``. A local target
(a plain path or ``file://``) is written like ``copy``: trusted folders, temporary name, rename.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from airflow_provider_dataops.hocon.task import Task
from airflow_provider_dataops.hocon.task_types._safety import (
    Folder,
    UnsafePathError,
    components,
    entries,
    open_child,
    open_file,
    open_folder,
)
from airflow_provider_dataops.hocon.task_types.files import copy_file, copy_tree

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

LOCAL_SCHEMES = frozenset({"", "file", "local"})


def _files(folder: Folder, relative: tuple[str, ...] = ()) -> Iterator[tuple[Folder, str, tuple[str, ...]]]:
    """Each regular file below ``folder`` (sorted, depth first) with its open folder; links refused."""
    for name, st in entries(folder):
        if stat.S_ISDIR(st.st_mode):
            with open_child(folder, name, check=False) as child:
                yield from _files(child, (*relative, name))
        elif stat.S_ISREG(st.st_mode):
            yield folder, name, (*relative, name)
        else:
            kind = "a symlink" if stat.S_ISLNK(st.st_mode) else "not a regular file"
            raise UnsafePathError(f"refusing to upload {folder.child_path(name)}: it is {kind}")


class Upload(Task):
    task_name = "upload"

    def run(self, source_path: str, target_url: str, conn_id: str | None = None) -> bool:  # type: ignore[override]
        try:
            parts = components(source_path, "source_path")
            if not parts:
                raise UnsafePathError(f"source_path '{source_path}' is the filesystem root")
            with open_folder("/" + "/".join(parts[:-1]), what="source_path") as parent:
                st = os.stat(parts[-1], dir_fd=parent.fd, follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
                    raise UnsafePathError(f"refusing source_path '{source_path}': it is a symlink")
                if stat.S_ISDIR(st.st_mode):
                    with open_child(parent, parts[-1]) as source:
                        count = sum(1 for _ in _files(source))  # refuses links before anything is written
                        self._upload_folder(source, target_url, conn_id)
                else:
                    count = 1
                    self._upload_file(parent, parts[-1], target_url, conn_id)
        except FileNotFoundError:
            self.logger.error("Nothing to upload: %s does not exist", source_path)
            return False
        except (UnsafePathError, OSError) as exc:
            self.logger.error("Cannot upload %s to %s: %s", source_path, target_url, exc)
            return False
        self.logger.info("Uploaded %d file(s) from %s to %s", count, source_path, target_url)
        return True

    @staticmethod
    def _local(target_url: str) -> str | None:
        parsed = urlsplit(target_url)
        if parsed.scheme.lower() not in LOCAL_SCHEMES or parsed.netloc not in ("", "localhost"):
            return None
        return parsed.path if parsed.scheme else target_url

    def _upload_folder(self, source: Folder, target_url: str, conn_id: str | None) -> None:
        local = self._local(target_url)
        if local is not None:
            with open_folder(local, what="target_url", create=True) as target:
                copy_tree(source, target)
            return
        for folder, name, relative in _files(source):
            self._put(folder, name, self._remote(target_url, conn_id).joinpath(*relative))

    def _upload_file(self, parent: Folder, name: str, target_url: str, conn_id: str | None) -> None:
        local = self._local(target_url)
        if local is not None:
            with open_folder(local, what="target_url", create=True) as target:
                copy_file(parent, name, target, name)
            return
        self._put(parent, name, self._remote(target_url, conn_id).joinpath(name))

    @staticmethod
    def _remote(target_url: str, conn_id: str | None) -> ObjectStoragePath:
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(target_url, conn_id=conn_id)

    def _put(self, folder: Folder, name: str, destination: ObjectStoragePath) -> None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        with open_file(folder, name) as src, destination.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        self.logger.info("Uploaded %s to %s", folder.child_path(name), destination)
