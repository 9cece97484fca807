"""Whole-config validation: every problem at once, each as ``FILE: tasks[i] (name): message``."""

from __future__ import annotations

import functools
import inspect
import re
import types
import typing
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_dataops.hocon.includes import SourceFile
from airflow_provider_dataops.hocon.registry import (
    OPERATOR_OWN_ARGS,
    TaskRegistry,
    TaskType,
    TaskTypeImportError,
    registry,
)

TASK_KEYS = frozenset({"name", "args", "id", "depends_on", "airflow"})
_TASK_ID = re.compile(r"^[\w.-]{1,250}$")


@dataclass
class TaskSpec:
    """One validated entry of ``tasks``."""

    index: int
    type_name: str
    task_id: str
    args: dict[str, Any]
    depends_on: list[str] | None
    airflow: dict[str, Any] = field(default_factory=dict)
    task_type: TaskType | None = None


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _accept(value: Any) -> bool:
    return True


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


@functools.cache
def _checker(hint: Any) -> typing.Callable[[Any], bool]:
    """A loose isinstance for one annotation, built once: validation runs it for every arg of every
    task. HOCON values are JSON types, and a Jinja string fits anything (it is rendered at run time),
    so the test accepts those too."""
    test = _type_test(hint)
    if test is _accept or test is _is_str:  # a template passes these already
        return test
    return lambda value: test(value) or _is_template(value)


def _type_test(hint: Any) -> typing.Callable[[Any], bool]:
    """The test for one annotation on HOCON's JSON values; :func:`_checker` adds templates."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return _accept
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        plain = tuple(m for m in members if _plain_type(m))
        rest = _any_of([_type_test(m) for m in members if not _plain_type(m) and m is not type(None)])
        none_ok = type(None) in members
        return lambda value: isinstance(value, plain) or (value is None and none_ok) or rest(value)
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        return lambda value: value in allowed
    if hint is None or hint is type(None):
        return lambda value: value is None
    if origin in (list, tuple, set, frozenset, Collection, typing.Sequence):
        args = typing.get_args(hint)
        if not args:
            return lambda value: isinstance(value, list)
        item = _checker(args[0])
        return lambda value: isinstance(value, list) and all(map(item, value))
    if origin in (dict, Mapping):
        return lambda value: isinstance(value, dict)
    if hint is float:
        return _is_number
    if hint is int:
        return _is_int
    if hint is str:
        return _is_str
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    return _accept


def _any_of(tests: list[typing.Callable[[Any], bool]]) -> typing.Callable[[Any], bool]:
    if len(tests) == 1:
        return tests[0]
    return lambda value: any(test(value) for test in tests)


def _plain_type(hint: Any) -> bool:
    """A class whose isinstance is the whole test (``int``/``float`` and ``None`` have their own rules)."""
    return isinstance(hint, type) and typing.get_origin(hint) is None and hint not in (int, float, type(None))


def _describe(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


@dataclass(frozen=True)
class _ArgSpec:
    """What a type's ``args`` must match, worked out once per ``run()`` / ``__init__``."""

    required: tuple[str, ...]
    named: frozenset[str]
    checks: dict[str, tuple[Any, typing.Callable[[Any], bool], bool]]
    """Annotated parameter name -> (hint, test, ``None`` allowed because it is the default)."""
    accepts_any: bool


@functools.cache
def _arg_spec(func: Any, is_operator: bool) -> _ArgSpec:
    skip = OPERATOR_OWN_ARGS if is_operator else {"self"}
    params = [p for p in inspect.signature(func).parameters.values() if p.name not in skip]
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        hints = {}
    variadic = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    named = [p for p in params if p.kind not in variadic]
    return _ArgSpec(
        required=tuple(p.name for p in named if p.default is inspect.Parameter.empty),
        named=frozenset(p.name for p in named),
        checks={
            p.name: (hints[p.name], _checker(hints[p.name]), p.default is None)
            for p in named
            if hints.get(p.name) is not None
        },
        accepts_any=not is_operator and any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params),
    )


