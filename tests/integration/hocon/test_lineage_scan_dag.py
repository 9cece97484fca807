"""The example ``lineage_scan`` DAG end to end through real Airflow (``dag.test()``), fully local.

No OpenLineage transport is configured (the test session disables OpenLineage), so the events
land in the lake folder; each is validated against the OpenLineage schemas.
"""

from __future__ import annotations

import os
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.openlineage import assert_valid_event, read_events

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


def test_lineage_scan_runs_every_application_and_applies_retention(
    run_dag: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    )

    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert states == {f"{app}.{step}": "success" for app in APPS for step in STEPS}
    ds = dag_run.logical_date.strftime("%Y%m%d") if dag_run.logical_date else None
    for app in APPS:
        (result,) = (root / "lake" / app).glob(f"{app}_lineage_*.jsonl")
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
    assert ds is None or (root / "backup" / "billing" / f"billing_{ds}.tar.gz").exists()
