"""Safe file access for the built-in task types, shared by all of them (no Airflow import).

Two rules, like ssh's ``StrictModes``:

* A folder is *trusted* when it is owned by root or by the current user and nobody else can
  write in it (group-writable is accepted only when the group has no members but root and you).
  Above a task's root, a sticky folder owned by root or you (``/tmp``) is accepted too: others
  cannot rename or replace what is yours inside it. The root itself, and everything below it,
  must be trusted without that exception.
* Nothing is reached through a symlink below the root, and nothing is resolved first and used
  later by path: a path is opened one component at a time from ``/`` with ``O_NOFOLLOW``, every
  folder is checked with ``fstat`` on the opened descriptor, and every later read, write and
  delete is relative to a folder descriptor (``dir_fd=``). A folder swapped for a symlink after
  the check cannot redirect them. Outputs are written to a temporary name in the target folder
  and renamed into place, so a symlink planted at the target is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import errno
import grp
import os
import pwd
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
_MAX_SYMLINKS = 40
NEW_FOLDER_MODE = 0o700


class UnsafePathError(Exception):
    """A path a task would touch is unsafe or unusable; the message is one line naming it and why."""


def trusted_uids() -> frozenset[int]:
    return frozenset({0, os.geteuid()})


def _user(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _group_members_trusted(gid: int) -> bool:
    try:
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    names = set(group.gr_mem) | {user.pw_name for user in pwd.getpwall() if user.pw_gid == gid}
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            return False
    return uids <= trusted_uids()


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def folder_problem(st: os.stat_result, *, strict: bool) -> str | None:
    """Why a folder with this ``stat`` cannot be trusted, or None. ``strict``: no sticky exception."""
    if st.st_uid not in trusted_uids():
        return f"owned by {_user(st.st_uid)}, not by you or root"
    if not strict and st.st_mode & stat.S_ISVTX:
        return None
    if st.st_mode & stat.S_IWOTH:
        return "writable by every user" + (
            " (a shared sticky folder like /tmp is accepted only above the root)"
            if st.st_mode & stat.S_ISVTX
            else ""
        )
    if st.st_mode & stat.S_IWGRP and not _group_members_trusted(st.st_gid):
        return f"writable by group {_group_name(st.st_gid)}, which has members other than you and root"
    return None


def file_problem(st: os.stat_result) -> str | None:
    """Why a file that will be run or read as code cannot be trusted, or None."""
    if st.st_uid not in trusted_uids():
        return f"owned by {_user(st.st_uid)}, not by you or root"
    if stat.S_ISREG(st.st_mode):
        if st.st_mode & stat.S_IWOTH:
            return "writable by every user"
        if st.st_mode & stat.S_IWGRP and not _group_members_trusted(st.st_gid):
            return f"writable by group {_group_name(st.st_gid)}, which has members other than you and root"
    return None


@dataclass
class Folder:
    """An open folder descriptor and the real path it was reached by (for messages)."""

    fd: int
    path: str

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def child_path(self, name: str) -> str:
        return f"{self.path.rstrip('/')}/{name}"


def components(path: str | os.PathLike[str], what: str) -> list[str]:
    """The components of an absolute path without ``..`` (``.`` and doubled ``/`` are dropped)."""
    text = os.fspath(path)
    if not text or not os.path.isabs(text):
        raise UnsafePathError(f"{what} '{text}' must be an absolute path")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafePathError(f"{what} '{text}' must not contain '..'")
    return parts


def is_inside(path: str, folder: str, *, strictly: bool = False) -> bool:
    inner, outer = components(path, "path"), components(folder, "folder")
    return inner[: len(outer)] == outer and (len(inner) > len(outer) or not strictly)


def open_folder(
    path: str | os.PathLike[str],
    *,
    what: str,
    root: str | os.PathLike[str] | None = None,
    strictly_inside: bool = False,
    create: bool = False,
    follow_trusted_symlinks: bool = False,
    display: str | None = None,
    shared_ok: bool = False,
) -> Folder:
    """Open a trusted folder (see the module docstring) and return its descriptor.

    Without ``root``, only the folder itself is held to the strict rule; with it, ``path`` must
    lie inside ``root`` (``strictly_inside``: below it) and root and every folder below it are.
    ``create`` makes missing folders, mode 0700. A symlink is followed only above the strict
    part and only when owned by root or you, unless ``follow_trusted_symlinks`` (paths that are
    only read or run, e.g. ``/bin`` -> ``usr/bin``). ``display``: the path messages name (default
    ``path``). ``shared_ok``: no folder is held to the strict rule (for what is only read or run
    and is checked itself). Raises :class:`UnsafePathError`, or
    :class:`FileNotFoundError` when a folder is missing and ``create`` is false.
    """
    display = display or os.fspath(path)
    parts = components(path, what)
    strict_from = len(parts)
    if root is not None:
        root_parts = components(root, "root")
        if not root_parts:
            raise UnsafePathError(f"root '{os.fspath(root)}' is the filesystem root")
        inside = parts[: len(root_parts)] == root_parts
        if not inside or (strictly_inside and len(parts) == len(root_parts)):
            where = "strictly inside" if strictly_inside else "inside"
            raise UnsafePathError(f"refusing {what} '{display}': it is not {where} root '{os.fspath(root)}'")
        strict_from = len(root_parts)
    if shared_ok:
        strict_from = len(parts) + 1
    prefix = f"refusing {what} '{display}'"
    pending = [(name, index + 1 >= strict_from) for index, name in enumerate(parts)]
    pending.reverse()
    fds = [os.open("/", _DIR_FLAGS)]
    names: list[str] = []
    hops = 0
    try:
        if problem := folder_problem(os.fstat(fds[0]), strict=strict_from == 0):
            raise UnsafePathError(f"{prefix}: folder / is {problem}")
        while pending:
            name, strict = pending.pop()
            if name == "..":
                if len(fds) > 1:
                    os.close(fds.pop())
                    names.pop()
                continue
            current = "/" + "/".join([*names, name])
            try:
                fd = os.open(name, _DIR_FLAGS, dir_fd=fds[-1])
            except FileNotFoundError:
                if not create:
                    raise FileNotFoundError(
                        errno.ENOENT, f"folder {current} does not exist", display
                    ) from None
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, NEW_FOLDER_MODE, dir_fd=fds[-1])
                pending.append((name, strict))
                continue
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                st = os.stat(name, dir_fd=fds[-1], follow_symlinks=False)
                if not stat.S_ISLNK(st.st_mode):
                    raise UnsafePathError(f"{prefix}: {current} is not a folder") from None
                if strict and not follow_trusted_symlinks:
                    raise UnsafePathError(f"{prefix}: {current} is a symlink") from None
                if st.st_uid not in trusted_uids():
                    raise UnsafePathError(
                        f"{prefix}: symlink {current} is owned by {_user(st.st_uid)}, not by you or root"
                    ) from None
                hops += 1
                if hops > _MAX_SYMLINKS:
                    raise UnsafePathError(f"{prefix}: too many levels of symlinks") from None
                target = os.readlink(name, dir_fd=fds[-1])
                if target.startswith("/"):
                    while len(fds) > 1:
                        os.close(fds.pop())
                        names.pop()
                pending.extend(
                    (part, strict) for part in reversed(target.split("/")) if part not in ("", ".")
                )
                continue
            fds.append(fd)
            names.append(name)
            if problem := folder_problem(os.fstat(fd), strict=strict):
                raise UnsafePathError(f"{prefix}: folder {current} is {problem}")
        folder = Folder(fds.pop(), "/" + "/".join(names))
        return folder
    finally:
        for fd in fds:
            os.close(fd)


def lstat(folder: Folder, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=folder.fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def open_child(folder: Folder, name: str, *, create: bool = False, check: bool = True) -> Folder:
    """A subfolder, never through a symlink; ``check``: it must be trusted (strict rule)."""
    path = folder.child_path(name)
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=folder.fd)
    except FileNotFoundError:
        if not create:
            raise
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, NEW_FOLDER_MODE, dir_fd=folder.fd)
        fd = os.open(name, _DIR_FLAGS, dir_fd=folder.fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            kind = (
                "a symlink"
                if stat.S_ISLNK(os.stat(name, dir_fd=folder.fd, follow_symlinks=False).st_mode)
                else "not a folder"
            )
            raise UnsafePathError(f"refusing {path}: it is {kind}") from None
        raise
    child = Folder(fd, path)
    if check and (problem := folder_problem(os.fstat(fd), strict=True)):
        child.close()
        raise UnsafePathError(f"refusing folder {path}: it is {problem}")
    return child


def entries(folder: Folder) -> list[tuple[str, os.stat_result]]:
    """The folder's entries, sorted by name, each with its own ``lstat`` (links are not followed)."""
    with os.scandir(folder.fd) as it:
        found = [(entry.name, entry.stat(follow_symlinks=False)) for entry in it]
    return sorted(found, key=lambda item: item[0])


