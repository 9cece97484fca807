"""Cases from HOCON.md that pyhocon gets wrong, pinned per engine (README: "Engine differences").

Each case asserts what each engine actually gives, so a change in either engine shows up here.
zig-hocon's values are the spec's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.hocon import HoconConfigError, load_config

SYNTAX_ERROR = "syntax error"

# name: (config text, zig-hocon result, pyhocon result or the start of its error after FILE:LINE:COL)
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any] | str]] = {
    "quoted key in a path": ('a."b.c" = 1\n', {"a": {"b.c": 1}}, SYNTAX_ERROR),
    "empty quoted key": ('"" = 1\n', {"": 1}, SYNTAX_ERROR),
    "include followed by a newline": ('include\n"inc.conf"\nz = 1\n', {"v": 1, "z": 1}, SYNTAX_ERROR),
    "+= appends one element": ("x = [1]\nx += 2\n", {"x": [1, 2]}, {"x": 2}),
    "null inside a concatenation": (
        "n = null\ns = a ${n} b\n",
        {"n": None, "s": "a null b"},
        {"n": None, "s": "a b"},
    ),
    "unquoted duration": ("d = 30s\n", {"d": "30s"}, {"d": "0:00:30"}),
    "explicit null in a list": ("l = [1, null, 2]\n", {"l": [1, None, 2]}, {"l": [1, 2]}),
    "BOM at the start of the config": ("\ufeffx = 1\n", {"x": 1}, {"x": 1}),
    "BOM at the start of an included file": ('include "bom.conf"\n', {"b": 1}, SYNTAX_ERROR),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "inc.conf").write_text("v = 1\n")
    (tmp_path / "bom.conf").write_bytes(b"\xef\xbb\xbfb = 1\n")
    return tmp_path


@pytest.mark.parametrize("engine", ["zig-hocon", "pyhocon"])
@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_spec_case(case: str, engine: str, folder: Path) -> None:
    text, zig_value, pyhocon_value = CASES[case]
    conf = folder / "case.conf"
    conf.write_text(text, encoding="utf-8")
    expected = zig_value if engine == "zig-hocon" else pyhocon_value
    if isinstance(expected, str):
        with pytest.raises(HoconConfigError) as caught:
            load_config(conf, engine=engine)
        assert f": {expected}" in str(caught.value)
        assert str(caught.value).startswith(f"{conf}:")
    else:
        assert load_config(conf, engine=engine) == expected


def test_glob_includes_are_pyhocon_only(folder: Path) -> None:
    conf = folder / "glob.conf"
    conf.write_text('include "i*.conf"\n')
    assert load_config(conf, engine="pyhocon") == {"v": 1}
    with pytest.raises(HoconConfigError, match=r"included file 'i\*\.conf' not found"):
        load_config(conf, engine="zig-hocon")


def test_file_includes_resolve_from_the_working_directory_with_zig_hocon_only(
    folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    conf = folder / "file.conf"
    conf.write_text('include file("inc.conf")\n')
    assert load_config(conf, engine="pyhocon") == {"v": 1}
    elsewhere = tmp_path_factory.mktemp("cwd")
    (elsewhere / "inc.conf").write_text("v = 2\n")
    monkeypatch.chdir(elsewhere)
    assert load_config(conf, engine="zig-hocon") == {"v": 2}
