"""The file task types under attack: symlinks, rename-exchange swaps and bad input, on real files.

Decoys stand in for the files an attacker is after (a private key, ``/etc/passwd``, ``airflow.cfg``)
and live in the test's own temp folder, never the real ones. A swap is done by the kernel's
``renameat2(RENAME_EXCHANGE)`` at the moment the task is about to delete a file: a Python audit
hook (``sys.addaudithook``) sees the ``os.remove`` event just before the system call and performs
the swap, so the race is hit every time without touching the code under test.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.hocon import registry

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n"
_ON_REMOVE: list[Callable[[Any], None]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "os.remove" and _ON_REMOVE:
        _ON_REMOVE.pop()(args[0])


sys.addaudithook(_audit)


@contextmanager
def before_first_remove(action: Callable[[Any], None]) -> Iterator[None]:
    """Run ``action`` once, right before the first file delete of the code under test."""
    _ON_REMOVE[:] = [action]
    try:
        yield
    finally:
        _ON_REMOVE.clear()


def exchange(a: Path, b: Path) -> None:
    """Atomically swap two paths (``renameat2(..., RENAME_EXCHANGE)``), as an attacker's loop would."""
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "renameat2"):
        pytest.skip("renameat2 is not available in this libc")
    at_fdcwd, rename_exchange = -100, 2
    if libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(a))


def run(name: str, **args: object) -> bool:
    result: bool = registry.create(name).run(**args)
    return result


