"""The seed's task API: subclass :class:`Task` and implement ``run(self, **args) -> bool``."""

from __future__ import annotations

import logging
from typing import Any, ClassVar


class Task:
    """Base class of config-driven tasks (the seed's ``simple_tasker`` API, unchanged).

    A subclass registers itself under ``task_name`` or, without one, its lower-cased class name.
    ``run`` gets the task's ``args`` as keyword arguments; returning ``False`` fails the task.
    """

    task_name: ClassVar[str]

    def __init__(self) -> None:
        self.logger = logging.getLogger(self.__class__.__name__)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from airflow_provider_dataops.hocon.registry import registry

        registry.register(cls)

    def run(self, **kwargs: Any) -> bool:
        raise NotImplementedError
