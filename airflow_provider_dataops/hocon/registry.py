"""Task-type registry: built-ins, :class:`Task` subclasses, ``task_modules=`` and entry points."""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import Distribution, EntryPoint, distributions
from typing import Any

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "airflow_provider_dataops.task_types"

OPERATOR_TYPES = {
    "stackql_query": "airflow_provider_dataops.operators.stackql.StackQLToParquetOperator",
    "parquet_to_snowflake": (
        "airflow_provider_dataops.operators.parquet_to_snowflake.ParquetToSnowflakeOperator"
    ),
    "dlp_inspect": "airflow_provider_dataops.operators.dlp.DlpInspectOperator",
}
"""Types backed by an Airflow operator, named by dotted path so nothing is imported until used."""

_BUILTINS = "airflow_provider_dataops.hocon.task_types"
BUILTIN_TYPES = {
    "shell_script": f"{_BUILTINS}.shell.ShellScript",
    "archive": f"{_BUILTINS}.files.Archive",
    "copy": f"{_BUILTINS}.files.Copy",
    "clean_workspace": f"{_BUILTINS}.files.CleanWorkspace",
    "delete_older_than": f"{_BUILTINS}.files.DeleteOlderThan",
    "upload": f"{_BUILTINS}.upload.Upload",
    "python": f"{_BUILTINS}.python.Python",
    "sql_lineage": f"{_BUILTINS}.lineage.SqlLineage",
    "lineage_facets": f"{_BUILTINS}.lineage.LineageFacets",
    "openlineage_emit": f"{_BUILTINS}.lineage.OpenLineageEmit",
}
"""The built-in :class:`Task` types, by dotted path: a DAG parse imports only the modules of the
types its configs use (``tarfile`` for ``archive``, and so on), not all of them."""

OPERATOR_OWN_ARGS = frozenset({"self", "task_id"})


def _dotted(target: type | str) -> str:
    return target if isinstance(target, str) else f"{target.__module__}.{target.__qualname__}"


def _normalized_name(dist: Distribution) -> str:
    name: str = getattr(dist, "_normalized_name", None) or dist.metadata["Name"]
    return name


def group_entry_points(group: str) -> list[EntryPoint]:
    """``importlib.metadata.entry_points(group=group)``, parsing only the distributions that name ``group``.

    The standard call parses the ``entry_points.txt`` of every installed distribution (Airflow
    brings hundreds), and every DAG-parsing process pays for it; here each file is read, and
    parsed only when its text names the group. The result is the same: a distribution counts only
    if no distribution of the same normalized name comes before it on ``sys.path``, as in
    ``importlib.metadata`` (whose cheap ``_normalized_name`` is used, and only when needed).
    """
    found: list[EntryPoint] = []
    dists = list(distributions())
    names: set[str] = set()
    """Normalized names of ``dists[:named]``."""
    named = 0
    for index, dist in enumerate(dists):
        text = dist.read_text("entry_points.txt")
        if not text or group not in text:
            continue
        names.update(_normalized_name(d) for d in dists[named:index])
        named = index + 1
        name = _normalized_name(dist)
        if name not in names:
            names.add(name)
            found.extend(dist.entry_points.select(group=group))
    return found


class TaskTypeImportError(ImportError):
    """A registered type's class cannot be imported."""


@dataclass(frozen=True)
class TaskType:
    """One registered type: a :class:`Task` subclass, or an operator class (object or dotted path)."""

    name: str
    target: type | str
    is_operator: bool

    def load(self) -> type:
        if not isinstance(self.target, str):
            return self.target
        module_name, _, attr = self.target.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise TaskTypeImportError(
                f"task type '{self.name}' needs {self.target}, which cannot be imported: {exc}"
            ) from exc
        if not isinstance(obj, type):
            raise TaskTypeImportError(f"task type '{self.name}': {self.target} is not a class")
        return obj

    def callable(self) -> Any:
        """The function whose signature the task's ``args`` must match."""
        return getattr(self.load(), "__init__" if self.is_operator else "run")

    def parameters(self) -> list[inspect.Parameter]:
        skip = OPERATOR_OWN_ARGS if self.is_operator else {"self"}
        return [p for p in inspect.signature(self.callable()).parameters.values() if p.name not in skip]


