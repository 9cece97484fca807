from __future__ import annotations

import json
import os
import platform
from datetime import date
from pathlib import Path

import pytest

from airflow_provider_dataops.hocon import HoconConfigError, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_includes_resolve_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path / "base" / "common.conf", 'include "deeper/more.conf"\nteam = data')
    write(tmp_path / "base" / "deeper" / "more.conf", "retries = 3")
    main = write(
        tmp_path / "apps" / "a.conf", 'include "../base/common.conf"\nowner = ${team}\nn = ${retries}'
    )
    assert load_config(main) == {"team": "data", "retries": 3, "owner": "data", "n": 3}


def test_builtin_variables_and_task_group_variables_without_touching_environ(tmp_path: Path) -> None:
    main = write(
        tmp_path / "a.conf", "where = ${CWD}\nfile = ${PLATFORM}_${TODAY}.tar.gz\nregion = ${REGION}"
    )
    before = dict(os.environ)
    config = load_config(main, {"REGION": "eu"}, cwd="/dags")
    assert config == {
        "where": "/dags",
        "file": f"{platform.system().lower()}_{date.today():%Y%m%d}.tar.gz",
        "region": "eu",
    }
    assert dict(os.environ) == before


def test_cwd_defaults_to_the_config_folder(tmp_path: Path) -> None:
    assert load_config(write(tmp_path / "a.conf", "x = ${CWD}")) == {"x": str(tmp_path)}


def test_optional_env_substitution_and_unset_in_a_list_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAOPS_TEST_SET", "yes")
    monkeypatch.delenv("DATAOPS_TEST_UNSET", raising=False)
    main = write(tmp_path / "a.conf", "a = ${?DATAOPS_TEST_SET}\nargs = [x, ${?DATAOPS_TEST_UNSET}, y]")
    assert load_config(main) == {"a": "yes", "args": ["x", "y"]}


def test_syntax_error_in_an_included_file_names_that_file_line_and_column(tmp_path: Path) -> None:
    write(tmp_path / "inc.conf", "ok = 1\nbroken = [1, 2\n")
    main = write(tmp_path / "a.conf", 'include "inc.conf"\nx = 1')
    with pytest.raises(HoconConfigError) as caught:
        load_config(main)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'inc.conf'}:"), message
    assert "syntax error" in message


def test_syntax_error_in_the_main_file_names_line_and_column(tmp_path: Path) -> None:
    main = write(tmp_path / "a.conf", "x = 1\ny = {\n")
    with pytest.raises(HoconConfigError, match=rf"^{tmp_path / 'a.conf'}:\d+:\d+: syntax error"):
        load_config(main)


def test_missing_include_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    main = write(tmp_path / "a.conf", 'x = 1\ninclude "nope.conf"\n')
    with pytest.raises(
        HoconConfigError, match=rf"{tmp_path / 'a.conf'}:2: included file 'nope.conf' not found"
    ):
        load_config(main)


def test_unresolved_substitution_names_the_file(tmp_path: Path) -> None:
    main = write(tmp_path / "a.conf", "x = ${NOT_DEFINED_ANYWHERE_42}")
    with pytest.raises(HoconConfigError, match="NOT_DEFINED_ANYWHERE_42") as caught:
        load_config(main)
    assert str(caught.value).startswith(str(main))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(HoconConfigError, match="config file not found"):
        load_config(tmp_path / "none.conf")


def test_warm_load_reads_the_cache_and_any_change_to_an_include_or_variable_misses(
    tmp_path: Path, hocon_cache_dir: Path
) -> None:
    inc = write(tmp_path / "inc.conf", "v = 1")
    main = write(tmp_path / "a.conf", 'include "inc.conf"\nx = ${v}\ny = ${NAME}')
    assert load_config(main, {"NAME": "a"}) == {"v": 1, "x": 1, "y": "a"}
    (entry,) = hocon_cache_dir.glob("*.json")
    assert json.loads(entry.read_text()) == {"v": 1, "x": 1, "y": "a"}
    entry.write_text(json.dumps({"from": "cache"}))
    assert load_config(main, {"NAME": "a"}) == {"from": "cache"}
    assert load_config(main, {"NAME": "b"})["y"] == "b"
    inc.write_text("v = 2")
    assert load_config(main, {"NAME": "a"})["x"] == 2


def test_cache_can_be_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hocon_cache_dir: Path
) -> None:
    monkeypatch.setenv("DATAOPS_HOCON_CACHE_DIR", "off")
    load_config(write(tmp_path / "a.conf", "x = 1"))
    assert not list(hocon_cache_dir.iterdir())
