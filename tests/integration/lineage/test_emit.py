"""``openlineage_emit`` (and the scan before it) against a local OpenLineage HTTP endpoint.

The endpoint (tests/fixtures/openlineage.py) validates every event it receives against the
OpenLineage schemas and, when an API key is configured, the ``Authorization`` header. The client
is the real openlineage-python client, configured by Airflow's OpenLineage provider from the
environment, as in a deployment.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.hocon.task_types.lineage import LineageFacets, OpenLineageEmit, SqlLineage
from tests.fixtures.openlineage import LineageEndpoint, assert_valid_event, read_events

SQL = {
    "orders.sql": (
        "INSERT INTO mart.orders\n"
        "WITH o AS (SELECT order_id, amount FROM sales.orders)\n"
        "SELECT o.order_id, o.amount * 1.2 AS gross FROM o;\n"
    ),
    "customers.sql": 'CREATE TABLE mart."Customers" AS SELECT c.id, c.name FROM crm.customers c;',
    "broken.sql": "SELEC 1;",
}
API_KEY = "ol-key-5d1f0c"


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    for name, text in SQL.items():
        (sql_dir / name).write_text(text)
    raw = tmp_path / "raw" / "lineage.jsonl"
    assert SqlLineage().run(
        sql_dir=str(sql_dir),
        dialect="postgres",
        output_path=str(raw),
        namespace="postgres://warehouse:5432",
        max_failed_share=0.5,
    )
    results = tmp_path / "results" / "app_lineage.jsonl"
    assert LineageFacets().run(input_path=str(raw), output_path=str(results), application="shop")
    return results


def without_empty_facets(event: dict[str, Any]) -> dict[str, Any]:
    """The client writes ``"facets": {}`` (and input/output facets) where the file has none."""
    for dataset in [*event["inputs"], *event["outputs"]]:
        for key in ("facets", "inputFacets", "outputFacets"):
            if dataset.get(key) == {}:
                del dataset[key]
    return event


def sent_jobs(endpoint: LineageEndpoint) -> list[str]:
    return sorted(event["job"]["name"] for event in endpoint.events)


def test_events_reach_the_endpoint_configured_by_openlineage_url_with_the_api_key(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    lineage_endpoint.api_key = API_KEY
    openlineage_config(OPENLINEAGE_URL=lineage_endpoint.url, OPENLINEAGE_API_KEY=API_KEY)

    with caplog.at_level(logging.DEBUG):
        assert OpenLineageEmit().run(input_path=str(events_file)) is True

    assert lineage_endpoint.rejected == []
    assert sent_jobs(lineage_endpoint) == sorted(SQL)
    # the client adds its own version as a run tag; everything else arrives as written
    for event in lineage_endpoint.events:
        client_tags = event["run"]["facets"].pop("tags")["tags"]
        assert {tag["key"] for tag in client_tags} == {"openlineage_client_version"}
    assert [without_empty_facets(e) for e in lineage_endpoint.events] == read_events(events_file)
    by_job = {event["job"]["name"]: event for event in lineage_endpoint.events}
    assert by_job["broken.sql"]["eventType"] == "FAIL"
    assert "broken.sql:1:" in by_job["broken.sql"]["run"]["facets"]["errorMessage"]["message"]
    tags = by_job["orders.sql"]["job"]["facets"]["tags"]["tags"]
    assert {"key": "application", "value": "shop", "source": "DATAOPS"} in tags
    assert API_KEY not in caplog.text


def test_events_reach_the_endpoint_of_the_openlineage_transport_setting(
    events_file: Path, lineage_endpoint: LineageEndpoint, openlineage_config: Callable[..., None]
) -> None:
    lineage_endpoint.api_key = API_KEY
    transport = {"type": "http", "url": lineage_endpoint.url, "auth": {"type": "api_key", "apiKey": API_KEY}}
    openlineage_config(AIRFLOW__OPENLINEAGE__TRANSPORT=json.dumps(transport))

    assert OpenLineageEmit().run(input_path=str(events_file.parent)) is True

    assert lineage_endpoint.rejected == []
    assert sent_jobs(lineage_endpoint) == sorted(SQL)


def test_a_transport_override_takes_its_api_key_from_an_airflow_connection(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lineage_endpoint.api_key = API_KEY
    openlineage_config()  # enabled, but nothing configured: only the override can send
    monkeypatch.setenv("AIRFLOW_CONN_LINEAGE_BACKEND", json.dumps({"conn_type": "http", "password": API_KEY}))
    transport = {
        "type": "http",
        "url": lineage_endpoint.url,
        "auth": {"type": "airflow_connection_api_key", "conn_id": "lineage_backend"},
    }

    assert OpenLineageEmit().run(input_path=str(events_file), transport=transport) is True

    assert lineage_endpoint.rejected == []
    assert sent_jobs(lineage_endpoint) == sorted(SQL)


def test_a_rejected_api_key_fails_the_task(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    lineage_endpoint.api_key = API_KEY
    openlineage_config(OPENLINEAGE_URL=lineage_endpoint.url, OPENLINEAGE_API_KEY="wrong-key-0000")

    with caplog.at_level(logging.ERROR):
        assert OpenLineageEmit().run(input_path=str(events_file)) is False

    assert lineage_endpoint.events == []
    assert lineage_endpoint.rejected == ["authorization header 'Bearer wrong-key-0000'"]
    assert "was not accepted by the http transport" in caplog.text


def test_a_server_error_fails_the_task_instead_of_losing_the_lineage(
    events_file: Path, lineage_endpoint: LineageEndpoint, openlineage_config: Callable[..., None]
) -> None:
    lineage_endpoint.status = 500
    openlineage_config(OPENLINEAGE_URL=lineage_endpoint.url)

    assert OpenLineageEmit().run(input_path=str(events_file)) is False


def test_a_malformed_events_file_sends_nothing(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    openlineage_config(OPENLINEAGE_URL=lineage_endpoint.url)
    with events_file.open("a") as out:
        out.write('{"eventType": "COMPLETE"}\n')

    with caplog.at_level(logging.ERROR):
        assert OpenLineageEmit().run(input_path=str(events_file)) is False

    assert lineage_endpoint.events == []
    assert f"{events_file}:4: not an OpenLineage RunEvent" in caplog.text


def test_without_a_transport_the_events_go_to_the_fallback_folder(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    tmp_path: Path,
) -> None:
    openlineage_config()
    lake = tmp_path / "lake" / "shop"

    assert OpenLineageEmit().run(input_path=str(events_file.parent), fallback_url=f"file://{lake}") is True

    assert lineage_endpoint.events == []
    copied = lake / events_file.name
    assert copied.read_bytes() == events_file.read_bytes()
    for event in read_events(copied):
        assert_valid_event(event)


def test_disabled_openlineage_is_respected_and_falls_back(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    openlineage_config(OPENLINEAGE_URL=lineage_endpoint.url, AIRFLOW__OPENLINEAGE__DISABLED="True")

    assert OpenLineageEmit().run(input_path=str(events_file), fallback_url=f"file://{tmp_path}/lake") is True

    assert lineage_endpoint.events == []
    assert (tmp_path / "lake" / events_file.name).exists()


def test_without_a_transport_or_fallback_the_task_fails_and_says_why(
    events_file: Path, openlineage_config: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    openlineage_config()
    with caplog.at_level(logging.ERROR):
        assert OpenLineageEmit().run(input_path=str(events_file)) is False
    assert "no OpenLineage transport is configured" in caplog.text


def test_a_missing_connection_for_the_api_key_is_a_readable_failure(
    events_file: Path,
    lineage_endpoint: LineageEndpoint,
    openlineage_config: Callable[..., None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    openlineage_config()
    transport: dict[str, Any] = {
        "type": "http",
        "url": lineage_endpoint.url,
        "auth": {"type": "airflow_connection_api_key", "conn_id": "no_such_connection"},
    }
    with caplog.at_level(logging.ERROR):
        assert OpenLineageEmit().run(input_path=str(events_file), transport=transport) is False
    assert "cannot be configured" in caplog.text
    assert "no_such_connection" in caplog.text
    assert lineage_endpoint.events == []
