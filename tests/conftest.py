"""Shared fixtures: a throwaway Airflow home and the real peers from DESIGN.md.

Airflow reads its configuration when it is first imported, so the throwaway home is set up
here, at import time, before any test module imports Airflow.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="dataops-airflow-home-"))
_DAGS_FOLDER = _AIRFLOW_HOME / "dags"
_DAGS_FOLDER.mkdir()
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_DAGS_FOLDER)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "True"
os.environ.setdefault("AIRFLOW__OPENLINEAGE__DISABLED", "True")

pytest_plugins = [
    "tests.fixtures.airflow",
    "tests.fixtures.peers",
    "tests.fixtures.stackql",
    "tests.fixtures.snowflake",
    "tests.fixtures.dlp",
    "tests.fixtures.hocon",
    "tests.fixtures.local_user",
    "tests.fixtures.openlineage",
    "tests.fixtures.production",
]


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)