@contextlib.contextmanager
def open_file(folder: Folder, name: str) -> Iterator[BinaryIO]:
    """A regular file of ``folder`` opened for reading; a symlink or special file is refused."""
    path = folder.child_path(name)
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder.fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePathError(f"refusing {path}: it is a symlink") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePathError(f"refusing {path}: it is not a regular file")
    with os.fdopen(fd, "rb") as file:
        yield file


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name:
        raise UnsafePathError(f"'{name}' is not a file name")


@contextlib.contextmanager
def atomic_writer(
    folder: Folder, name: str, *, mode: int = 0o600, times_ns: tuple[int, int] | None = None
) -> Iterator[BinaryIO]:
    """Write ``name`` in ``folder`` via a temporary file renamed over it on success (removed on error).

    A symlink at ``name`` is replaced by the new file; the file it points at is never opened.
    """
    _check_name(name)
    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(
        tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder.fd
    )
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fchmod(out.fileno(), mode)
            if times_ns is not None:
                os.utime(out.fileno(), ns=times_ns)
        os.replace(tmp, name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder.fd)
        raise


def replace_with_symlink(folder: Folder, name: str, link_target: str) -> None:
    """Create (or atomically replace) ``name`` in ``folder`` as a symlink to ``link_target``."""
    _check_name(name)
    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    os.symlink(link_target, tmp, dir_fd=folder.fd)
    try:
        os.replace(tmp, name, src_dir_fd=folder.fd, dst_dir_fd=folder.fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder.fd)
        raise