def _check_args(args: Mapping[str, Any], arg_spec: _ArgSpec) -> list[str]:
    problems = [f"missing mandatory arg '{name}'" for name in arg_spec.required if name not in args]
    for name, value in args.items():
        check = arg_spec.checks.get(name)
        if check is None:
            if name not in arg_spec.named and not arg_spec.accepts_any:
                known = ", ".join(sorted(arg_spec.named)) or "none"
                problems.append(f"unknown arg '{name}' (known: {known})")
            continue
        hint, test, none_allowed = check
        if value is None and none_allowed:
            continue
        if not test(value):
            problems.append(f"arg '{name}' must be {_describe(hint)}, got {type(value).__name__} {value!r}")
    return problems


class _Types:
    """The registry's answers for one validation: each type name looked up, and its signature
    worked out (or its import error), once rather than once per task."""

    def __init__(self, reg: TaskRegistry) -> None:
        self.reg = reg
        self.found: dict[str, TaskType | None] = {}
        self.arg_specs: dict[str, _ArgSpec | TaskTypeImportError] = {}

    def get(self, type_name: str) -> TaskType | None:
        if type_name not in self.found:
            self.found[type_name] = self.reg.task_type(type_name) if self.reg.has(type_name) else None
        return self.found[type_name]

    def arg_spec(self, task_type: TaskType) -> _ArgSpec | TaskTypeImportError:
        if task_type.name not in self.arg_specs:
            try:
                self.arg_specs[task_type.name] = _arg_spec(task_type.callable(), task_type.is_operator)
            except TaskTypeImportError as exc:
                self.arg_specs[task_type.name] = exc
        return self.arg_specs[task_type.name]


