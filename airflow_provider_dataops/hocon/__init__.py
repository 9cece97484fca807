"""Config-driven tasks from HOCON: loading, caching, task-type registry, validation (no Airflow import)."""

from __future__ import annotations

from airflow_provider_dataops.hocon.errors import HoconConfigError
from airflow_provider_dataops.hocon.loader import load_config
from airflow_provider_dataops.hocon.registry import TaskRegistry, registry
from airflow_provider_dataops.hocon.task import Task
from airflow_provider_dataops.hocon.validation import TaskSpec, validate_config

__all__ = [
    "HoconConfigError",
    "Task",
    "TaskRegistry",
    "TaskSpec",
    "load_config",
    "registry",
    "validate_config",
]
