"""The two HOCON engines behind :func:`~airflow_provider_dataops.hocon.load_config`.

Both take the files :mod:`.includes` has checked and return the resolved config as plain JSON
types, with ``variables`` visible to substitutions as top-level values below the config's own
keys and above the environment (``os.environ`` is read, never written). Each turns its own
errors into one ``FILE:LINE:COL: message`` line. pyhocon's half is in :mod:`.engine_pyhocon`,
imported only when that engine is chosen.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from airflow_provider_dataops.hocon.errors import HoconConfigError
from airflow_provider_dataops.hocon.includes import SourceFile, substitutions
from airflow_provider_dataops.hocon.settings import PYHOCON

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_SUBSTITUTION = re.compile(r"\$\{\??[^}]*\}")


def _referenced_environment(files: list[SourceFile]) -> dict[str, str]:
    """The environment variables a substitution in ``files`` could read.

    Handing zig-hocon only these, not all of ``os.environ``, saves encoding the whole
    environment on every load; a substitution can only ever read the name it spells.
    """
    if any(not read for source in files for read in source.includes.values()):
        return dict(os.environ)  # a URL or package include: its text is not here to look at
    names: set[str] = set()
    for source in files:
        for body in substitutions(source.text):
            name = body.strip(" \t")
            names.update((name, name.strip('"')))
    environ = os.environ
    return {name: environ[name] for name in names if name in environ}


_WORDS = {"TooDeep": "nested too deeply", "InvalidUtf8": "not UTF-8 text"}


def _json(value: Any) -> str:
    """``json.dumps(value, default=str)``; a string takes json's fast path (no encoder built per call)."""
    return json.dumps(value) if isinstance(value, str) else json.dumps(value, default=str)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return json.loads(json.dumps(value, default=str))


def _without_variables(result: dict[str, Any], variables: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the top-level keys that are only the variables themselves (the config did not set them)."""
    return {k: v for k, v in result.items() if k not in variables or v != _jsonable(variables[k])}


def _near(source_line: str | None, column: int | None) -> str:
    if not source_line:
        return ""
    start = max(0, (column or 1) - 1 - 30)
    snippet = source_line[start : start + 60].strip()
    if start or len(source_line) > start + 60:
        snippet = f"...{snippet}..." if start else f"{snippet}..."
    return f" (near {snippet!r})"


def _zig_problem(exc: Any, top: Path) -> str:
    name = exc.name or type(exc).__name__
    words = _WORDS.get(name) or _CAMEL.sub(" ", name).lower()
    if not exc.line:
        return f"{exc.file or top}: {words}: {str(exc).splitlines()[0]}"
    if name == "Unresolved":
        found = _SUBSTITUTION.search(exc.source_line or "", max(0, exc.column - 1))
        what = f"unresolved substitution {found.group(0)}" if found else "unresolved substitution"
    elif (
        type(exc).__name__ == "ConfigParseException" and not name.startswith("Include") and name not in _WORDS
    ):
        what = f"syntax error: {words}"
    else:
        what = words
    return f"{exc.file or top}:{exc.line}:{exc.column}: {what}{_near(exc.source_line, exc.column)}"


def _write_variables(items: Iterable[tuple[str, Any]]) -> str:
    return "".join(f"{json.dumps(str(name))}: {_json(value)}\n" for name, value in items)


_written_variables = functools.lru_cache(maxsize=64)(_write_variables)
"""Keyed by the variables themselves: every config of a DAG file has the same ``CWD``, ``PLATFORM``
and ``TODAY``."""


def _variables_text(variables: Mapping[str, Any]) -> str:
    """The variables as HOCON top-level keys; memoised only when every name and value is a
    ``str`` (``1``, ``1.0`` and ``True`` are equal keys, but are written differently)."""
    items = tuple(variables.items())
    if all(type(name) is str and type(value) is str for name, value in items):
        return _written_variables(items)
    return _write_variables(items)


def parse_zig(files: list[SourceFile], variables: Mapping[str, Any]) -> dict[str, Any]:
    """zig-hocon: the variables are written as top-level keys before an include of the config."""
    from zig_hocon import ConfigException, ConfigFactory

    path = files[0].path
    try:
        tree = ConfigFactory.parse_string(
            f"{_variables_text(variables)}include {json.dumps(str(path))}\n",
            basedir=str(path.parent),
            env=_referenced_environment(files) or None,
        )
        result = tree.as_dict()
    except ConfigException as exc:
        raise HoconConfigError([_zig_problem(exc, path)]) from None
    if not isinstance(result, dict):
        raise HoconConfigError([f"{path}: the top level must be an object"])
    return _without_variables(result, variables)


def parse(engine: str, files: list[SourceFile], variables: Mapping[str, Any]) -> dict[str, Any]:
    """Resolve the config ``files[0]`` (its includes follow it) with ``engine``."""
    if engine == PYHOCON:
        from airflow_provider_dataops.hocon.engine_pyhocon import parse_pyhocon

        return parse_pyhocon(files, variables)
    return parse_zig(files, variables)
