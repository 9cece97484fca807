"""File task types: ``archive``, ``copy``, ``clean_workspace``, ``delete_older_than``.

All file access goes through :mod:`._safety`: trusted folders only, never through a symlink,
outputs written under a temporary name and renamed into place.
"""

from __future__ import annotations

import fnmatch
import gzip
import math
import os
import shutil
import stat
import tarfile
import time
from pathlib import Path

from airflow_provider_dataops.hocon.task import Task
from airflow_provider_dataops.hocon.task_types._safety import (
    Folder,
    UnsafePathError,
    atomic_writer,
    components,
    entries,
    is_inside,
    open_child,
    open_file,
    open_folder,
    remove_contents,
    replace_with_symlink,
)

COPY_MODE_MASK = 0o755
"""Copies keep the source's permission bits except group/other write and set-id bits."""


def _split(path: str, what: str) -> tuple[str, str]:
    parts = components(path, what)
    if not parts:
        raise UnsafePathError(f"{what} '{path}' is the filesystem root")
    return "/" + "/".join(parts[:-1]), parts[-1]


def _refuse_home(path: str, what: str) -> None:
    home = os.path.expanduser("~")
    if os.path.isabs(home) and components(path, what) == components(home, "home"):
        raise UnsafePathError(f"refusing {what} '{path}': it is the home folder")


def copy_file(source: Folder, name: str, target: Folder, target_name: str) -> None:
    """Copy one regular file; the target is replaced atomically, never written through."""
    with open_file(source, name) as src:
        st = os.fstat(src.fileno())
        with atomic_writer(
            target,
            target_name,
            mode=stat.S_IMODE(st.st_mode) & COPY_MODE_MASK,
            times_ns=(st.st_atime_ns, st.st_mtime_ns),
        ) as out:
            shutil.copyfileobj(src, out, 1 << 20)


def copy_tree(source: Folder, target: Folder) -> None:
    """Merge ``source`` into ``target``: symlinks are copied as symlinks, never their targets' content."""
    for name, st in entries(source):
        if stat.S_ISDIR(st.st_mode):
            with open_child(source, name, check=False) as src, open_child(target, name, create=True) as dst:
                copy_tree(src, dst)
        elif stat.S_ISLNK(st.st_mode):
            replace_with_symlink(target, name, os.readlink(name, dir_fd=source.fd))
        else:
            copy_file(source, name, target, name)


def _tar_info(arcname: str, st: os.stat_result) -> tarfile.TarInfo:
    """Zeroed time and owner: a re-run of the same content gives the same bytes."""
    info = tarfile.TarInfo(arcname)
    info.mode = stat.S_IMODE(st.st_mode)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _archive_tree(tar: tarfile.TarFile, folder: Folder, arcname: str) -> None:
    """Folders first, then other entries, each sorted; then into each subfolder (``os.walk`` order)."""
    items = entries(folder)
    folders = [(name, st) for name, st in items if stat.S_ISDIR(st.st_mode)]
    others = [(name, st) for name, st in items if not stat.S_ISDIR(st.st_mode)]
    for name, st in [*folders, *others]:
        info = _tar_info(f"{arcname}/{name}", st)
        if stat.S_ISDIR(st.st_mode):
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        elif stat.S_ISLNK(st.st_mode):
            info.type = tarfile.SYMTYPE
            info.linkname = os.readlink(name, dir_fd=folder.fd)
            tar.addfile(info)
        else:
            with open_file(folder, name) as file:
                opened = os.fstat(file.fileno())
                info.size = opened.st_size
                info.mode = stat.S_IMODE(opened.st_mode)
                tar.addfile(info, file)
    for name, _ in folders:
        with open_child(folder, name, check=False) as child:
            _archive_tree(tar, child, f"{arcname}/{name}")


