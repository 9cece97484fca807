"""The %stackql / %%stackql IPython magic in a real InteractiveShell against real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_dataops.magics import MagicUsageError, parse_line
from tests.fixtures.peers import free_port
from tests.fixtures.stackql import add_stackql_connection


@pytest.fixture
def shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_cell("%load_ext airflow_provider_dataops.magics")
    for name in ("stackql_df", "out"):
        ip.user_ns.pop(name, None)
    return ip


@pytest.fixture
def dsn(stackql_db: dict[str, Any]) -> str:
    return "host={host} port={port} user={user} dbname={dbname}".format(**stackql_db)


def test_line_magic_leaves_braces_and_dollars_to_us(shell: Any, dsn: str) -> None:
    shell.user_ns["status"] = "TERMINATED"
    result = shell.run_cell(
        f"%stackql --dsn '{dsn}' "
        "SELECT '{1,2,3}'::text AS arr, name, id FROM instances WHERE status = '$status'"
    )
    df = result.result
    assert df.to_dict("records") == [{"arr": "{1,2,3}", "name": "vm-3", "id": 3}]
    assert shell.user_ns["stackql_df"] is df


def test_cell_magic_with_output_variable_and_no_display(shell: Any, dsn: str) -> None:
    shell.user_ns["zone"] = "australia-southeast1-a"
    result = shell.run_cell(
        f"%%stackql --dsn '{dsn}' -o out --no-display\n"
        "SELECT status, COUNT(*)::numeric AS num_instances FROM instances\n"
        "WHERE zone = '${zone}' GROUP BY status ORDER BY status\n"
    )
    assert result.result is None
    assert shell.user_ns["out"].to_dict("list") == {
        "status": ["RUNNING", "TERMINATED"],
        "num_instances": [4, 1],
    }
    assert shell.user_ns["stackql_df"] is shell.user_ns["out"]


def test_injection_attempt_from_the_namespace_stays_a_string(shell: Any, dsn: str) -> None:
    shell.user_ns["s"] = "x' OR '1'='1"
    df = shell.run_cell(f"%stackql --dsn '{dsn}' SELECT name FROM instances WHERE status = '$s'").result
    assert df.empty


def _one_line_error(shell: Any, capsys: pytest.CaptureFixture[str], cell: str) -> str:
    result = shell.run_cell(cell)
    captured = capsys.readouterr()
    assert result.result is None
    assert result.error_in_exec is None
    assert "Traceback" not in captured.out + captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_undefined_variable_is_one_line(shell: Any, dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_error(shell, capsys, f"%stackql --dsn '{dsn}' SELECT 1 WHERE 'a' = '$nowhere_defined'")
    assert line == "stackql: StackQL query uses $nowhere_defined, which is not defined"


def test_sql_error_is_one_line(shell: Any, dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_error(shell, capsys, f"%stackql --dsn '{dsn}' SELECT * FROM no_such_table")
    assert line == 'stackql: relation "no_such_table" does not exist'


def test_unreachable_server_is_one_line_naming_it(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    line = _one_line_error(shell, capsys, f"%stackql --dsn 'host=127.0.0.1 port={port}' SELECT 1")
    assert line.startswith(f"stackql: cannot connect to the StackQL server at 127.0.0.1:{port}:")


def test_statement_without_result_set_gives_an_empty_frame(shell: Any, dsn: str) -> None:
    df = shell.run_cell(f"%stackql --dsn '{dsn}' SET application_name = 'registry_pull'").result
    assert df.empty


def test_conn_option_uses_the_airflow_connection(shell: Any, stackql_conn: Callable[..., str]) -> None:
    conn_id = stackql_conn("stackql_magic")
    df = shell.run_cell(f"%stackql --conn {conn_id} SELECT count(*)::numeric AS n FROM instances").result
    assert df["n"].tolist() == [5]


def test_default_prefers_the_stackql_default_connection(
    shell: Any, stackql_conn: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stackql_conn("stackql_default")
    monkeypatch.setenv("STACKQL_DSN", f"host=127.0.0.1 port={free_port()}")
    df = shell.run_cell("%stackql SELECT count(*)::numeric AS n FROM instances").result
    assert df["n"].tolist() == [5]


def test_default_falls_back_to_stackql_dsn(
    shell: Any, dsn: str, stackql_db: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_STACKQL_DEFAULT", raising=False)
    monkeypatch.setenv("STACKQL_DSN", dsn)
    df = shell.run_cell("%stackql SELECT current_database() AS db").result
    assert df["db"].tolist() == [stackql_db["dbname"]]


def test_parse_line_keeps_the_query_verbatim() -> None:
    options, query = parse_line("""--dsn "host=h port=1" -o res --no-display SELECT '{a}', "$x" -- -o""")
    assert (options.dsn, options.output, options.display) == ("host=h port=1", "res", False)
    assert query == """SELECT '{a}', "$x" -- -o"""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-o 1x SELECT 1", "variable name"),
        ("-x SELECT 1", "unknown option"),
        ("--conn a --dsn b q", "not both"),
    ],
)
def test_bad_options_are_refused(line: str, message: str) -> None:
    with pytest.raises(MagicUsageError, match=message):
        parse_line(line)


def test_conn_option_reads_connections_from_the_metadata_db(
    shell: Any, stackql_db: dict[str, Any], add_connection: Callable[..., Any]
) -> None:
    add_stackql_connection(add_connection, "stackql_magic_db", stackql_db)
    df = shell.run_cell(
        "%stackql --conn stackql_magic_db SELECT count(*)::numeric AS n FROM instances"
    ).result
    assert df["n"].tolist() == [5]


def test_undefined_conn_is_one_line(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line_error(shell, capsys, "%stackql --conn no_such_conn SELECT 1")
    assert line == "stackql: Airflow connection 'no_such_conn' is not defined"
