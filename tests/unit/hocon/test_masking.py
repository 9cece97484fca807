"""Finding secrets in task args and in the environment variables a config substitutes."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_dataops.hocon import masking
from airflow_provider_dataops.hocon.loader import load_config_files


def test_argv_secrets_cover_flags_key_values_and_url_passwords() -> None:
    argv = [
        "--password",
        "p1-secret",
        "--api-token=p2-secret",
        "DB_SECRET=p3-secret",
        "--target",
        "postgresql://etl:p4-secret@db/prod",
        "https://p5-token@github.com/org/repo",
        "--verbose",
        "--keyring-path",
        "--name",
        "plain",
    ]
    assert masking.argv_secrets(argv) == {"p1-secret", "p2-secret", "p3-secret", "p4-secret", "p5-token"}


def test_sensitive_values_walk_nested_args() -> None:
    args = {
        "env": {"API_TOKEN": "t-secret", "PATH": "/usr/bin"},
        "conn": {"dsn": "postgresql://u:dsn-secret@h/db", "host": "h"},
        "script_args": ["--secret", "s-secret"],
        "url": "mysql://u:url-secret@h/db",
        "credentials": ["c1-secret", {"nested": 7}],
        "name": "not-a-secret",
    }
    assert masking.sensitive_values(args) == {
        "t-secret",
        "postgresql://u:dsn-secret@h/db",
        "dsn-secret",
        "s-secret",
        "url-secret",
        "c1-secret",
        "7",
    }


def test_register_then_redact_replaces_every_secret_longest_first() -> None:
    masking.register(["abcdef-secret", "abcdef-secret-longer", "q7"])
    assert masking.redact("a abcdef-secret-longer b abcdef-secret") == "a *** b ***"
    assert masking.redact("q7") == "***"
    assert masking.redact("aq7b") == "aq7b"  # too short to mask inside other text, like Airflow's masker


def test_referenced_env_names_follow_includes_and_skip_config_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETL_DB_PASSWORD", "x")
    monkeypatch.setenv("FROM_INCLUDE", "x")
    monkeypatch.setenv("root", "x")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "base.conf").write_text("token = ${?FROM_INCLUDE}\n")
    (tmp_path / "app.conf").write_text(
        'include "inc/base.conf"\nroot = /r\ndsn = "pg://etl:"${?ETL_DB_PASSWORD}"@db"\n'
        "x = ${root}/a\ny = ${?NOT_SET_ANYWHERE}\nz = ${CWD}\n"
    )
    _config, files = load_config_files(tmp_path / "app.conf")
    names = masking.referenced_env_names(
        (f.text for f in files), {"root", "token", "dsn", "x", "y", "z", "CWD"}
    )
    assert names == ["ETL_DB_PASSWORD", "FROM_INCLUDE"]


def test_referenced_env_names_follow_the_text_as_it_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAOPS_TEST_TOKEN_A", "a")
    monkeypatch.setenv("DATAOPS_TEST_TOKEN_B", "b")
    before = "token = ${DATAOPS_TEST_TOKEN_A}\n"
    after = "token = ${?DATAOPS_TEST_TOKEN_B}\n"
    assert masking.referenced_env_names([before], {"token"}) == ["DATAOPS_TEST_TOKEN_A"]
    assert masking.referenced_env_names([after], {"token"}) == ["DATAOPS_TEST_TOKEN_B"]
    assert masking.referenced_env_names([before * 20_000], {"token"}) == ["DATAOPS_TEST_TOKEN_A"]
