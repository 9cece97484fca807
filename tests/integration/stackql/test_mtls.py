"""StackQL's only protection is mTLS: the hook's ssl extras against a cluster that demands client certs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_dataops.hooks.stackql import StackQLConnectionError, StackQLHook


def _conn(monkeypatch: pytest.MonkeyPatch, conn_id: str, server: dict[str, Any], **extra: Any) -> str:
    fields = {
        "conn_type": "stackql",
        "host": server["host"],
        "port": server["port"],
        "login": server["user"],
        "schema": server["dbname"],
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({**fields, "extra": extra}))
    return conn_id


def test_verify_full_with_client_certificate_connects_over_tls(
    mtls_postgres: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    conn_id = _conn(
        monkeypatch,
        "stackql_mtls",
        mtls_postgres,
        sslmode="verify-full",
        sslcert=mtls_postgres["client_cert"],
        sslkey=mtls_postgres["client_key"],
        sslrootcert=mtls_postgres["ca"],
        connect_timeout=5,
    )
    hook = StackQLHook(stackql_conn_id=conn_id)
    row = hook.get_first("SELECT current_user::text, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    assert row == ("stackql", True)


def test_connection_without_client_certificate_is_refused(
    mtls_postgres: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    conn_id = _conn(
        monkeypatch,
        "stackql_nocert",
        mtls_postgres,
        sslmode="verify-full",
        sslrootcert=mtls_postgres["ca"],
        connect_timeout=5,
    )
    where = f"{mtls_postgres['host']}:{mtls_postgres['port']}"
    with pytest.raises(StackQLConnectionError, match=rf"at {where}: .*requires a valid client certificate"):
        StackQLHook(stackql_conn_id=conn_id).get_first("SELECT 1")


def test_server_certificate_from_another_ca_is_rejected(
    mtls_postgres: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from tests.fixtures.stackql import make_tls_material

    other = make_tls_material(tmp_path, client_cn="stackql")
    conn_id = _conn(
        monkeypatch,
        "stackql_wrongca",
        mtls_postgres,
        sslmode="verify-full",
        sslcert=mtls_postgres["client_cert"],
        sslkey=mtls_postgres["client_key"],
        sslrootcert=other["ca"],
        connect_timeout=5,
    )
    with pytest.raises(StackQLConnectionError, match=r"127\.0\.0\.1:\d+: .*SSL error"):
        StackQLHook(stackql_conn_id=conn_id).get_first("SELECT 1")
