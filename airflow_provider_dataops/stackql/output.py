"""Write an output file so that readers only ever see the previous file or the complete new one.

The bytes go to a new, exclusively created temporary name in the target's own folder, which is
renamed over the target only once complete. The rename replaces whatever is at the target (a
file or a symlink) without following it, so a symlink planted there cannot redirect the write;
a failure removes the temporary file and leaves the previous target as it was.

The folder is opened once and everything happens relative to that descriptor, after checking it
the way ssh's StrictModes does: owned by this user or root, and not writable by group or others
unless sticky (like ``/tmp``), where another account could otherwise swap our files.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from contextlib import suppress
from typing import BinaryIO


class UnsafeOutputFolderError(PermissionError):
    """The folder of an output file can be changed by another local user."""


def write_atomically(target: str, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` with a binary file that becomes ``target`` once ``write`` has returned."""
    path = os.path.abspath(target)
    folder, name = os.path.split(path)
    if not name:
        raise IsADirectoryError(f"output path {target!r} names a folder, not a file")
    os.makedirs(folder, exist_ok=True)
    dir_fd = _open_folder(folder)
    try:
        _check_folder(folder, os.fstat(dir_fd))
        temporary = f".{name}.{secrets.token_hex(8)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(temporary, flags, 0o666, dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=dir_fd)
            raise
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _open_folder(folder: str) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
    try:
        return os.open(folder, flags | os.O_NOFOLLOW)
    except OSError:
        link = os.lstat(folder)
        if not stat.S_ISLNK(link.st_mode):
            raise
    if link.st_uid not in (os.geteuid(), 0):
        raise UnsafeOutputFolderError(
            f"refusing to write into {folder}: it is a symlink owned by another user (uid {link.st_uid})"
        )
    return os.open(folder, flags)


def _check_folder(folder: str, info: os.stat_result) -> None:
    if info.st_uid not in (os.geteuid(), 0):
        raise UnsafeOutputFolderError(
            f"refusing to write into {folder}: it is owned by another user (uid {info.st_uid})"
        )
    shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if shared and not info.st_mode & stat.S_ISVTX:
        who = (
            "group and others"
            if shared == stat.S_IWGRP | stat.S_IWOTH
            else ("its group" if shared == stat.S_IWGRP else "others")
        )
        raise UnsafeOutputFolderError(
            f"refusing to write into {folder}: it is writable by {who} "
            f"(mode {stat.S_IMODE(info.st_mode):04o}), so another user could swap the file"
        )