class TaskRegistry:
    """The seed's ``TaskRegistry`` (register/registered/has/get/create), plus operator-backed types."""

    def __init__(self) -> None:
        self._types: dict[str, TaskType] = {}
        self._discovered = False
        self._imported_modules: set[str] = set()

    def register(self, cls: type, name: str | None = None) -> None:
        from airflow_provider_dataops.hocon.task import Task

        key = (name or getattr(cls, "task_name", None) or cls.__name__).lower()
        current = self._types.get(key)
        if current is not None and _dotted(cls) == BUILTIN_TYPES.get(key) != _dotted(current.target):
            return  # a built-in module imported late must not replace a type registered over it
        self._types[key] = TaskType(key, cls, is_operator=not issubclass(cls, Task))

    def register_builtin(self, name: str, dotted_path: str) -> None:
        """A :class:`Task` type by dotted path, imported when first used (see :data:`BUILTIN_TYPES`)."""
        self._types[name] = TaskType(name, dotted_path, is_operator=False)

    def register_operator(self, name: str, dotted_path: str) -> None:
        self._types[name.lower()] = TaskType(name.lower(), dotted_path, is_operator=True)

    def registered(self) -> list[str]:
        self._discover_entry_points()
        return sorted(self._types)

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def get(self, name: str) -> type:
        return self.task_type(name).load()

    def task_type(self, name: str) -> TaskType:
        found = self._find(name)
        if found is None:
            raise KeyError(name.lower())
        return found

    def create(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.get(name)(*args, **kwargs)

    def _find(self, name: str) -> TaskType | None:
        """The type registered as ``name``; entry points are read only for a name not registered
        otherwise, so a DAG that uses only built-in types never scans the installed packages."""
        key = name.lower()
        found = self._types.get(key)
        if found is None and not self._discovered:
            self._discover_entry_points()
            found = self._types.get(key)
        return found

    def discover(self, task_modules: Iterable[str] = ()) -> None:
        """Import any new ``task_modules``, whose :class:`Task` subclasses register themselves."""
        for module in task_modules:
            if module not in self._imported_modules:
                importlib.import_module(module)
                self._imported_modules.add(module)

    def _discover_entry_points(self) -> None:
        """Register the types of the entry point group, once. An entry point never replaces a
        type registered otherwise (a built-in, an operator type, a ``Task`` subclass): an
        installed package must not take over ``shell_script``; that is logged and skipped."""
        if self._discovered:
            return
        self._discovered = True
        for ep in group_entry_points(ENTRY_POINT_GROUP):
            key = ep.name.lower()
            if key in self._types:
                log.warning(
                    "entry point %s = %s of group %s is skipped: task type '%s' is already %s",
                    ep.name,
                    ep.value,
                    ENTRY_POINT_GROUP,
                    key,
                    _dotted(self._types[key].target),
                )
                continue
            try:
                loaded = ep.load()
            except Exception:
                log.exception(
                    "entry point %s = %s of group %s cannot be loaded",
                    ep.name,
                    ep.value,
                    ENTRY_POINT_GROUP,
                )
                continue
            if isinstance(loaded, type):
                self.register(loaded, name=ep.name)

    def snapshot(self) -> dict[str, TaskType]:
        return dict(self._types)

    def restore(self, snapshot: dict[str, TaskType]) -> None:
        self._types = dict(snapshot)


registry = TaskRegistry()
for _name, _path in BUILTIN_TYPES.items():
    registry.register_builtin(_name, _path)
for _name, _path in OPERATOR_TYPES.items():
    registry.register_operator(_name, _path)
