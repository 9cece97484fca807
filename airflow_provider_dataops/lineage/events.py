"""OpenLineage event and facet shapes, as plain dicts, and the JSON-lines files that hold them.

The schema URLs are the versions openlineage-python pins (a unit test compares them with its
generated classes), so the events validate against the same schemas its client emits. Plain
dicts, not the client's attrs classes: a scan builds thousands, and the client is not needed to
write them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec

from airflow_provider_dataops import __version__
from airflow_provider_dataops.lineage.errors import LineageError

PRODUCER = f"https://pypi.org/project/airflow-provider-dataops/{__version__}/"
RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
FACET_SCHEMAS = {
    "columnLineage": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
    "errorMessage": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
    "extractionError": "https://openlineage.io/spec/facets/1-1-2/ExtractionErrorRunFacet.json#/$defs/ExtractionErrorRunFacet",
    "jobType": "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
    "parent": "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
    "sql": "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet",
    "tags": "https://openlineage.io/spec/facets/1-0-0/TagsJobFacet.json#/$defs/TagsJobFacet",
}
TAG_SOURCE = "DATAOPS"


def facet(name: str, **fields: Any) -> dict[str, Any]:
    """A facet named as in ``FACET_SCHEMAS``, with the producer and schema URL every facet carries."""
    return {"_producer": PRODUCER, "_schemaURL": FACET_SCHEMAS[name], **fields}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id() -> str:
    """A UUIDv7, as the OpenLineage spec recommends (time-ordered), from openlineage-python."""
    from openlineage.client.uuid import generate_new_uuid

    return str(generate_new_uuid())


def run_event(
    *,
    event_type: str,
    job_namespace: str,
    job_name: str,
    job_facets: Mapping[str, Any],
    run_facets: Mapping[str, Any],
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    run_id: str | None = None,
    event_time: str | None = None,
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "eventTime": event_time or now(),
        "producer": PRODUCER,
        "schemaURL": RUN_EVENT_SCHEMA,
        "run": {"runId": run_id or new_run_id(), "facets": dict(run_facets)},
        "job": {"namespace": job_namespace, "name": job_name, "facets": dict(job_facets)},
        "inputs": inputs,
        "outputs": outputs,
    }


def write_jsonl(events: Iterable[Mapping[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write one event per line, atomically: a reader never sees half a file. Returns the count.

    Written like every file task's output (``hocon/task_types/_safety``): into a trusted folder
    (created 0700), via a temporary name renamed over the target, never through a symlink.
    Raises :class:`LineageError` naming the path when the folder is not safe to write.
    """
    from airflow_provider_dataops.hocon.task_types._safety import UnsafePathError, atomic_writer, open_folder

    target = Path(path)
    count = 0
    try:
        with (
            open_folder(target.parent, what="output_path", create=True) as folder,
            atomic_writer(folder, target.name) as raw,
        ):
            encode = msgspec.json.Encoder().encode
            for event in events:
                raw.write(encode(event) + b"\n")
                count += 1
    except UnsafePathError as exc:
        raise LineageError(str(exc)) from None
    return count


def jsonl_files(path: str | os.PathLike[str]) -> list[Path]:
    """``path`` itself, or every ``*.jsonl`` file under it (sorted)."""
    source = Path(path)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise LineageError(f"no lineage events at {source}: it does not exist")
    files = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix == ".jsonl")
    if not files:
        raise LineageError(f"no lineage events under {source}: no .jsonl file there")
    return files


_RUN_EVENT_KEYS = ("eventType", "eventTime", "producer", "run", "job")


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The events of one file; a line that is not a RunEvent raises naming the file and line."""
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LineageError(f"{path}:{number}: not JSON: {exc.msg}") from None
            missing = [key for key in _RUN_EVENT_KEYS if not isinstance(event, dict) or key not in event]
            if missing:
                raise LineageError(
                    f"{path}:{number}: not an OpenLineage RunEvent (missing {', '.join(missing)})"
                )
            yield event


def add_facets(
    event: dict[str, Any],
    *,
    application: str | None = None,
    tags: Mapping[str, str] | None = None,
    parent: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The seed's "modify results" step: the application (and any tags) as job tags, the run as parent.

    :param parent: ``{"job": {"namespace", "name"}, "run": {"runId"}}`` of the run that scanned,
        optionally with ``"root"``; becomes the ``parent`` run facet.
    """
    job_facets = event["job"].setdefault("facets", {})
    wanted = dict(tags or {})
    if application is not None:
        wanted["application"] = application
    if wanted:
        existing = job_facets.get("tags", {}).get("tags", [])
        kept = [tag for tag in existing if tag.get("key") not in wanted]
        new = [{"key": key, "value": str(value), "source": TAG_SOURCE} for key, value in wanted.items()]
        job_facets["tags"] = facet("tags", tags=kept + new)
    if parent is not None:
        event["run"].setdefault("facets", {})["parent"] = facet("parent", **parent)
    return event
