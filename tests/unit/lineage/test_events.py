"""Event shapes: the schema versions openlineage-python pins, enrichment, the JSON-lines files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.lineage import events
from airflow_provider_dataops.lineage.errors import LineageError
from tests.fixtures.openlineage import SPEC, assert_valid_event, schema_errors


def test_schema_urls_are_the_versions_openlineage_python_pins() -> None:
    from openlineage.client.generated import (
        column_lineage_dataset,
        error_message_run,
        extraction_error_run,
        job_type_job,
        parent_run,
        sql_job,
        tags_job,
    )
    from openlineage.client.generated.base import RunEvent

    pinned = {
        "columnLineage": column_lineage_dataset.ColumnLineageDatasetFacet,
        "errorMessage": error_message_run.ErrorMessageRunFacet,
        "extractionError": extraction_error_run.ExtractionErrorRunFacet,
        "jobType": job_type_job.JobTypeJobFacet,
        "parent": parent_run.ParentRunFacet,
        "sql": sql_job.SQLJobFacet,
        "tags": tags_job.TagsJobFacet,
    }
    assert {name: cls._get_schema() for name, cls in pinned.items()} == events.FACET_SCHEMAS
    assert RunEvent._get_schema() == events.RUN_EVENT_SCHEMA


def test_every_schema_url_has_a_vendored_schema() -> None:
    ids = {json.loads(p.read_text())["$id"] for p in SPEC.glob("*.json")}
    urls = [events.RUN_EVENT_SCHEMA, *events.FACET_SCHEMAS.values()]
    assert {url.split("#")[0] for url in urls} <= ids


def sample_event() -> dict[str, Any]:
    return events.run_event(
        event_type="COMPLETE",
        job_namespace="scans",
        job_name="a.sql",
        job_facets={},
        run_facets={},
        inputs=[{"namespace": "pg://h:5432", "name": "s.t"}],
        outputs=[],
    )


def test_a_bare_event_is_valid_and_its_run_id_is_a_uuid7() -> None:
    event = sample_event()
    assert_valid_event(event)
    assert event["run"]["runId"][14] == "7"
    assert event["eventTime"].endswith("Z")


def test_the_validator_catches_a_broken_facet() -> None:
    event = sample_event()
    event["run"]["facets"]["errorMessage"] = events.facet("errorMessage", message="no language")
    assert any("programmingLanguage" in error for error in schema_errors(event))


def test_add_facets_sets_application_tags_and_parent_and_replaces_stale_tags() -> None:
    event = sample_event()
    parent = {
        "job": {"namespace": "airflow", "name": "lineage_scan"},
        "run": {"runId": "01932a3c-4e5f-7a6b-8c9d-0e1f2a3b4c5d"},
    }
    events.add_facets(event, application="old", tags={"team": "finance"})
    events.add_facets(event, application="billing", parent=parent)
    assert_valid_event(event)
    tags = {(t["key"], t["value"]) for t in event["job"]["facets"]["tags"]["tags"]}
    assert tags == {("team", "finance"), ("application", "billing")}
    assert event["run"]["facets"]["parent"]["run"]["runId"] == parent["run"]["runId"]


def test_write_jsonl_leaves_nothing_behind_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out" / "lineage.jsonl"

    def broken() -> Any:
        yield sample_event()
        raise RuntimeError("scan interrupted")

    with pytest.raises(RuntimeError):
        events.write_jsonl(broken(), target)
    assert list(target.parent.iterdir()) == []


def test_write_then_read_round_trips_one_event_per_line(tmp_path: Path) -> None:
    target = tmp_path / "lineage.jsonl"
    assert events.write_jsonl([sample_event(), sample_event()], target) == 2
    assert len(target.read_text().splitlines()) == 2
    assert [e["job"]["name"] for e in events.read_jsonl(target)] == ["a.sql", "a.sql"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"eventType": "COMPLETE"\n', r"bad\.jsonl:1: not JSON"),
        ('\n["a list"]\n', r"bad\.jsonl:2: not an OpenLineage RunEvent \(missing eventType"),
        ('{"eventType": "COMPLETE", "eventTime": "t", "producer": "p", "run": {}}\n', r"missing job\)"),
    ],
)
def test_read_jsonl_names_the_file_and_line_of_a_bad_event(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(LineageError, match=message):
        list(events.read_jsonl(path))


def test_jsonl_files_of_a_folder_are_its_jsonl_files_sorted(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert events.jsonl_files(tmp_path) == [tmp_path / "b.jsonl", tmp_path / "sub" / "a.jsonl"]


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_jsonl_files_refuses_a_missing_or_empty_source(tmp_path: Path, make: str) -> None:
    source = tmp_path / "results"
    if make == "empty":
        source.mkdir()
    with pytest.raises(LineageError, match="no lineage events"):
        events.jsonl_files(source)
