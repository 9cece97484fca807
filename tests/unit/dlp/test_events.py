"""Objects named by GCS Pub/Sub notifications in asset events, and by a manual run's params."""

from __future__ import annotations

import pytest

from airflow_provider_dataops.dlp.events import object_uri_from_params, object_uris_from_events
from airflow_provider_dataops.dlp.jobs import DlpInputError


def _event(*attributes: dict[str, str]) -> dict[str, object]:
    return {
        "from_trigger": True,
        "payload": {"status": "success", "message": [{"message": {"attributes": a}} for a in attributes]},
    }


def test_finalize_events_yield_each_object_once_in_order() -> None:
    a = {"bucketId": "b", "objectId": "x/1.csv", "eventType": "OBJECT_FINALIZE"}
    b = {"bucketId": "b", "objectId": "x/2.csv", "eventType": "OBJECT_FINALIZE"}
    deleted = {"bucketId": "b", "objectId": "x/3.csv", "eventType": "OBJECT_DELETE"}
    assert object_uris_from_events([_event(a, deleted), _event(b, a)]) == ["gs://b/x/1.csv", "gs://b/x/2.csv"]


def test_events_without_a_pubsub_payload_yield_nothing() -> None:
    assert object_uris_from_events([{}, {"payload": {}}, _event({"bucketId": "b"})]) == []


def test_params_name_one_object() -> None:
    assert object_uri_from_params("landing", "in/a.csv") == "gs://landing/in/a.csv"
    assert object_uri_from_params("landing", "in/a[1]*.csv") == "gs://landing/in/a[1]*.csv"


@pytest.mark.parametrize(
    ("bucket", "name", "problem"),
    [
        (None, "a.csv", "needs both 'bucket' and 'object'"),
        ("landing", "in/\nx", "not a valid Cloud Storage object name"),
    ],
)
def test_bad_params_are_named(bucket: str | None, name: str, problem: str) -> None:
    with pytest.raises(DlpInputError, match=problem):
        object_uri_from_params(bucket, name)
