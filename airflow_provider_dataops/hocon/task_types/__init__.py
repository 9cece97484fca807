"""Built-in task types.

The registry knows them by dotted path (``registry.BUILTIN_TYPES``) and imports a module only
when a config uses one of its types; the names below are imported on first access, too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_dataops.hocon.task_types.files import Archive, CleanWorkspace, Copy, DeleteOlderThan
    from airflow_provider_dataops.hocon.task_types.lineage import LineageFacets, OpenLineageEmit, SqlLineage
    from airflow_provider_dataops.hocon.task_types.python import Python
    from airflow_provider_dataops.hocon.task_types.shell import ShellScript
    from airflow_provider_dataops.hocon.task_types.upload import Upload

_MODULES = {
    "Archive": "files",
    "CleanWorkspace": "files",
    "Copy": "files",
    "DeleteOlderThan": "files",
    "LineageFacets": "lineage",
    "OpenLineageEmit": "lineage",
    "Python": "python",
    "ShellScript": "shell",
    "SqlLineage": "lineage",
    "Upload": "upload",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
