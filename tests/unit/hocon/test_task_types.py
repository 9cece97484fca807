"""The built-in task types, run directly (they import no Airflow, except upload's ObjectStoragePath)."""

from __future__ import annotations

import logging
import os
import tarfile
import time
from pathlib import Path

import pytest

from airflow_provider_dataops.hocon import registry


def run(name: str, **args: object) -> bool:
    result: bool = registry.create(name).run(**args)
    return result


def make_tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.sql").write_text("select 1")
    return root


def test_shell_script_splits_string_args_streams_output_and_uses_cwd(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    (tmp_path / "marker file").write_text("")
    assert run(
        "shell_script", script_path="ls", script_args="-1 'marker file'", working_directory_path=str(tmp_path)
    )
    assert "marker file" in caplog.messages


def test_shell_script_never_uses_a_shell(tmp_path: Path) -> None:
    assert run("shell_script", script_path="touch", script_args=[str(tmp_path / "x; touch y")])
    assert [p.name for p in tmp_path.iterdir()] == ["x; touch y"]


def test_shell_script_fails_on_non_zero_exit_or_missing_program(caplog: pytest.LogCaptureFixture) -> None:
    assert run("shell_script", script_path="false") is False
    assert run("shell_script", script_path="/no/such/program") is False
    assert "exited with code 1" in caplog.text


def test_archive_is_deterministic_across_reruns(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "src")
    assert run("archive", input_directory_path=str(source), target_file_path=str(tmp_path / "one.tar.gz"))
    os.utime(source / "a.txt", (1, 1))
    assert run("archive", input_directory_path=str(source), target_file_path=str(tmp_path / "two.tar.gz"))
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()
    with tarfile.open(tmp_path / "one.tar.gz") as tar:
        assert tar.getnames() == ["src", "src/sub", "src/a.txt", "src/sub/b.sql"]


def test_archive_refuses_to_write_inside_the_folder_it_archives(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "src")
    assert (
        run("archive", input_directory_path=str(source), target_file_path=str(source / "sub" / "x.tar.gz"))
        is False
    )
    assert not (source / "sub" / "x.tar.gz").exists()


def test_copy_file_and_folder(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "src")
    assert run("copy", source_path=str(source), target_path=str(tmp_path / "backup"))
    assert (tmp_path / "backup" / "sub" / "b.sql").read_text() == "select 1"
    assert run("copy", source_path=str(source / "a.txt"), target_path=str(tmp_path / "one" / "a.txt"))
    assert (tmp_path / "one" / "a.txt").read_text() == "a"
    assert run("copy", source_path=str(source), target_path=str(source / "inner")) is False


def test_clean_workspace_empties_the_folder_and_refuses_root(tmp_path: Path) -> None:
    work = make_tree(tmp_path / "work")
    assert run("clean_workspace", path=str(work), root=str(tmp_path))
    assert work.is_dir()
    assert list(work.iterdir()) == []
    assert run("clean_workspace", path="/", root="/") is False
    assert run("clean_workspace", path="relative/dir", root=str(tmp_path)) is False


def test_clean_workspace_creates_a_missing_workspace_0700(tmp_path: Path) -> None:
    assert run("clean_workspace", path=str(tmp_path / "ws" / "app"), root=str(tmp_path))
    assert (tmp_path / "ws" / "app").is_dir()
    assert (tmp_path / "ws").stat().st_mode & 0o777 == 0o700


def aged(path: Path, days: float) -> Path:
    then = time.time() - days * 86400
    os.utime(path, (then, then))
    return path


def test_delete_older_than_deletes_only_old_matching_files(tmp_path: Path) -> None:
    root = tmp_path / "root"
    old_json = make_tree(root / "out") / "old.json"
    old_json.write_text("{}")
    aged(old_json, 40)
    aged(root / "out" / "a.txt", 40)
    new_json = root / "out" / "sub" / "new.json"
    new_json.write_text("{}")
    assert run(
        "delete_older_than", path=str(root / "out"), days=30, pattern="*.json", root=str(root), dry_run=True
    )
    assert old_json.exists()
    assert run("delete_older_than", path=str(root / "out"), days=30, pattern="*.json", root=str(root))
    assert not old_json.exists()
    assert new_json.exists()
    assert (root / "out" / "a.txt").exists()


@pytest.mark.parametrize(
    ("path", "root"),
    [("/", "/"), ("{r}/../x", "{r}"), ("{t}/elsewhere", "{r}"), ("relative", "{r}")],
    ids=["root", "dotdot", "outside", "relative"],
)
def test_delete_older_than_refuses_dangerous_paths(tmp_path: Path, path: str, root: str) -> None:
    r = tmp_path / "root"
    (tmp_path / "elsewhere").mkdir()
    victim = aged(make_tree(r) / "a.txt", 400)
    outside = tmp_path / "elsewhere" / "b.txt"
    outside.write_text("b")
    aged(outside, 400)
    args = {"path": path.format(r=r, t=tmp_path), "root": root.format(r=r, t=tmp_path)}
    assert run("delete_older_than", days=1, pattern="*", **args) is False
    assert victim.exists()
    assert outside.exists()


def test_python_calls_a_dotted_callable(tmp_path: Path) -> None:
    assert run("python", python_callable="os.makedirs", op_kwargs={"name": str(tmp_path / "made")})
    assert (tmp_path / "made").is_dir()
    assert run("python", python_callable="json:loads", op_kwargs={"s": "false"}) is False


def test_upload_copies_a_folder_to_a_local_object_storage_path(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "src")
    assert run("upload", source_path=str(source), target_url=f"file://{tmp_path / 'bucket'}/prefix")
    assert (tmp_path / "bucket" / "prefix" / "sub" / "b.sql").read_text() == "select 1"
    assert run("upload", source_path=str(tmp_path / "missing"), target_url=f"file://{tmp_path}") is False
