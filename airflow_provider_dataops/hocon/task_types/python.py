"""``python``: call a function named by dotted path (``pkg.module.func`` or ``pkg.module:func``)."""

from __future__ import annotations

import importlib
from typing import Any

from airflow_provider_dataops.hocon.task import Task


def import_callable(dotted: str) -> Any:
    module_name, _, attr = dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
    if not module_name or not attr:
        raise ValueError(f"'{dotted}' is not a dotted path such as package.module.function")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"'{dotted}' is not callable")
    return obj


class Python(Task):
    task_name = "python"

    def run(self, python_callable: str, op_kwargs: dict[str, Any] | None = None) -> bool:  # type: ignore[override]
        """Returns False only if the function returns False; its other results are logged."""
        result = import_callable(python_callable)(**(op_kwargs or {}))
        self.logger.info("%s returned %r", python_callable, result)
        return result is not False
