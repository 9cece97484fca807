"""The seed's own ``Archive`` and ``ShellScript`` classes, as published, work unchanged."""

from __future__ import annotations

import logging
import subprocess
import tarfile
from pathlib import Path
from typing import List, Union  # noqa: UP035  (the seed's spelling)

import pytest

from airflow_provider_dataops.hocon import Task, registry, validate_config


@pytest.fixture
def seed_classes(isolated_registry: None) -> dict[str, type]:
    class Archive(Task):
        def __init__(self) -> None:
            super().__init__()

        def run(self, input_directory_path: str, target_file_path: str) -> bool:  # type: ignore[override]
            self.logger.info(f"Archiving '{input_directory_path}' to '{target_file_path}'")
            with tarfile.open(target_file_path, "w:gz") as tar:
                tar.add(input_directory_path, arcname=Path(input_directory_path).name)
            return True

    class ShellScript(Task):
        task_name = "shell_script"

        def __init__(self) -> None:
            super().__init__()

        def run(  # type: ignore[override]
            self,
            script_path: str,
            script_args: Union[str, List[str]] = None,  # type: ignore[assignment]  # noqa: UP006, UP007, RUF013
            working_directory_path: str = None,  # type: ignore[assignment]  # noqa: RUF013
        ) -> bool:
            cmd = [script_path]
            if isinstance(script_args, str):
                cmd += [script_args]
            else:
                cmd += script_args
            try:
                result = subprocess.check_output(cmd, cwd=working_directory_path).decode().splitlines()
                for o in result:
                    self.logger.info(o)
            except (subprocess.CalledProcessError, FileNotFoundError) as e:
                self.logger.error(e)
                return False
            return True

    return {"archive": Archive, "shell_script": ShellScript}


def test_seed_classes_replace_the_builtins_and_validate_the_seed_config(
    seed_classes: dict[str, type], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert registry.get("archive") is seed_classes["archive"]
    assert registry.get("shell_script") is seed_classes["shell_script"]
    config = {
        "tasks": [
            {"name": "shell_script", "args": {"script_path": "uname", "script_args": "-a"}},
            {
                "name": "shell_script",
                "args": {"script_path": "find", "script_args": [str(tmp_path), "-name", "*.py"]},
            },
            {
                "name": "archive",
                "args": {"input_directory_path": str(tmp_path), "target_file_path": "/x.tar.gz"},
            },
        ]
    }
    assert validate_config(config, "seed.conf")[1] == []
    caplog.set_level(logging.INFO)
    assert registry.create("shell_script").run(script_path="uname", script_args="-a") is True
    assert registry.create("shell_script").run(script_path="false", script_args=[]) is False


def test_builtins_are_back_after_the_seed_test(seed_classes: dict[str, type]) -> None:
    assert registry.get("archive") is seed_classes["archive"]


def test_builtin_archive_is_registered_when_no_seed_class_is() -> None:
    from airflow_provider_dataops.hocon.task_types import Archive

    assert registry.get("archive") is Archive