def _cycles(specs: list[TaskSpec], upstream: Mapping[str, list[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets (one per back edge), each as ``[a, ..., a]``.

    Only edges between known, distinct ids count: unknown ids and self-dependencies are reported
    on their own, and must not hide a cycle among the others.
    """
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for up in upstream.get(node, []):
            if up == node or up not in upstream:
                continue
            if state.get(up) == 1:
                found.append([*stack[stack.index(up) :], up])
            elif up not in state:
                visit(up)
        stack.pop()
        state[node] = 2

    for spec in specs:
        if spec.task_id not in state:
            visit(spec.task_id)
    return found


def upstream_ids(specs: list[TaskSpec]) -> dict[str, list[str]]:
    """Each task's upstream ids: its ``depends_on``, or without one the previous task (the seed's order)."""
    result: dict[str, list[str]] = {}
    for i, spec in enumerate(specs):
        if spec.depends_on is not None:
            result[spec.task_id] = list(spec.depends_on)
        else:
            result[spec.task_id] = [specs[i - 1].task_id] if i else []
    return result


def validate_config(
    config: Mapping[str, Any],
    source: str,
    *,
    task_registry: TaskRegistry | None = None,
    task_modules: Collection[str] = (),
    airflow_args: Collection[str] | None = None,
    files: Sequence[SourceFile] = (),
) -> tuple[list[TaskSpec], list[str]]:
    """Check every task of a resolved config; return the task specs and every problem found.

    ``airflow_args`` are the names allowed in a task's ``airflow {}`` block (BaseOperator's
    arguments); ``None`` skips that check (no Airflow needed). ``files`` are the files the config
    was read from (``load_config_files``): a problem in a task written in an included file then
    also names that file and line.
    """
    reg = task_registry or registry
    try:
        reg.discover(task_modules)
    except ImportError as exc:
        return [], [f"{source}: task_modules: {exc}"]
    tasks = config.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        return [], [f"{source}: 'tasks' must be a non-empty list of tasks"]

    found: list[tuple[int, str, str]] = []
    """(task index, label, message): formatted at the end, when origins are known."""
    name_counts = Counter(t.get("name") if isinstance(t, dict) else None for t in tasks)
    types = _Types(reg)
    allowed_airflow = frozenset(airflow_args) if airflow_args is not None else None
    specs: list[TaskSpec] = []
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            found.append((i, "", f"must be an object with 'name' and 'args', got {type(task).__name__}"))
            continue
        type_name = task.get("name")
        if not isinstance(type_name, str) or not type_name:
            found.append((i, "", "'name' (the task type) is missing"))
            continue
        type_name = type_name.lower()
        spec, messages = _check_task(i, task, type_name, name_counts, types, allowed_airflow)
        if messages:
            label = str(task.get("id", type_name))
            found.extend((i, label, message) for message in messages)
        specs.append(spec)

    seen: dict[str, int] = {}
    for spec in specs:
        if spec.task_id in seen:
            found.append(
                (
                    spec.index,
                    spec.task_id,
                    f"duplicate task id '{spec.task_id}' (also tasks[{seen[spec.task_id]}])",
                )
            )
        else:
            seen[spec.task_id] = spec.index
    for spec in specs:
        for dep in spec.depends_on or []:
            if dep not in seen:
                found.append((spec.index, spec.task_id, f"depends_on unknown task id '{dep}'"))
            elif dep == spec.task_id:
                found.append((spec.index, spec.task_id, "depends on itself"))
    for cycle in _cycles(specs, upstream_ids(specs)):
        first = next(s for s in specs if s.task_id == cycle[0])
        found.append((first.index, first.task_id, f"depends_on cycle {' -> '.join(reversed(cycle))}"))
    return specs, _format(found, source, files, len(tasks))


def _format(
    found: list[tuple[int, str, str]], source: str, files: Sequence[SourceFile], count: int
) -> list[str]:
    origins: list[str | None] = [None] * count
    if found and len(files) > 1:
        from airflow_provider_dataops.hocon.origins import task_origins

        origins = task_origins(files, count)
    top = str(files[0].path) if files else None
    problems = []
    for index, label, message in found:
        where = f"{source}: tasks[{index}]" + (f" ({label})" if label else "")
        origin = origins[index]
        suffix = f" (defined at {origin})" if origin and not origin.startswith(f"{top}:") else ""
        problems.append(f"{where}: {message}{suffix}")
    return problems


def _check_task(
    index: int,
    task: dict[str, Any],
    type_name: str,
    name_counts: Counter[Any],
    types: _Types,
    airflow_args: frozenset[str] | None,
) -> tuple[TaskSpec, list[str]]:
    """One entry of ``tasks``: its spec and the problems of the entry itself."""
    found: list[str] = []
    if not TASK_KEYS.issuperset(task):
        for key in sorted(set(task) - TASK_KEYS):
            found.append(f"unknown key '{key}' (allowed: {', '.join(sorted(TASK_KEYS))})")
    args = task.get("args", {})
    if not isinstance(args, dict):
        found.append(f"'args' must be an object, got {type(args).__name__}")
        args = {}
    task_id = task.get("id")
    if task_id is None:
        task_id = type_name if name_counts[task.get("name")] == 1 else f"{type_name}_{index}"
    elif not isinstance(task_id, str) or not _TASK_ID.match(task_id):
        found.append(f"'id' {task_id!r} must be letters, digits, '_', '-' or '.'")
        task_id = str(task_id)
    depends_on = task.get("depends_on")
    if isinstance(depends_on, str):
        depends_on = [depends_on]
    if depends_on is not None and not (
        isinstance(depends_on, list) and all(isinstance(d, str) for d in depends_on)
    ):
        found.append("'depends_on' must be a list of task ids")
        depends_on = []
    airflow = task.get("airflow", {})
    if not isinstance(airflow, dict):
        found.append(f"'airflow' must be an object, got {type(airflow).__name__}")
        airflow = {}
    elif airflow and airflow_args is not None:
        for key in sorted(set(airflow) - airflow_args):
            found.append(f"unknown airflow operator argument '{key}'")
        for key in sorted(set(airflow) & {"task_id", "dag", "task_group"}):
            found.append(f"'airflow.{key}' cannot be set here")
    spec = TaskSpec(index, type_name, task_id, args, depends_on, airflow)
    task_type = types.get(type_name)
    if task_type is None:
        found.append(f"unknown task type '{type_name}' (registered: {', '.join(types.reg.registered())})")
    else:
        spec.task_type = task_type
        arg_spec = types.arg_spec(task_type)
        if isinstance(arg_spec, TaskTypeImportError):
            found.append(str(arg_spec))
        else:
            found.extend(_check_args(args, arg_spec))
    return spec, found
