"""Built-in task types; importing this package registers them."""

from __future__ import annotations

from airflow_provider_dataops.hocon.task_types.files import Archive, CleanWorkspace, Copy, DeleteOlderThan
from airflow_provider_dataops.hocon.task_types.lineage import LineageFacets, OpenLineageEmit, SqlLineage
from airflow_provider_dataops.hocon.task_types.python import Python
from airflow_provider_dataops.hocon.task_types.shell import ShellScript
from airflow_provider_dataops.hocon.task_types.upload import Upload

__all__ = [
    "Archive",
    "CleanWorkspace",
    "Copy",
    "DeleteOlderThan",
    "LineageFacets",
    "OpenLineageEmit",
    "Python",
    "ShellScript",
    "SqlLineage",
    "Upload",
]
