"""Bad input: one line naming file (line and column where known), no traceback, on both engines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from airflow_provider_dataops.cli import main
from airflow_provider_dataops.hocon import HoconConfigError, load_config

pytestmark = pytest.mark.usefixtures("hocon_engine")


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def one_line(path: Path) -> str:
    with pytest.raises(HoconConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


def test_unresolved_substitution_names_file_and_variable(tmp_path: Path, hocon_engine: str) -> None:
    main_conf = write(tmp_path / "a.conf", "x = 1\ny = ${NOT_SET_ANYWHERE_7}\n")
    message = one_line(main_conf)
    assert message.startswith(f"{main_conf}:"), message
    assert "NOT_SET_ANYWHERE_7" in message
    if hocon_engine == "zig-hocon":
        assert message.startswith(f"{main_conf}:2:5: unresolved substitution ${{NOT_SET_ANYWHERE_7}}")


def test_unresolved_substitution_in_an_included_file_names_that_file_with_zig_hocon(
    tmp_path: Path, hocon_engine: str
) -> None:
    inc = write(tmp_path / "inc.conf", "a = 1\nb = ${NOT_SET_ANYWHERE_8}\n")
    main_conf = write(tmp_path / "a.conf", 'include "inc.conf"\n')
    message = one_line(main_conf)
    assert "NOT_SET_ANYWHERE_8" in message
    # pyhocon says neither file nor line for a substitution; the top config is named instead.
    expected = f"{inc}:2:5:" if hocon_engine == "zig-hocon" else f"{main_conf}:"
    assert message.startswith(expected), message


def test_include_cycle_is_one_line_with_the_chain(tmp_path: Path) -> None:
    first = write(tmp_path / "a.conf", 'x = 1\ninclude "b.conf"\n')
    second = write(tmp_path / "b.conf", 'include "a.conf"\n')
    assert one_line(first) == f"{second}:1:1: include cycle: {first} -> {second} -> {first}"


@pytest.mark.parametrize(("opening", "closing"), [("{a:", "}"), ("[", "]")], ids=["objects", "lists"])
def test_a_config_nested_100000_levels_deep_is_refused(tmp_path: Path, opening: str, closing: str) -> None:
    main_conf = write(tmp_path / "deep.conf", "a = " + opening * 100_000 + "1" + closing * 100_000)
    message = one_line(main_conf)
    assert message.startswith(f"{main_conf}"), message
    assert "nested too deeply" in message
    assert len(message) < 300


@pytest.mark.parametrize("where", ["top", "included"])
def test_bytes_that_are_not_utf8_name_file_line_and_column(tmp_path: Path, where: str) -> None:
    bad = write(tmp_path / "bad.conf", b'ok = 1\nx = "caf\xe9"\n')
    main_conf = bad if where == "top" else write(tmp_path / "a.conf", 'include "bad.conf"\n')
    assert one_line(main_conf) == f"{bad}:2:9: not UTF-8 text (byte 0xe9)"


def test_a_50_mb_config_is_refused_by_the_size_limit_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.conf"
    with big.open("wb") as handle:  # sparse: the refusal must come from the size, not from reading
        handle.truncate(50 * 1024 * 1024)
    message = one_line(big)
    assert message == (
        f"{big}: config is over the size limit of 16777216 bytes (52428800 bytes read so far); "
        "raise DATAOPS_HOCON_MAX_BYTES to load it"
    )


def test_the_size_limit_counts_included_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAOPS_HOCON_MAX_BYTES", "100")
    inc = write(tmp_path / "inc.conf", "pad = " + "x" * 80 + "\n")
    main_conf = write(tmp_path / "a.conf", 'include "inc.conf"\n')
    assert one_line(main_conf).startswith(f"{main_conf} (with {inc}): config is over the size limit of 100")
    monkeypatch.setenv("DATAOPS_HOCON_MAX_BYTES", "0")
    assert load_config(main_conf) == {"pad": "x" * 80}


BAD_CONFIGS = {
    "syntax error": "tasks: [ { name: x \n",
    "unresolved substitution": "tasks: ${NOPE_NOT_SET_9}\n",
    "missing include": 'include "missing.conf"\n',
    "not UTF-8": b"tasks = \xff\n",
    "refused URL include": 'include url("http://127.0.0.1:9/x.conf")\n',
}


@pytest.mark.parametrize("content", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_dataops_validate_prints_one_line_per_bad_config_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes
) -> None:
    conf = write(tmp_path / "bad.conf", content)
    assert main(["validate", str(conf)]) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert re.match(rf"^{re.escape(str(conf))}(:\d+:\d+)?: ", line), line
    assert "Traceback" not in captured.err + captured.out
