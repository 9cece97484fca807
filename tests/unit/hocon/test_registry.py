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


def _fresh_interpreter(code: str) -> str:
    """Run ``code`` in a new Python (module imports and the global registry start empty)."""
    import subprocess
    import textwrap

    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_validating_a_shell_script_config_imports_no_other_built_in_task_type_module() -> None:
    out = _fresh_interpreter(
        """
        import sys
        from airflow_provider_dataops.hocon import validate_config
        config = {"tasks": [{"name": "shell_script", "args": {"script_path": "true"}}]}
        assert validate_config(config, "c.conf")[1] == []
        print(sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith(
            "airflow_provider_dataops.hocon.task_types.")))
        """
    )
    assert out == "['shell']"


def test_every_built_in_type_is_registered_before_any_of_their_modules_is_imported() -> None:
    out = _fresh_interpreter(
        """
        import sys
        from airflow_provider_dataops.hocon import registry
        names = registry.registered()
        loaded = [m for m in sys.modules if m.startswith("airflow_provider_dataops.hocon.task_types.")]
        print(names, loaded)
        """
    )
    assert out == (
        "['archive', 'clean_workspace', 'copy', 'delete_older_than', 'dlp_inspect', 'lineage_facets', "
        "'openlineage_emit', 'parquet_to_snowflake', 'python', 'shell_script', 'sql_lineage', "
        "'stackql_query', 'upload'] []"
    )


def test_a_type_registered_under_a_built_in_name_stays_when_the_built_in_module_is_imported_later() -> None:
    out = _fresh_interpreter(
        """
        from airflow_provider_dataops.hocon import Task, registry
        class MyArchive(Task):
            task_name = "archive"
            def run(self, where: str) -> bool:
                return True
        from airflow_provider_dataops.hocon.task_types import Copy  # the module that defines Archive too
        print(registry.get("archive").__name__, registry.get("copy") is Copy)
        """
    )
    assert out == "MyArchive True"


def test_built_in_classes_import_from_the_task_types_package_and_are_the_registered_ones() -> None:
    from airflow_provider_dataops.hocon.task_types import Archive, ShellScript, SqlLineage

    assert registry.get("archive") is Archive
    assert registry.get("shell_script") is ShellScript
    assert registry.get("sql_lineage") is SqlLineage


def _dist_info(folder: Path, name: str, entry_points: str | None) -> None:
    dist = folder / f"{name.replace('-', '_')}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (dist / "entry_points.txt").write_text(entry_points)


@pytest.mark.parametrize("group", [ENTRY_POINT_GROUP, "console_scripts", "apache_airflow_provider"])
def test_group_entry_points_finds_what_importlib_metadata_finds(
    group: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.metadata import entry_points

    from airflow_provider_dataops.hocon.registry import group_entry_points

    _dist_info(tmp_path / "first", "acme-one", f"[{group}]\none = acme_one:One\n")
    _dist_info(tmp_path / "first", "acme-two", f"[other]\nx = y:z\n\n[{group}]\ntwo = acme_two:Two\n")
    _dist_info(tmp_path / "first", "acme-none", None)
    monkeypatch.syspath_prepend(str(tmp_path / "first"))

    assert group_entry_points(group) == list(entry_points(group=group))
    assert {"one", "two"} <= {ep.name for ep in group_entry_points(group)}


def test_a_distribution_shadowed_by_an_earlier_one_of_the_same_name_contributes_no_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.metadata import entry_points

    from airflow_provider_dataops.hocon.registry import group_entry_points

    _dist_info(tmp_path / "late", "Acme_Shadow", f"[{ENTRY_POINT_GROUP}]\nshadowed = acme:Shadowed\n")
    _dist_info(tmp_path / "early", "acme-shadow", "[console_scripts]\nacme = acme:main\n")
    monkeypatch.syspath_prepend(str(tmp_path / "late"))
    monkeypatch.syspath_prepend(str(tmp_path / "early"))

    assert "shadowed" not in {ep.name for ep in group_entry_points(ENTRY_POINT_GROUP)}
    assert group_entry_points(ENTRY_POINT_GROUP) == list(entry_points(group=ENTRY_POINT_GROUP))


def test_an_entry_point_named_like_a_built_in_type_is_skipped_and_never_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from airflow_provider_dataops.hocon.task_types import ShellScript

    (tmp_path / "acme_takeover.py").write_text("raise SystemExit('acme_takeover was imported')\n")
    _dist_info(tmp_path, "acme-takeover", f"[{ENTRY_POINT_GROUP}]\nShell_Script = acme_takeover:Evil\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    fresh = TaskRegistry()
    fresh.register(ShellScript, name="shell_script")
    with caplog.at_level("WARNING", logger="airflow_provider_dataops.hocon.registry"):
        assert "shell_script" in fresh.registered()
    assert fresh.get("shell_script") is ShellScript
    assert "acme_takeover" not in sys.modules
    assert "entry point Shell_Script = acme_takeover:Evil" in caplog.text
    assert "task type 'shell_script' is already" in caplog.text


def test_installed_packages_entry_points_are_read_only_for_a_type_that_is_not_registered(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "acme_lazy.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('yes')\n"
        "from airflow_provider_dataops.hocon import Task\n"
        "class Lazy(Task):\n"
        "    def run(self) -> bool:\n"
        "        return True\n"
    )
    _dist_info(tmp_path, "acme-lazy", f"[{ENTRY_POINT_GROUP}]\nacme_lazy = acme_lazy:Lazy\n")
    out = _fresh_interpreter(
        f"""
        import pathlib, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from airflow_provider_dataops.hocon import validate_config
        marker = pathlib.Path({str(marker)!r})
        builtin = {{"tasks": [{{"name": "shell_script", "args": {{"script_path": "true"}}}}]}}
        print(validate_config(builtin, "c.conf")[1], marker.exists())
        print(validate_config({{"tasks": [{{"name": "acme_lazy"}}]}}, "c.conf")[1], marker.exists())
        """
    )
    assert out == "[] False\n[] True"
