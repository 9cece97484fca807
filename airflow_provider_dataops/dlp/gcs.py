"""Cloud Storage side of the DLP gate, on a google-cloud-storage client (no Airflow import).

The scanned version of an object is recorded before the scan (:func:`object_record`); the router
moves exactly that version (:func:`move_object`): rewrite with generation preconditions, verify
the copy by size and checksums, label it, and only then delete the source with
``if_generation_match``. Every step can be repeated after a crash without losing or
duplicating the object: the destination records the source URI and generation it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from airflow_provider_dataops.dlp.jobs import DlpInputError, parse_gcs_uri

SCANNED_OBJECT_KEY = "scanned_object"
#: Custom metadata keys the router writes on the moved object.
META_SOURCE = "dlp-source"
META_SOURCE_GENERATION = "dlp-source-generation"
_MAX_REASON = 500

log = logging.getLogger(__name__)


class MoveError(RuntimeError):
    """The object could not be moved; the message names the object and the step."""


def _timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def object_record(uri: str, blob: Any) -> dict[str, Any]:
    """What identifies the scanned version of an object, as JSON-safe values."""
    return {
        "uri": uri,
        "generation": int(blob.generation),
        "metageneration": int(blob.metageneration) if blob.metageneration is not None else None,
        "size": int(blob.size or 0),
        "crc32c": blob.crc32c,
        "md5": blob.md5_hash,
        "updated": _timestamp(blob.updated),
    }


def proto_timestamp(text: str) -> dict[str, int]:
    """An RFC 3339 UTC timestamp as ``{"seconds", "nanos"}`` for a protobuf ``Timestamp`` field."""
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return {"seconds": int(moment.timestamp()), "nanos": moment.microsecond * 1000}


def parse_prefix_uri(uri: str, what: str) -> tuple[str, str]:
    """``gs://bucket[/prefix]`` as (bucket, prefix ending in ``/`` or empty)."""
    if not isinstance(uri, str) or not uri.startswith("gs://"):
        raise DlpInputError(f"{what} {uri!r}: expected gs://BUCKET or gs://BUCKET/PREFIX")
    bucket, _, prefix = uri[len("gs://") :].partition("/")
    try:
        parse_gcs_uri(f"gs://{bucket}/x")
    except DlpInputError:
        raise DlpInputError(f"{what} {uri!r}: {bucket!r} is not a valid bucket name") from None
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def destination(prefix_uri: str, object_name: str, what: str) -> tuple[str, str]:
    """Where an object goes under ``prefix_uri``: the prefix plus the object's full name."""
    bucket, prefix = parse_prefix_uri(prefix_uri, what)
    return bucket, f"{prefix}{object_name}"


def route_metadata(
    *, source_uri: str, generation: int, verdict: str, job_name: str, findings: Mapping[str, int], reason: str
) -> dict[str, str]:
    """Custom metadata of a routed object: where it came from and why, never a finding's text."""
    meta = {
        META_SOURCE: source_uri,
        META_SOURCE_GENERATION: str(generation),
        "dlp-verdict": verdict,
        "dlp-job": job_name or "",
        "dlp-info-types": ",".join(sorted(findings)),
        "dlp-counts": ",".join(f"{name}={int(count)}" for name, count in sorted(findings.items())),
        "dlp-total-findings": str(sum(int(c) for c in findings.values())),
    }
    if reason:
        meta["dlp-reason"] = reason[:_MAX_REASON]
    return meta


@dataclass(frozen=True)
class MoveResult:
    destination: str
    generation: int
    already_done: bool


def _is_copy_of(blob: Any, source_uri: str, generation: int) -> bool:
    meta = blob.metadata or {}
    return meta.get(META_SOURCE) == source_uri and meta.get(META_SOURCE_GENERATION) == str(generation)


def _same_content(copy: Any, source: Any) -> bool:
    if int(copy.size or 0) != int(source.size or 0):
        return False
    if copy.crc32c and source.crc32c:
        return bool(copy.crc32c == source.crc32c)
    if copy.md5_hash and source.md5_hash:
        return bool(copy.md5_hash == source.md5_hash)
    return False


def find_copy(client: Any, dest_bucket: str, dest_name: str, source_uri: str, generation: int | None) -> Any:
    """The destination object if it is the copy of ``source_uri`` (at ``generation``, if given)."""
    blob = client.bucket(dest_bucket).get_blob(dest_name)
    if blob is None:
        return None
    meta = blob.metadata or {}
    if meta.get(META_SOURCE) != source_uri:
        return None
    if generation is not None and meta.get(META_SOURCE_GENERATION) != str(generation):
        return None
    return blob


def move_object(
    client: Any, source: Any, dest_bucket: str, dest_name: str, metadata: Mapping[str, str]
) -> MoveResult:
    """Move the exact version ``source`` (a loaded blob) to ``dest_bucket/dest_name``.

    1. If the destination already holds a verified copy of this source generation (a crash
       after the copy), the copy is not repeated.
    2. Otherwise rewrite with ``if_source_generation_match`` (only this version is copied) and
       ``if_generation_match`` on the destination (its current generation, or 0 when absent),
       so a concurrent writer on either side makes the step fail instead of mixing versions.
    3. Label the copy (``if_generation_match`` on the copy) and check size and crc32c / MD5.
    4. Delete the source with ``if_generation_match``: a newer upload of the same name survives.
    """
    source_uri = f"gs://{source.bucket.name}/{source.name}"
    generation = int(source.generation)
    target = f"gs://{dest_bucket}/{dest_name}"
    existing = client.bucket(dest_bucket).get_blob(dest_name)
    if (
        existing is not None
        and _is_copy_of(existing, source_uri, generation)
        and _same_content(existing, source)
    ):
        log.info(
            "%s already holds generation %s of %s (an earlier try copied it)", target, generation, source_uri
        )
        copy, already = existing, True
    else:
        copy = client.bucket(dest_bucket).blob(dest_name)
        token = None
        while True:
            token, _, _ = copy.rewrite(
                source,
                token=token,
                if_source_generation_match=generation,
                if_generation_match=int(existing.generation) if existing is not None else 0,
            )
            if token is None:
                break
        copy.reload()
        copy.metadata = {**(copy.metadata or {}), **metadata}
        copy.patch(if_generation_match=int(copy.generation))
        copy.reload()
        already = False
    if not _same_content(copy, source) or not _is_copy_of(copy, source_uri, generation):
        raise MoveError(
            f"copy of {source_uri} (generation {generation}) at {target} does not match the source "
            "(size, checksum or labels differ); the source was not deleted"
        )
    try:
        source.delete(if_generation_match=generation)
    except Exception as exc:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        if isinstance(exc, NotFound):
            log.info("%s generation %s was already deleted", source_uri, generation)
        elif isinstance(exc, PreconditionFailed):
            log.warning("%s changed after the copy; the newer version stays in place", source_uri)
        else:
            raise
    return MoveResult(target, int(copy.generation), already)