def write_archive(source: Folder, target: Folder, name: str) -> None:
    with (
        atomic_writer(target, name, mode=0o600) as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        top = Path(source.path).name or "root"
        info = _tar_info(top, os.fstat(source.fd))
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        _archive_tree(tar, source, top)


class Archive(Task):
    """A tar.gz of a folder; sorted entries, zeroed times and owners: a re-run gives the same bytes.

    Symlinks inside the folder are stored as symlinks (their target path, never the content).
    """

    def run(self, input_directory_path: str, target_file_path: str) -> bool:  # type: ignore[override]
        try:
            parent, name = _split(target_file_path, "target_file_path")
            if is_inside(target_file_path, input_directory_path):
                self.logger.error(
                    "Refusing to write the archive %s inside the folder it archives (%s)",
                    target_file_path,
                    input_directory_path,
                )
                return False
            with (
                open_folder(input_directory_path, what="input_directory_path") as source,
                open_folder(parent, what="target_file_path", create=True) as target,
            ):
                if is_inside(target.child_path(name), source.path):
                    self.logger.error(
                        "Refusing to write the archive %s inside the folder it archives (%s)",
                        target.child_path(name),
                        source.path,
                    )
                    return False
                self.logger.info("Archiving '%s' to '%s'", source.path, target.child_path(name))
                write_archive(source, target, name)
        except FileNotFoundError as exc:
            self.logger.error("Cannot archive %s: %s", input_directory_path, exc.strerror or exc)
            return False
        except (UnsafePathError, OSError) as exc:
            self.logger.error("Cannot archive %s to %s: %s", input_directory_path, target_file_path, exc)
            return False
        return True


class Copy(Task):
    """A backup copy of a file or folder (a folder is merged into ``target_path``).

    Symlinks inside a source folder are copied as symlinks; a symlink given as ``source_path``
    is refused; a symlink at the target is replaced, never written through.
    """

    def run(self, source_path: str, target_path: str) -> bool:  # type: ignore[override]
        try:
            source_parent, source_name = _split(source_path, "source_path")
            target_parent, target_name = _split(target_path, "target_path")
            with open_folder(source_parent, what="source_path") as parent:
                st = os.stat(source_name, dir_fd=parent.fd, follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
                    raise UnsafePathError(f"refusing source_path '{source_path}': it is a symlink")
                if stat.S_ISDIR(st.st_mode):
                    if is_inside(target_path, source_path):
                        self.logger.error("Refusing to copy %s into itself (%s)", source_path, target_path)
                        return False
                    with (
                        open_child(parent, source_name) as source,
                        open_folder(target_path, what="target_path", create=True) as target,
                    ):
                        if is_inside(target.path, source.path):
                            self.logger.error(
                                "Refusing to copy %s into itself (%s)", source.path, target.path
                            )
                            return False
                        copy_tree(source, target)
                else:
                    with open_folder(target_parent, what="target_path", create=True) as target:
                        copy_file(parent, source_name, target, target_name)
        except FileNotFoundError:
            self.logger.error("Cannot copy %s: it does not exist", source_path)
            return False
        except (UnsafePathError, OSError) as exc:
            self.logger.error("Cannot copy %s to %s: %s", source_path, target_path, exc)
            return False
        self.logger.info("Copied %s to %s", source_path, target_path)
        return True


class CleanWorkspace(Task):
    """Empty a working folder strictly inside ``root`` (it is kept, its content removed).

    A missing folder is created (mode 0700). The folder itself may not be a symlink; symlinks
    inside it are unlinked, never followed.
    """

    task_name = "clean_workspace"

    def run(self, path: str, root: str) -> bool:  # type: ignore[override]
        removed: list[str] = []
        try:
            _refuse_home(path, "path")
            with open_folder(path, what="path", root=root, strictly_inside=True, create=True) as folder:
                remove_contents(folder, removed)
        except (UnsafePathError, OSError) as exc:
            self.logger.error("Cannot clean %s: %s", path, exc)
            return False
        finally:
            for item in removed:
                self.logger.info("Removed %s", item)
        return True


def parse_days(value: object) -> float:
    """A finite number of days >= 0 (a Jinja-rendered value, e.g. a DAG Param, arrives as a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"days must be a finite number >= 0, got {value!r}")
    try:
        days = float(value)
    except ValueError:
        raise ValueError(f"days must be a finite number >= 0, got {value!r}") from None
    if not math.isfinite(days) or days < 0:
        raise ValueError(f"days must be a finite number >= 0, got {value!r}")
    return days


class DeleteOlderThan(Task):
    """Delete files under ``path`` matching ``pattern`` not modified for ``days``; never leaves ``root``.

    The walk and every delete go through folder descriptors (``O_NOFOLLOW``, ``dir_fd=``): a
    subfolder swapped for a symlink is skipped, never followed; a matching symlink is itself
    deleted, its target is not.
    """

    task_name = "delete_older_than"

    def run(  # type: ignore[override]
        self, path: str, days: int | float, pattern: str, root: str, dry_run: bool = False
    ) -> bool:
        try:
            age_days = parse_days(days)
        except ValueError as exc:
            self.logger.error("%s", exc)
            return False
        cutoff = time.time() - age_days * 86400
        matched: list[str] = []
        try:
            folder = open_folder(path, what="path", root=root)
        except FileNotFoundError:
            self.logger.info("%s does not exist: nothing to delete", path)
            return True
        except (UnsafePathError, OSError) as exc:
            self.logger.error("%s", exc)
            return False
        try:
            with folder:
                self._delete(folder, pattern, cutoff, dry_run, matched)
        except OSError as exc:
            self.logger.error("Cannot delete under %s: %s", path, exc)
            return False
        self.logger.info(
            "%s %d file(s) older than %s day(s) under %s",
            "Would delete" if dry_run else "Deleted",
            len(matched),
            days,
            path,
        )
        return True

    def _delete(self, folder: Folder, pattern: str, cutoff: float, dry_run: bool, matched: list[str]) -> None:
        for name, st in entries(folder):
            if stat.S_ISDIR(st.st_mode):
                try:
                    child = open_child(folder, name, check=False)
                except UnsafePathError as exc:
                    self.logger.warning("Skipping %s", exc)
                    continue
                with child:
                    self._delete(child, pattern, cutoff, dry_run, matched)
            elif fnmatch.fnmatch(name, pattern) and st.st_mtime < cutoff:
                if dry_run:
                    self.logger.info("Would delete %s", folder.child_path(name))
                else:
                    os.unlink(name, dir_fd=folder.fd)
                    self.logger.info("Deleted %s", folder.child_path(name))
                matched.append(folder.child_path(name))
