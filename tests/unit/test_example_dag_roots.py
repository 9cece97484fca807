"""The example DAGs default their working folders to a place only the Airflow user can write."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


def load(dag_file: str, dag_id: str) -> object:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / dag_file), safe_mode=False)
    assert bag.import_errors == {}
    return bag.dags[dag_id]


def test_lineage_scan_defaults_its_root_under_airflow_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAOPS_LINEAGE_ROOT", raising=False)
    dag = load("lineage_scan.py", "lineage_scan")
    root = dag.get_task("billing.clean_workspace").args["root"]  # type: ignore[attr-defined]
    assert root == os.path.join(os.environ["AIRFLOW_HOME"], "dataops", "lineage")
    assert not root.startswith(tempfile.gettempdir() + "/dataops_lineage")


def test_lineage_scan_root_can_still_be_set_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATAOPS_LINEAGE_ROOT", str(tmp_path / "lineage"))
    dag = load("lineage_scan.py", "lineage_scan")
    assert dag.get_task("billing.clean_workspace").args["root"] == str(tmp_path / "lineage")  # type: ignore[attr-defined]


def test_cloud_inventory_defaults_its_output_under_airflow_home() -> None:
    dag = load("cloud_inventory.py", "cloud_inventory")
    default = dag.params["output_dir"]  # type: ignore[attr-defined]
    assert default == os.path.join(os.environ["AIRFLOW_HOME"], "dataops", "cloud_inventory")
