"""Every example DAG in dags/ imports cleanly, with no warnings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=[p.stem for p in DAG_FILES])
def test_dag_file_imports_without_errors_or_warnings(dag_file: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = DagBag(dag_folder=str(dag_file), safe_mode=False)
    assert bag.import_errors == {}
    assert bag.dags, f"{dag_file.name} defines no DAG"
    ours = [w for w in caught if "airflow_provider_dataops" in str(w.filename) or str(dag_file) == w.filename]
    assert not ours, [str(w.message) for w in ours]
    assert not bag.captured_warnings, bag.captured_warnings


def test_whole_dags_folder_loads_as_one_bag_with_unique_dag_ids() -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS), safe_mode=False)
    assert bag.import_errors == {}
    assert not bag.captured_warnings, bag.captured_warnings
    assert len(bag.dag_ids) >= len(DAG_FILES)
