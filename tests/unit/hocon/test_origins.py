"""Validation names the file and line a task was written in when that is an included file."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_dataops.hocon import validate_config
from airflow_provider_dataops.hocon.loader import load_config_files

pytestmark = pytest.mark.usefixtures("hocon_engine")

BASE = """# shared pipeline
tasks: [
  { id: first, name: shell_script, args: { script_path: ls } }
  {
    id: second
    name: shell_script
    args: { script_pth: ls }
  }
]
"""


def check(path: Path) -> list[str]:
    config, files = load_config_files(path)
    return validate_config(config, str(path), files=files)[1]


def test_a_problem_in_an_included_task_names_the_top_config_and_the_included_file_and_line(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base.conf"
    base.write_text(BASE)
    app = tmp_path / "apps" / "billing.conf"
    app.parent.mkdir()
    app.write_text('include "../base.conf"\napp = billing\n')
    missing, unknown = check(app)
    assert missing == f"{app}: tasks[1] (second): missing mandatory arg 'script_path' (defined at {base}:4)"
    assert unknown.startswith(f"{app}: tasks[1] (second): unknown arg 'script_pth' (known: ")
    assert unknown.endswith(f" (defined at {base}:4)")


def test_a_task_appended_with_plus_equals_is_located_in_the_file_that_appends_it(
    tmp_path: Path, hocon_engine: str
) -> None:
    base = tmp_path / "base.conf"
    base.write_text(BASE)
    app = tmp_path / "app.conf"
    app.write_text('include "base.conf"\ntasks += { id: third, name: nope }\n')
    found = check(app)
    if hocon_engine == "pyhocon":  # pyhocon's += replaces the list (README: engine differences)
        assert found == [f"{app}: 'tasks' must be a non-empty list of tasks"]
        return
    assert [f.split(": ")[1] for f in found] == ["tasks[1] (second)"] * 2 + ["tasks[2] (third)"]
    assert found[0].endswith(f"(defined at {base}:4)")
    assert found[2].startswith(f"{app}: tasks[2] (third): unknown task type 'nope'")
    assert "defined at" not in found[2]


def test_a_problem_in_a_task_of_the_top_config_has_no_extra_location(tmp_path: Path) -> None:
    app = tmp_path / "app.conf"
    app.write_text("tasks: [ { id: a, name: nope } ]\n")
    (found,) = check(app)
    assert found.startswith(f"{app}: tasks[0] (a): unknown task type 'nope' (registered: ")
    assert "defined at" not in found


def test_an_include_overridden_by_a_later_list_is_not_blamed(tmp_path: Path) -> None:
    (tmp_path / "base.conf").write_text(BASE)
    app = tmp_path / "app.conf"
    app.write_text('include "base.conf"\ntasks = [ { id: only, name: nope } ]\n')
    (found,) = check(app)
    assert found.startswith(f"{app}: tasks[0] (only): unknown task type")
    assert "defined at" not in found
