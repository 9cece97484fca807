"""The example ``lineage_scan`` DAG end to end through real Airflow (``dag.test()``), fully local.

No OpenLineage transport is configured (the test session disables OpenLineage), so the events
land in the lake folder; each is validated against the OpenLineage schemas.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest

from tests.fixtures.openlineage import assert_valid_event, read_events

pytestmark = pytest.mark.usefixtures("hocon_engine")

DAGS = Path(__file__).resolve().parents[3] / "dags"
APPS = ("billing", "inventory", "marketing")
STEPS = (
    "scan",
    "modify_results",
    "upload",
    "backup",
    "clean_workspace",
    "delete_old_backups",
)


def shipped_files() -> dict[str, str]:
    root = DAGS / "config" / "lineage_scan"
    return {str(p.relative_to(DAGS)): p.read_text() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "logical_date",
    [None, pendulum.datetime(2026, 3, 4, 5, 6, tz="UTC")],
    ids=["without_logical_date", "with_logical_date"],
)
def test_lineage_scan_runs_every_application_and_applies_retention(
    run_dag: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    logical_date: pendulum.DateTime | None,
) -> None:
    """Results and backups are named by the logical date, or by ``run_after`` for a run without one."""
    root = tmp_path / "lineage"
    monkeypatch.setenv("DATAOPS_LINEAGE_ROOT", str(root))
    stale = root / "backup" / "billing" / "billing_20200101.tar.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    recent = root / "backup" / "billing" / "billing_recent.tar.gz"
    recent.write_bytes(b"recent")
    for path, age_days in ((stale, 12), (recent, 8)):
        then = time.time() - age_days * 86400
        os.utime(path, (then, then))

    dag_run = run_dag(
        (DAGS / "lineage_scan.py").read_text(),
        "lineage_scan",
        files=shipped_files(),
        run_conf={"retention_days": 10},
        logical_date=logical_date,
    )

    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert states == {f"{app}.{step}": "success" for app in APPS for step in STEPS}
    assert dag_run.logical_date == logical_date
    run_date = logical_date or dag_run.run_after
    for app in APPS:
        (result,) = (root / "lake" / app).glob(f"{app}_lineage_*.jsonl")
        assert result.name == f"{app}_lineage_{run_date:%Y%m%d}.jsonl"
        events = read_events(result)
        assert sorted(e["job"]["name"] for e in events) == sorted(
            f"{app}/{p.name}" for p in (DAGS / "config" / "lineage_scan" / "sql" / app).glob("*.sql")
        )
        for event in events:
            assert_valid_event(event)
            assert event["eventType"] == "COMPLETE"
            assert {"key": "application", "value": app, "source": "DATAOPS"} in event["job"]["facets"][
                "tags"
            ]["tags"]
            assert event["run"]["facets"]["parent"]["job"]["name"] == "lineage_scan"
        (backup,) = (root / "backup" / app).glob(f"{app}_2*.tar.gz")
        assert backup.name == f"{app}_{run_date:%Y%m%d}.tar.gz"
        with tarfile.open(backup) as tar:
            assert f"results/{result.name}" in tar.getnames()
        assert list((root / "workspace" / app).iterdir()) == []
    billing = {e["job"]["name"]: e for e in read_events(next((root / "lake" / "billing").glob("*.jsonl")))}
    invoices = billing["billing/invoices.sql"]
    assert {d["name"] for d in invoices["inputs"]} == {"warehouse.sales.orders", "warehouse.crm.customers"}
    (written,) = invoices["outputs"]
    assert written["namespace"] == "postgres://warehouse.example.com:5432"
    fields = written["facets"]["columnLineage"]["fields"]
    assert fields["invoice_id"]["inputFields"] == [
        {"namespace": written["namespace"], "name": "warehouse.sales.orders", "field": "order_id"}
    ]
    payments = billing["billing/payments.sql"]
    assert {d["name"] for d in payments["inputs"]} == {
        "warehouse.payments.transactions",
        "warehouse.billing.invoices",
    }
    assert [d["name"] for d in payments["outputs"]] == ["warehouse.billing.payments_daily"]  # no CTE
    marketing = {
        e["job"]["name"]: e for e in read_events(next((root / "lake" / "marketing").glob("*.jsonl")))
    }
    segments = marketing["marketing/segments.sql"]
    assert segments["outputs"][0]["namespace"] == "snowflake://example-org-marketing"
    assert set(segments["outputs"][0]["facets"]["columnLineage"]["fields"]) == {
        "CUSTOMER_ID",
        "Segment Label",
    }
    assert {d["name"] for d in marketing["marketing/campaigns.sql"]["inputs"]} == {
        "ANALYTICS.MARKETING.CLICKS"
    }
    assert not stale.exists()
    assert recent.exists()


def test_lineage_scan_default_root_is_created_private_under_airflow_home(
    run_dag: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAOPS_LINEAGE_ROOT", raising=False)
    dataops = Path(os.environ["AIRFLOW_HOME"]) / "dataops"
    assert not dataops.exists()

    try:
        dag_run = run_dag((DAGS / "lineage_scan.py").read_text(), "lineage_scan", files=shipped_files())

        assert {str(ti.state) for ti in dag_run.get_task_instances()} == {"success"}
        for folder in (
            dataops,
            dataops / "lineage",
            dataops / "lineage" / "workspace",
            dataops / "lineage" / "lake",
        ):
            assert folder.stat().st_mode & 0o777 == 0o700, folder
        assert list((dataops / "lineage" / "lake" / "billing").glob("billing_lineage_*.jsonl"))
    finally:
        shutil.rmtree(dataops, ignore_errors=True)