def aged(path: Path, days: float = 40) -> Path:
    then = time.time() - days * 86400
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def decoy(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def all_text(folder: Path) -> str:
    return "".join(p.read_text() for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# delete_older_than / clean_workspace: swaps and symlinks


def test_delete_older_than_is_not_redirected_by_a_rename_exchange_swap(tmp_path: Path) -> None:
    root = tmp_path / "root"
    backups = root / "backup" / "app"
    aged(decoy(backups, "app_2020.tar.gz", "old backup"))
    outside = aged(decoy(tmp_path / "outside", "app_2020.tar.gz", "not ours"))
    (root / "backup" / "swap").symlink_to(outside.parent)

    with before_first_remove(lambda _: exchange(backups, root / "backup" / "swap")):
        assert run("delete_older_than", path=str(backups), days=30, pattern="*.tar.gz", root=str(root))

    assert outside.read_text() == "not ours"
    assert (root / "backup" / "app").is_symlink()  # the swap did happen
    assert not (root / "backup" / "swap" / "app_2020.tar.gz").exists()  # the real folder was cleaned


def test_delete_older_than_never_descends_a_symlinked_folder_and_deletes_links_not_targets(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    outside = aged(decoy(tmp_path / "outside", "x.tar.gz", "not ours"))
    (root / "out").mkdir(parents=True)
    (root / "out" / "linked").symlink_to(outside.parent)
    link = root / "out" / "y.tar.gz"
    link.symlink_to(outside)
    aged(link)
    assert run("delete_older_than", path=str(root / "out"), days=1, pattern="*.tar.gz", root=str(root))
    assert outside.read_text() == "not ours"
    assert not link.is_symlink()


@pytest.mark.parametrize(
    "days", ["nan", "inf", "-inf", float("nan"), float("inf"), -1, "-1", "abc", True, None]
)
def test_delete_older_than_accepts_only_finite_non_negative_days(
    tmp_path: Path, days: object, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "root"
    victim = aged(decoy(root, "a.json", "{}"), 400)
    assert run("delete_older_than", path=str(root), days=days, pattern="*", root=str(root)) is False
    assert victim.exists()
    assert caplog.messages == [f"days must be a finite number >= 0, got {days!r}"]


def test_clean_workspace_is_not_redirected_by_a_rename_exchange_swap(tmp_path: Path) -> None:
    root = tmp_path / "root"
    workspace = root / "ws"
    decoy(workspace, "passwd", "workspace copy")
    etc = decoy(tmp_path / "etc", "passwd", "root:x:0:0")
    (root / "swap").symlink_to(etc.parent)

    with before_first_remove(lambda _: exchange(workspace, root / "swap")):
        assert run("clean_workspace", path=str(workspace), root=str(root))

    assert etc.read_text() == "root:x:0:0"
    assert list((root / "swap").iterdir()) == []


def test_clean_workspace_refuses_a_symlinked_workspace_and_unlinks_links_inside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    etc = decoy(tmp_path / "etc", "passwd", "root:x:0:0")
    root.mkdir()
    (root / "ws").symlink_to(etc.parent)
    assert run("clean_workspace", path=str(root / "ws"), root=str(root)) is False
    assert etc.read_text() == "root:x:0:0"

    (root / "ws").unlink()
    (root / "ws" / "sub").mkdir(parents=True)
    (root / "ws" / "passwd").symlink_to(etc)
    (root / "ws" / "sub" / "etc").symlink_to(etc.parent)
    assert run("clean_workspace", path=str(root / "ws"), root=str(root))
    assert list((root / "ws").iterdir()) == []
    assert etc.read_text() == "root:x:0:0"


@pytest.mark.parametrize(
    ("path", "root"),
    [("{t}/etc", "{t}/root"), ("{t}/root", "{t}/root"), ("{t}/root/../etc", "{t}/root"), ("/", "/")],
    ids=["outside-root", "the-root-itself", "dotdot", "filesystem-root"],
)
def test_clean_workspace_refuses_anything_not_strictly_inside_its_root(
    tmp_path: Path, path: str, root: str
) -> None:
    etc = decoy(tmp_path / "etc", "passwd", "root:x:0:0")
    kept = decoy(tmp_path / "root", "kept", "kept")
    assert run("clean_workspace", path=path.format(t=tmp_path), root=root.format(t=tmp_path)) is False
    assert etc.exists()
    assert kept.exists()


def test_clean_workspace_refuses_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = decoy(tmp_path / "home" / "me", ".bashrc", "x").parent
    monkeypatch.setenv("HOME", str(home))
    assert run("clean_workspace", path=str(home), root=str(tmp_path)) is False
    assert (home / ".bashrc").exists()


# copy / archive / upload: symlinks in the source, symlinks planted at the target


def source_with_key_link(tmp_path: Path) -> tuple[Path, Path]:
    key = decoy(tmp_path / "home" / ".ssh", "id_ed25519", KEY)
    source = tmp_path / "src"
    decoy(source, "a.txt", "a")
    (source / "key").symlink_to(key)
    (source / "ssh").symlink_to(key.parent)
    return source, key


def test_copy_copies_symlinks_as_links_never_their_targets_content(tmp_path: Path) -> None:
    source, key = source_with_key_link(tmp_path)
    assert run("copy", source_path=str(source), target_path=str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "a.txt").read_text() == "a"
    assert os.readlink(tmp_path / "backup" / "key") == str(key)
    assert (tmp_path / "backup" / "ssh").is_symlink()
    assert "PRIVATE KEY" not in all_text(tmp_path / "backup")


def test_copy_refuses_a_symlink_as_its_source(tmp_path: Path) -> None:
    source_with_key_link(tmp_path)
    assert (
        run("copy", source_path=str(tmp_path / "src" / "key"), target_path=str(tmp_path / "out.txt")) is False
    )
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("as_folder", [True, False], ids=["folder", "file"])
def test_copy_never_writes_through_a_symlink_planted_at_the_target(tmp_path: Path, as_folder: bool) -> None:
    cfg = decoy(tmp_path / "airflow", "airflow.cfg", "[core]\n")
    source = decoy(tmp_path / "src", "a.txt", "new content").parent
    target = tmp_path / "backup"
    target.mkdir()
    (target / "a.txt").symlink_to(cfg)
    if as_folder:
        assert run("copy", source_path=str(source), target_path=str(target))
    else:
        assert run("copy", source_path=str(source / "a.txt"), target_path=str(target / "a.txt"))
    assert cfg.read_text() == "[core]\n"
    assert not (target / "a.txt").is_symlink()
    assert (target / "a.txt").read_text() == "new content"
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]  # no temporary file left behind


def test_copy_keeps_the_mode_without_group_or_other_write(tmp_path: Path) -> None:
    script = decoy(tmp_path / "src", "run.py", "print(1)")
    script.chmod(0o777)
    assert run("copy", source_path=str(script), target_path=str(tmp_path / "out" / "run.py"))
    assert (tmp_path / "out" / "run.py").stat().st_mode & 0o777 == 0o755


def test_archive_stores_symlinks_as_links_never_their_targets_content(tmp_path: Path) -> None:
    source, key = source_with_key_link(tmp_path)
    assert run("archive", input_directory_path=str(source), target_file_path=str(tmp_path / "b.tar.gz"))
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert members["src/key"].issym()
        assert members["src/key"].linkname == str(key)
        assert members["src/ssh"].issym()
        contents = [tar.extractfile(m).read() for m in members.values() if m.isfile()]  # type: ignore[union-attr]
    assert contents == [b"a"]


def test_archive_never_writes_through_a_symlink_planted_at_the_target(tmp_path: Path) -> None:
    cfg = decoy(tmp_path / "airflow", "airflow.cfg", "[core]\n")
    source = decoy(tmp_path / "src", "a.txt", "a").parent
    (tmp_path / "backup").mkdir()
    target = tmp_path / "backup" / "b.tar.gz"
    target.symlink_to(cfg)
    assert run("archive", input_directory_path=str(source), target_file_path=str(target))
    assert cfg.read_text() == "[core]\n"
    assert not target.is_symlink()
    with tarfile.open(target) as tar:
        assert tar.getnames() == ["src", "src/a.txt"]


def test_archive_refuses_a_symlinked_source_folder(tmp_path: Path) -> None:
    source_with_key_link(tmp_path)
    assert (
        run(
            "archive",
            input_directory_path=str(tmp_path / "src" / "ssh"),
            target_file_path=str(tmp_path / "k.tgz"),
        )
        is False
    )
    assert not (tmp_path / "k.tgz").exists()


def test_upload_refuses_a_source_with_symlinks_before_uploading_anything(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source, _ = source_with_key_link(tmp_path)
    lake = tmp_path / "lake"
    for target in (f"file://{lake}", str(lake)):
        assert run("upload", source_path=str(source), target_url=target) is False
    assert not lake.exists() or list(lake.rglob("*")) == []
    assert f"refusing to upload {source / 'key'}: it is a symlink" in caplog.text


def test_upload_refuses_a_symlinked_source_file(tmp_path: Path) -> None:
    source_with_key_link(tmp_path)
    assert (
        run("upload", source_path=str(tmp_path / "src" / "key"), target_url=f"file://{tmp_path}/lake")
        is False
    )
    assert not (tmp_path / "lake").exists()


def test_upload_never_writes_through_a_symlink_planted_at_a_local_target(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    cfg = decoy(tmp_path / "airflow", "airflow.cfg", "[core]\n")
    source = decoy(tmp_path / "src" / "sub", "a.txt", "new").parent.parent
    lake = tmp_path / "lake"
    (lake / "sub").mkdir(parents=True)
    (lake / "sub" / "a.txt").symlink_to(cfg)
    assert run("upload", source_path=str(source), target_url=f"file://{lake}")
    assert cfg.read_text() == "[core]\n"
    assert (lake / "sub" / "a.txt").read_text() == "new"
    assert not (lake / "sub" / "a.txt").is_symlink()


# shell_script: what it runs must be trusted


def planted_script(folder: Path, marker: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "scan_lineage.py"
    script.write_text(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n")
    return script


@pytest.mark.parametrize("mode", [0o777, 0o775])
def test_shell_script_refuses_a_script_in_a_folder_others_can_write(
    tmp_path: Path, mode: int, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "marker"
    script = planted_script(tmp_path / "ws" / "bin", marker)
    (tmp_path / "ws" / "bin").chmod(mode)
    if mode == 0o775:
        os.chown(tmp_path / "ws" / "bin", 0, 65534)  # nogroup: members other than root and you
    assert run("shell_script", script_path=sys.executable, script_args=[str(script), "scan"]) is False
    assert not marker.exists()
    assert f"refusing script_args[0] '{script}': folder {script.parent} is" in caplog.text


def test_shell_script_refuses_a_script_others_can_write_and_an_unsafe_working_folder(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    script = planted_script(tmp_path / "bin", marker)
    script.chmod(0o666)
    assert run("shell_script", script_path=sys.executable, script_args=[str(script)]) is False
    script.chmod(0o755)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    assert (
        run(
            "shell_script",
            script_path=sys.executable,
            script_args=["-c", "pass"],
            working_directory_path=str(shared),
        )
        is False
    )
    assert not marker.exists()
    assert run("shell_script", script_path=sys.executable, script_args=[str(script)])
    assert marker.read_text() == "ran"


def test_shell_script_runs_your_own_script_from_a_sticky_shared_folder_but_not_from_it_as_cwd(
    shared_tmp: Path,
) -> None:
    marker = shared_tmp / "marker"
    script = planted_script(shared_tmp, marker)
    script.chmod(0o644)
    assert run("shell_script", script_path=sys.executable, script_args=[str(script)])
    assert marker.read_text() == "ran"
    marker.unlink()
    cwd = str(shared_tmp)
    assert (
        run("shell_script", script_path=sys.executable, script_args=[str(script)], working_directory_path=cwd)
        is False
    )
    assert not marker.exists()
