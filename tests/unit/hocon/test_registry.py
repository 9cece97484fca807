from __future__ import annotations

import sys
from pathlib import Path

import pytest

from airflow_provider_dataops.hocon import TaskRegistry, registry, validate_config
from airflow_provider_dataops.hocon.registry import ENTRY_POINT_GROUP


def test_entry_point_group_registers_another_packages_task_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_registry: None
) -> None:
    (tmp_path / "acme_tasks.py").write_text(
        "from airflow_provider_dataops.hocon import Task\n"
        "class Greet(Task):\n"
        "    task_name = 'acme_greet_internal'\n"
        "    def run(self, who: str) -> bool:\n"
        "        return bool(who)\n"
    )
    dist = tmp_path / "acme_tasks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-tasks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nacme_greet = acme_tasks:Greet\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_tasks", raising=False)

    fresh = TaskRegistry()
    assert fresh.has("acme_greet")
    assert fresh.create("acme_greet").run(who="x") is True
    _, problems = validate_config(
        {"tasks": [{"name": "acme_greet", "args": {}}]}, "c.conf", task_registry=fresh
    )
    assert problems == ["c.conf: tasks[0] (acme_greet): missing mandatory arg 'who'"]


def test_task_modules_self_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_registry: None
) -> None:
    (tmp_path / "seed_tasks_mod.py").write_text(
        "from airflow_provider_dataops.hocon import Task\n"
        "class Hello(Task):\n"
        "    def run(self, **kwargs) -> bool:\n"
        "        return True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not registry.has("hello")
    _, problems = validate_config({"tasks": [{"name": "hello"}]}, "c.conf", task_modules=["seed_tasks_mod"])
    assert problems == []
    assert registry.has("hello")
