"""Airflow itself discovers the provider: the CLI and the UI's connection-form API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

AIRFLOW_BIN = Path(sys.executable).parent / "airflow"


def test_airflow_providers_get_prints_the_provider(airflow_db: Path) -> None:
    result = subprocess.run(
        [str(AIRFLOW_BIN), "providers", "get", "airflow-provider-dataops", "--full", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "airflow-provider-dataops" in result.stdout
    assert "StackQLHook" in result.stdout


@pytest.fixture(scope="module")
def ui_client(airflow_db: Path) -> Any:
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    return TestClient(create_app())


def test_ui_hook_meta_serves_the_stackql_form(ui_client: Any) -> None:
    response = ui_client.get("/ui/connections/hook_meta")
    assert response.status_code == 200, response.text
    (stackql,) = [h for h in response.json() if h["connection_type"] == "stackql"]
    assert stackql["hook_name"] == "StackQL"
    params = stackql["extra_fields"]
    assert {"sslmode", "sslcert", "sslkey", "sslrootcert", "connect_timeout"} <= set(params)
    assert "verify-full" in params["sslmode"]["schema"]["enum"]
    behaviour = stackql["standard_fields"]
    assert behaviour["password"]["hidden"] is True
    assert behaviour["port"]["placeholder"] == "5444"
