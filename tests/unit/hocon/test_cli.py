from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_dataops.cli import main

pytestmark = pytest.mark.usefixtures("hocon_engine")

GOOD = "tasks: [ { name: shell_script, args: { script_path: ls, script_args: ${WHERE} } } ]"


def test_validate_passes_good_configs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "good.conf"
    conf.write_text(GOOD)
    assert main(["validate", str(conf), "--var", "WHERE=/tmp"]) == 0
    assert "1 config(s) valid" in capsys.readouterr().out


def test_validate_lists_every_problem_of_every_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.conf"
    bad.write_text(
        "tasks: [ { name: nope }, { name: archive, args: {} }, { name: copy, args: {}, airflow: {x: 1} } ]"
    )
    broken = tmp_path / "broken.conf"
    broken.write_text("tasks: [\n")
    assert main(["validate", str(bad), str(broken)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 7, lines
    assert lines[0].startswith(f"{bad}: tasks[0] (nope): unknown task type 'nope'")
    assert any("unknown airflow operator argument 'x'" in line for line in lines)
    assert lines[-1].startswith(f"{broken.resolve()}:")
    assert "Traceback" not in "\n".join(lines)


def test_render_prints_resolved_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = tmp_path / "good.conf"
    conf.write_text(GOOD)
    assert main(["render", str(conf), "--var", "WHERE=/srv"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "tasks": [{"name": "shell_script", "args": {"script_path": "ls", "script_args": "/srv"}}]
    }


def test_render_of_a_missing_file_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(tmp_path / "none.conf")]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'none.conf'}: config file not found"


def test_compare_engines_lists_each_differing_path_with_both_values_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = tmp_path / "same.conf"
    same.write_text("a = 1\nb = [x, y]\n")
    differ = tmp_path / "differ.conf"
    differ.write_text("ok = 1\nwait = 30s\nx = [1]\nx += 2\n")
    assert main(["validate", "--compare-engines", str(same), str(differ)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f'{differ}: wait: zig-hocon="30s" pyhocon="0:00:30"',
        f"{differ}: x: zig-hocon=[1, 2] pyhocon=2",
    ]
    assert "1 of 2 config(s) differ" in captured.err


def test_compare_engines_exits_0_when_the_engines_agree_and_reports_a_config_one_cannot_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = tmp_path / "same.conf"
    same.write_text(GOOD)
    assert main(["validate", "--compare-engines", str(same), "--var", "WHERE=/tmp"]) == 0
    capsys.readouterr()
    quoted = tmp_path / "quoted.conf"
    quoted.write_text('a."b.c" = 1\n')
    assert main(["validate", "--compare-engines", str(quoted)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{quoted}: pyhocon cannot load it: {quoted}:1:")
