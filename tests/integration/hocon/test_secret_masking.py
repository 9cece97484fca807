"""Secrets a HOCON task gets never reach the task log (issue 10, item 7), through real Airflow.

The ``shell_script`` runs ``echo`` with every kind of secret, so each appears twice: in the
``Running ...`` argv line and in the program's own output. Both must be masked in what Airflow
logs, and Airflow's own masker must know the values (so any other log line is masked too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

SECRETS = {
    "env_derived": "envderived-Secret-11",  # ${?ETL_DB_PASSWORD} in an arg whose name says nothing
    "dsn_password": "dsnpass-Secret-22",  # inside postgresql://etl:...@db/prod after --dsn
    "flag": "flagvalue-Secret-33",  # --password VALUE
    "key_value": "keyvalue-Secret-44",  # DB_SECRET=VALUE
    "url": "urlpass-Secret-55",  # a URL with userinfo after a harmless flag
    "env_key": "envkey-Secret-66",  # env: { API_TOKEN: VALUE }
}
CONFIG = """
tasks: [
  {
    name: shell_script
    args: {
      script_path: /bin/echo
      script_args: [
        --label, ${?ETL_DB_PASSWORD},
        --dsn, "postgresql://etl:"${?ETL_DSN_PASSWORD}"@db/prod",
        --password, %(flag)s,
        "DB_SECRET=%(key_value)s",
        --target, "mysql://loader:%(url)s@warehouse/db",
        visible-marker
      ]
      env: { API_TOKEN: %(env_key)s }
    }
  }
  { id: show_env, name: shell_script, args: { script_path: /usr/bin/env } }
]
"""
DAG = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

with DAG(dag_id="secret_masking", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    HoconTaskGroup("etl", "etl.conf")
"""


def test_no_secret_reaches_the_task_log(
    run_dag: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ETL_DB_PASSWORD", SECRETS["env_derived"])
    monkeypatch.setenv("ETL_DSN_PASSWORD", SECRETS["dsn_password"])

    dag_run = run_dag(DAG, "secret_masking", files={"etl.conf": CONFIG % SECRETS})

    assert {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()} == {
        "etl.shell_script_0": "success",
        "etl.show_env": "success",
    }
    captured = capfd.readouterr()
    log = captured.out + captured.err + caplog.text
    assert "Running /bin/echo --label '***' --dsn '***' --password '***'" in log
    assert "visible-marker" in log
    assert "ETL_DB_PASSWORD=***" in log  # /usr/bin/env printed the variable, masked
    for name, secret in SECRETS.items():
        assert secret not in log, f"{name} secret leaked into the task log"

    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.sdk.log import redact

    (echo,) = [ti for ti in dag_run.get_task_instances() if ti.task_id == "etl.shell_script_0"]
    rendered = str(RenderedTaskInstanceFields.get_templated_fields(echo))
    assert "visible-marker" in rendered
    for name, secret in SECRETS.items():
        assert secret not in rendered, f"{name} secret stored in the rendered-template fields"

    for name in ("env_derived", "dsn_password", "flag", "key_value", "url", "env_key"):
        assert SECRETS[name] not in str(redact(f"x {SECRETS[name]} y")), f"Airflow's masker lacks {name}"
