"""The trusted-folder walk shared by every file task type (``task_types._safety``), on real folders."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from airflow_provider_dataops.hocon.task_types._safety import (
    UnsafePathError,
    check_existing,
    open_folder,
)
from tests.fixtures.local_user import LocalUser


def private(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def refusal(path: Path, **kwargs: object) -> str:
    with pytest.raises(UnsafePathError) as caught:
        open_folder(path, what="path", **kwargs).close()  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_private_folder_is_opened_and_missing_folders_are_created_0700(tmp_path: Path) -> None:
    root = private(tmp_path / "root")
    with open_folder(root / "a" / "b", what="path", root=root, create=True) as folder:
        assert folder.path == str(root / "a" / "b")
        assert os.path.samestat(os.fstat(folder.fd), os.stat(root / "a" / "b"))
    for created in (root / "a", root / "a" / "b"):
        assert stat.S_IMODE(created.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o757])
def test_a_world_writable_root_is_refused_naming_it(tmp_path: Path, mode: int) -> None:
    root = private(tmp_path / "root")
    root.chmod(mode)
    message = refusal(root / "ws", root=root, create=True)
    assert message.startswith(f"refusing path '{root / 'ws'}': folder {root} is writable by every user")
    assert not (root / "ws").exists()


def test_a_world_writable_folder_between_root_and_path_is_refused(tmp_path: Path) -> None:
    root = private(tmp_path / "root")
    private(root / "shared").chmod(0o777)
    assert f"folder {root / 'shared'} is writable by every user" in refusal(
        root / "shared" / "ws", root=root, create=True
    )


def test_a_sticky_shared_folder_is_accepted_above_the_root_only(shared_tmp: Path) -> None:
    root = private(shared_tmp / "root")
    with open_folder(root / "ws", what="path", root=root, create=True) as folder:
        assert folder.path == str(root / "ws")
    assert "accepted only above the root" in refusal(shared_tmp / "ws", root=shared_tmp)


def test_without_a_root_the_folder_itself_is_held_to_the_strict_rule(shared_tmp: Path) -> None:
    assert "writable by every user" in refusal(shared_tmp)
    with open_folder(private(shared_tmp / "mine"), what="path") as folder:
        assert folder.path == str(shared_tmp / "mine")


def test_a_group_writable_folder_is_refused_when_the_group_has_other_members(
    tmp_path: Path, other_user: LocalUser
) -> None:
    root = private(tmp_path / "root")
    os.chown(root, 0, other_user.gid)
    root.chmod(0o770)
    assert "writable by group" in refusal(root / "ws", root=root, create=True)
    os.chown(root, 0, 0)  # root's own group has no other member here
    with open_folder(root / "ws", what="path", root=root, create=True):
        pass


def test_a_folder_owned_by_another_user_is_refused_even_when_not_writable(
    tmp_path: Path, other_user: LocalUser
) -> None:
    root = private(tmp_path / "root")
    os.chown(root, other_user.uid, other_user.gid)
    root.chmod(0o755)
    message = refusal(root / "ws", root=root, create=True)
    assert (
        f"folder {root} is owned by user {other_user.name} (uid {other_user.uid}), not by you or root"
        in message
    )


def test_a_symlink_at_or_below_the_root_is_refused_and_a_trusted_one_above_it_is_followed(
    tmp_path: Path,
) -> None:
    real = private(tmp_path / "real")
    private(real / "ws")
    (tmp_path / "alias").symlink_to(real)
    with open_folder(tmp_path / "alias" / "ws", what="path", root=tmp_path / "alias" / "ws") as folder:
        assert folder.path == str(real / "ws")
    (real / "link").symlink_to(real / "ws")
    assert f"{real / 'link'} is a symlink" in refusal(real / "link", root=real)
    assert f"{tmp_path / 'alias'} is a symlink" in refusal(tmp_path / "alias" / "ws", root=tmp_path / "alias")


@pytest.mark.parametrize(
    ("path", "root", "reason"),
    [
        ("relative/ws", None, "must be an absolute path"),
        ("{t}/root/../etc", "{t}/root", "must not contain '..'"),
        ("{t}/etc", "{t}/root", "is not inside root"),
        ("/", "/", "is the filesystem root"),
    ],
    ids=["relative", "dotdot", "outside", "filesystem-root"],
)
def test_paths_outside_the_root_are_refused(tmp_path: Path, path: str, root: str | None, reason: str) -> None:
    private(tmp_path / "root")
    private(tmp_path / "etc")
    kwargs = {"root": root.format(t=tmp_path)} if root else {}
    with pytest.raises(UnsafePathError, match=reason):
        open_folder(path.format(t=tmp_path), what="path", **kwargs)


def test_check_existing_follows_trusted_symlinks_and_refuses_a_file_others_can_write(tmp_path: Path) -> None:
    folder = private(tmp_path / "bin")
    script = folder / "tool.py"
    script.write_text("print(1)")
    (folder / "alias.py").symlink_to("tool.py")
    check_existing(str(folder / "alias.py"), "script_path")
    check_existing(str(tmp_path / "missing" / "x"), "script_path")
    script.chmod(0o666)
    with pytest.raises(UnsafePathError, match=f"{script} is writable by every user"):
        check_existing(str(folder / "alias.py"), "script_path")
