from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path

import pytest

from airflow_provider_dataops.hocon import HoconConfigError, load_config

pytestmark = pytest.mark.usefixtures("hocon_engine")


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
        HoconConfigError, match=rf"^{tmp_path / 'a.conf'}:2:1: included file 'nope.conf' not found"
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


def test_engine_argument_wins_over_the_environment_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = write(tmp_path / "a.conf", "d = 30s")
    monkeypatch.setenv("DATAOPS_HOCON_ENGINE", "pyhocon")
    assert load_config(main) == {"d": "0:00:30"}
    assert load_config(main, engine="zig-hocon") == {"d": "30s"}
    monkeypatch.delenv("DATAOPS_HOCON_ENGINE")
    assert load_config(main) == {"d": "30s"}


def test_unknown_engine_is_one_line_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = write(tmp_path / "a.conf", "x = 1")
    monkeypatch.setenv("DATAOPS_HOCON_ENGINE", "jhocon")
    with pytest.raises(HoconConfigError) as caught:
        load_config(main)
    assert str(caught.value) == (
        "DATAOPS_HOCON_ENGINE='jhocon': unknown HOCON engine (expected zig-hocon or pyhocon)"
    )


def test_variables_keep_their_types_and_rank_below_the_config_and_above_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGION", "from-env")
    monkeypatch.setenv("ZONE", "env-zone")
    main = write(
        tmp_path / "a.conf",
        "DAYS = 7\nn = ${DAYS}\nflags = ${FLAGS}\nr = ${REGION}\nz = ${?ZONE}\nwhere = ${CWD}",
    )
    config = load_config(main, {"DAYS": 3, "FLAGS": [1, "x"], "REGION": "from-var"})
    assert config == {
        "DAYS": 7,
        "n": 7,
        "flags": [1, "x"],
        "r": "from-var",
        "z": "env-zone",
        "where": str(tmp_path),
    }
    assert os.environ["REGION"] == "from-env"


def test_a_change_to_any_included_file_is_seen_by_the_next_load(tmp_path: Path) -> None:
    """No resolved-config cache: plain, nested and sub-object includes are re-read every time."""
    top = write(tmp_path / "inc.conf", "v = 1")
    deeper = write(tmp_path / "deeper" / "more.conf", "w = 1")
    write(tmp_path / "middle.conf", 'include "deeper/more.conf"')
    main = write(tmp_path / "a.conf", 'include "inc.conf"\nsub { include "middle.conf" }\nx = ${v}')
    assert load_config(main) == {"v": 1, "x": 1, "sub": {"w": 1}}
    top.write_text("v = 2")
    deeper.write_text("w = 2")
    assert load_config(main) == {"v": 2, "x": 2, "sub": {"w": 2}}


def test_builtin_names_are_the_names_builtin_variables_sets(tmp_path: Path) -> None:
    from airflow_provider_dataops.hocon.loader import BUILTIN_NAMES, builtin_variables

    assert set(builtin_variables(tmp_path)) == BUILTIN_NAMES


def test_an_included_file_edited_to_read_another_environment_variable_is_resolved_from_it_next_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAOPS_TEST_FIRST", "first")
    monkeypatch.setenv("DATAOPS_TEST_SECOND", "second")
    (tmp_path / "base.conf").write_text("value = ${DATAOPS_TEST_FIRST}\n")
    (tmp_path / "app.conf").write_text('include "base.conf"\n')
    assert load_config(tmp_path / "app.conf")["value"] == "first"

    (tmp_path / "base.conf").write_text("value = ${DATAOPS_TEST_SECOND}\n")
    assert load_config(tmp_path / "app.conf")["value"] == "second"
