"""GCS objects named by Pub/Sub OBJECT_FINALIZE notifications, as delivered in asset events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_dataops.dlp.jobs import DlpInputError, parse_gcs_uri


def object_uris_from_events(extras: Iterable[Mapping[str, Any]]) -> list[str]:
    """``gs://`` URIs of the objects finalized in the events, each once, in arrival order.

    ``extras`` are asset-event extras written by an ``AssetWatcher`` around
    ``PubsubPullTrigger``: ``{"payload": {"message": [ReceivedMessage as dict, ...]}}``. GCS puts
    the bucket and object in the message attributes (``bucketId``, ``objectId``, ``eventType``),
    so the data (the object's JSON metadata) is not decoded. Other event types are ignored.
    """
    uris: list[str] = []
    for extra in extras:
        payload = (extra or {}).get("payload") or {}
        for received in payload.get("message") or []:
            attributes = (received.get("message") or {}).get("attributes") or {}
            if attributes.get("eventType", "OBJECT_FINALIZE") != "OBJECT_FINALIZE":
                continue
            bucket, name = attributes.get("bucketId"), attributes.get("objectId")
            if bucket and name and f"gs://{bucket}/{name}" not in uris:
                uris.append(f"gs://{bucket}/{name}")
    return uris


def object_uri_from_params(bucket: str | None, name: str | None) -> str:
    """The object a hand-started run names through its ``bucket`` and ``object`` params."""
    if not bucket or not name:
        raise DlpInputError(
            "params: a run without an upload event needs both 'bucket' and 'object' "
            f"(got bucket={bucket!r}, object={name!r})"
        )
    uri = f"gs://{bucket}/{name}"
    parse_gcs_uri(uri)
    return uri
