"""``HoconTaskGroup``: the tasks of a HOCON config as an Airflow task group, validated at parse time."""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator, TaskGroup
from airflow.sdk.exceptions import AirflowException

from airflow_provider_dataops.hocon import HoconConfigError, masking, validate_config
from airflow_provider_dataops.hocon.loader import BUILTIN_NAMES, load_config_files
from airflow_provider_dataops.hocon.validation import upstream_ids

_DURATION_ARGS = frozenset({"retry_delay", "max_retry_delay", "execution_timeout", "sla"})
_TIMEDELTA = re.compile(r"^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")


@functools.cache
def operator_arg_names() -> frozenset[str]:
    """Arguments a task's ``airflow {}`` block may set: BaseOperator's, minus those the group sets."""
    names = set(inspect.signature(BaseOperator.__init__).parameters)
    return frozenset(names - {"self", "kwargs", "task_id", "dag", "task_group"})


def _airflow_kwargs(values: Mapping[str, Any]) -> dict[str, Any]:
    """Durations as seconds, as HOCON durations (``30s``, zig-hocon) or as ``str(timedelta)`` (pyhocon)."""
    result = dict(values)
    if not result:
        return result
    for key in _DURATION_ARGS & result.keys():
        value = result[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            result[key] = timedelta(seconds=value)
        elif isinstance(value, str) and (match := _TIMEDELTA.match(value)):
            days, hours, minutes, seconds = match.groups()
            result[key] = timedelta(
                days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=float(seconds)
            )
        elif isinstance(value, str):
            from zig_hocon import parse_duration

            with contextlib.suppress(ValueError):  # left as written: the operator reports it
                result[key] = parse_duration(value)
    return result


class HoconTaskOperator(BaseOperator):
    """Runs one :class:`~airflow_provider_dataops.hocon.Task` with its (Jinja-rendered) args.

    Before the args are rendered (and so before the rendered values are stored or logged), the
    values of ``secret_env`` (names of environment variables the config substitutes) and every
    sensitive-looking arg are registered with Airflow's secrets masker.
    """

    template_fields: Sequence[str] = ("args",)
    ui_color = "#e8f4e8"

    def __init__(
        self,
        *,
        task_class: type,
        args: dict[str, Any] | None = None,
        secret_env: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.task_class = task_class
        self.args = args or {}
        self.secret_env = list(secret_env)

    def _register_secrets(self) -> None:
        masking.register(os.environ[name] for name in self.secret_env if name in os.environ)
        masking.register(masking.sensitive_values(self.args))

    def render_template_fields(self, context: Any, jinja_env: Any = None) -> None:
        self._register_secrets()
        super().render_template_fields(context, jinja_env)
        self._register_secrets()

    def execute(self, context: Any) -> None:
        self._register_secrets()
        name = getattr(self.task_class, "task_name", self.task_class.__name__.lower())
        if self.task_class().run(**self.args) is False:
            raise AirflowException(
                f"task type '{name}' reported failure (run() returned False); see the log above"
            )


@functools.lru_cache(maxsize=64)
def _file_folder(fileloc: str) -> str | None:
    """The folder of ``fileloc`` if it is a file; asked once per DAG file, not once per group."""
    return os.path.dirname(os.path.abspath(fileloc)) if os.path.isfile(fileloc) else None


def _owner_folder(group: TaskGroup) -> str:
    """The folder of the DAG file that builds the group (Airflow's own working directory is arbitrary)."""
    fileloc = getattr(group.dag, "fileloc", None) if group.dag is not None else None
    folder = _file_folder(fileloc) if fileloc else None
    if folder is not None:
        return folder
    frame = sys._getframe(2)
    return os.path.dirname(os.path.abspath(frame.f_code.co_filename))


class HoconTaskGroup(TaskGroup):
    """A task group whose tasks come from a HOCON config (the seed's ``simple_tasker`` format).

    The whole config is validated when the DAG file is parsed: one :class:`HoconConfigError`
    lists every problem, so the UI shows it as this DAG's import error and other DAGs load.

    :param group_id: the task group's id.
    :param config: path of the ``.conf`` file; a relative path is resolved against the folder of
        the DAG file, which is also ``${CWD}``.
    :param variables: extra values for ``${NAME}`` substitutions (``os.environ`` is untouched).
    :param task_modules: modules to import so their :class:`~airflow_provider_dataops.hocon.Task`
        subclasses register themselves.
    :param engine: ``"zig-hocon"`` or ``"pyhocon"``; default ``$DATAOPS_HOCON_ENGINE``, else zig-hocon.
    """

    def __init__(
        self,
        group_id: str,
        config: str | Path,
        variables: Mapping[str, Any] | None = None,
        task_modules: Sequence[str] | None = None,
        engine: str | None = None,
        **task_group_kwargs: Any,
    ) -> None:
        super().__init__(group_id=group_id, **task_group_kwargs)
        folder = _owner_folder(self)
        path = Path(folder, config)
        loaded, files = load_config_files(path, variables, cwd=folder, engine=engine)
        secret_env = masking.referenced_env_names(
            (f.text for f in files), {*loaded, *(variables or {}), *BUILTIN_NAMES}
        )
        specs, problems = validate_config(
            loaded,
            str(path),
            task_modules=task_modules or (),
            airflow_args=operator_arg_names(),
            files=files,
        )
        if problems:
            raise HoconConfigError(problems)
        self.config_path = path
        operators: dict[str, BaseOperator] = {}
        classes: dict[str, type] = {}
        upstream = upstream_ids(specs)
        waiting: dict[str, list[BaseOperator]] = {}
        """Upstream id -> tasks already built that wait for it (a ``depends_on`` naming a later task)."""
        with self:
            for spec in specs:
                assert spec.task_type is not None
                cls = classes.get(spec.type_name) or classes.setdefault(spec.type_name, spec.task_type.load())
                try:
                    kwargs = _airflow_kwargs(spec.airflow)
                    if spec.task_type.is_operator:
                        task = cls(task_id=spec.task_id, **spec.args, **kwargs)
                    else:
                        task = HoconTaskOperator(
                            task_id=spec.task_id,
                            task_class=cls,
                            args=spec.args,
                            secret_env=secret_env,
                            **kwargs,
                        )
                except (TypeError, ValueError) as exc:
                    problems.append(f"{path}: tasks[{spec.index}] ({spec.task_id}): {exc}")
                    continue
                operators[spec.task_id] = task
                _link(task, upstream[spec.task_id], operators, waiting)
                if downstream := waiting.pop(spec.task_id, None):
                    task.set_downstream(downstream)
        if problems:
            raise HoconConfigError(problems)


def _link(
    task: BaseOperator,
    upstream: list[str],
    built: Mapping[str, BaseOperator],
    waiting: dict[str, list[BaseOperator]],
) -> None:
    """Set ``task``'s upstream tasks that are built; the others wait in ``waiting``.

    Each edge is set as soon as both of its tasks exist, as a hand-written DAG does. Airflow hashes
    the whole DAG, all its task ids included, on every ``set_upstream``: linking every edge after
    the last task is built hashes the full DAG each time, twice the work of linking as it grows.
    """
    ready = []
    for up in upstream:
        if up in built:
            ready.append(built[up])
        else:
            waiting.setdefault(up, []).append(task)
    if ready:
        task.set_upstream(ready)