def remove_contents(folder: Folder, removed: list[str] | None = None) -> None:
    """Delete everything inside ``folder`` through descriptors; a symlink is unlinked, never followed."""
    for name, st in entries(folder):
        if stat.S_ISDIR(st.st_mode):
            try:
                child = open_child(folder, name, check=False)
            except UnsafePathError:
                os.unlink(name, dir_fd=folder.fd)  # it became a symlink or file since the listing
            else:
                with child:
                    remove_contents(child)
                os.rmdir(name, dir_fd=folder.fd)
        else:
            os.unlink(name, dir_fd=folder.fd)
        if removed is not None:
            removed.append(folder.child_path(name))


def check_existing(path: str, what: str, *, shared_ok: bool = False) -> None:
    """For a file or folder that will be run or read as code: it and every folder above it trusted.

    Trusted symlinks on the way are followed and their targets checked the same way. A path that
    does not exist is accepted (there is nothing to plant yet; what creates it must check).
    ``shared_ok``: the folders may be sticky shared ones like ``/tmp`` (nobody else can replace
    an entry of yours in them); the entry itself must still be yours or root's and not writable
    by others.
    """
    current = path
    for _ in range(_MAX_SYMLINKS):
        parent, name = os.path.split(os.path.normpath(current))
        if not name:
            return
        try:
            folder = open_folder(
                parent, what=what, follow_trusted_symlinks=True, display=path, shared_ok=shared_ok
            )
        except FileNotFoundError:
            return
        with folder:
            st = lstat(folder, name)
            if st is None:
                return
            shown = folder.child_path(name)
            if stat.S_ISLNK(st.st_mode):
                if st.st_uid not in trusted_uids():
                    owner = _user(st.st_uid)
                    raise UnsafePathError(
                        f"refusing {what} '{path}': symlink {shown} is owned by {owner}, not by you or root"
                    )
                current = os.path.join(folder.path, os.readlink(name, dir_fd=folder.fd))
                continue
            if stat.S_ISDIR(st.st_mode):
                problem = folder_problem(st, strict=not shared_ok)
            else:
                problem = file_problem(st)
            if problem:
                raise UnsafePathError(f"refusing {what} '{path}': {shown} is {problem}")
            return
    raise UnsafePathError(f"refusing {what} '{path}': too many levels of symlinks")
