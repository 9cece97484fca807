"""File task types: ``archive``, ``copy``, ``clean_workspace``, ``delete_older_than``."""

from __future__ import annotations

import fnmatch
import gzip
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

from airflow_provider_dataops.hocon.task import Task


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refuse_dangerous(path: Path, what: str) -> str | None:
    resolved = path.resolve()
    if not path.is_absolute():
        return f"{what} '{path}' must be an absolute path"
    if ".." in path.parts:
        return f"{what} '{path}' must not contain '..'"
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        return f"{what} '{path}' is the filesystem root or the home folder"
    return None


class Archive(Task):
    """A tar.gz of a folder; sorted entries, zeroed times and owners: a re-run gives the same bytes."""

    def run(self, input_directory_path: str, target_file_path: str) -> bool:  # type: ignore[override]
        source = Path(input_directory_path).resolve()
        target = Path(target_file_path).resolve()
        if not source.is_dir():
            self.logger.error("Cannot archive %s: not a folder", source)
            return False
        if _inside(target, source):
            self.logger.error(
                "Refusing to write the archive %s inside the folder it archives (%s)", target, source
            )
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        self.logger.info("Archiving '%s' to '%s'", source, target)

        def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            return info

        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                tar.add(source, arcname=source.name, recursive=False, filter=normalise)
                for root, dirs, files in os.walk(source):
                    dirs.sort()
                    for name in [*dirs, *sorted(files)]:
                        full = Path(root) / name
                        tar.add(
                            full,
                            arcname=str(Path(source.name) / full.relative_to(source)),
                            recursive=False,
                            filter=normalise,
                        )
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True


class Copy(Task):
    """A backup copy of a file or folder (a folder is merged into ``target_path``)."""

    def run(self, source_path: str, target_path: str) -> bool:  # type: ignore[override]
        source, target = Path(source_path), Path(target_path)
        if not source.exists():
            self.logger.error("Cannot copy %s: it does not exist", source)
            return False
        if source.is_dir():
            if _inside(target.resolve(), source.resolve()):
                self.logger.error("Refusing to copy %s into itself (%s)", source, target)
                return False
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            os.close(fd)
            shutil.copy2(source, tmp)
            os.replace(tmp, target)
        self.logger.info("Copied %s to %s", source, target)
        return True


class CleanWorkspace(Task):
    """Empty a working folder (it is kept, its content removed); a missing folder is created."""

    task_name = "clean_workspace"

    def run(self, path: str) -> bool:  # type: ignore[override]
        folder = Path(path)
        if problem := _refuse_dangerous(folder, "path"):
            self.logger.error("%s", problem)
            return False
        folder.mkdir(parents=True, exist_ok=True)
        for child in sorted(folder.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
            self.logger.info("Removed %s", child)
        return True


class DeleteOlderThan(Task):
    """Delete files under ``path`` matching ``pattern`` not modified for ``days``; never leaves ``root``."""

    task_name = "delete_older_than"

    def run(  # type: ignore[override]
        self, path: str, days: int | float, pattern: str, root: str, dry_run: bool = False
    ) -> bool:
        folder, boundary = Path(path), Path(root)
        for value, what in ((folder, "path"), (boundary, "root")):
            if problem := _refuse_dangerous(value, what):
                self.logger.error("%s", problem)
                return False
        folder, boundary = folder.resolve(), boundary.resolve()
        if not _inside(folder, boundary):
            self.logger.error("Refusing: path %s is outside root %s", folder, boundary)
            return False
        try:
            age_days = float(days)  # a Jinja-rendered value (e.g. a DAG Param) arrives as a string
        except (TypeError, ValueError):
            age_days = -1.0
        if age_days < 0:
            self.logger.error("days must be a number >= 0, got %r", days)
            return False
        if not folder.is_dir():
            self.logger.info("%s does not exist: nothing to delete", folder)
            return True
        cutoff = time.time() - age_days * 86400
        deleted = 0
        for current, _dirs, files in os.walk(folder):
            for name in sorted(files):
                file = Path(current) / name
                if not fnmatch.fnmatch(name, pattern) or file.lstat().st_mtime >= cutoff:
                    continue
                if not _inside(file.resolve() if not file.is_symlink() else file, boundary):
                    self.logger.warning("Skipping %s: outside root %s", file, boundary)
                    continue
                if dry_run:
                    self.logger.info("Would delete %s", file)
                else:
                    file.unlink()
                    self.logger.info("Deleted %s", file)
                deleted += 1
        self.logger.info(
            "%s %d file(s) older than %s day(s) under %s",
            "Would delete" if dry_run else "Deleted",
            deleted,
            days,
            folder,
        )
        return True
