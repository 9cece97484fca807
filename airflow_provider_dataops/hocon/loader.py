"""Load a HOCON config, resolved, with zig-hocon (default) or pyhocon.

There is no resolved-config cache: zig-hocon resolves a 1 MB config in well under the 0.3 s
target (``bench/bench_hocon.py``), so every load reads the files as they are now.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from datetime import date
from typing import Any

from airflow_provider_dataops.hocon import engines, settings
from airflow_provider_dataops.hocon.errors import HoconConfigError
from airflow_provider_dataops.hocon.includes import SourceFile, read_config_files

BUILTIN_NAMES = frozenset({"CWD", "PLATFORM", "TODAY"})
"""The names :func:`builtin_variables` sets."""


def builtin_variables(cwd: str | os.PathLike[str]) -> dict[str, str]:
    """The seed's ``CWD`` (folder of the file owning the config), ``PLATFORM`` and ``TODAY``."""
    return {"CWD": str(cwd), "PLATFORM": platform.system().lower(), "TODAY": date.today().strftime("%Y%m%d")}


def load_config_files(
    path: str | os.PathLike[str],
    variables: Mapping[str, Any] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    engine: str | None = None,
) -> tuple[dict[str, Any], list[SourceFile]]:
    """:func:`load_config`, plus every file read (the config first), for validation messages."""
    chosen = settings.engine(engine)
    config_path = os.path.abspath(path)
    if not os.path.isfile(config_path):
        raise HoconConfigError([f"{config_path}: config file not found"])
    owner = cwd if cwd is not None else os.path.dirname(config_path)
    merged = {**builtin_variables(owner), **(variables or {})}
    files = read_config_files(
        config_path,
        engine=chosen,
        allow_urls=settings.allow_url_includes(),
        max_bytes=settings.max_bytes(),
    )
    return engines.parse(chosen, files, merged), files


def load_config(
    path: str | os.PathLike[str],
    variables: Mapping[str, Any] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    engine: str | None = None,
) -> dict[str, Any]:
    """Parse and resolve ``path``; raise :class:`HoconConfigError` naming file, line and column.

    ``variables`` (and the built-in ``CWD``, ``PLATFORM``, ``TODAY``) are visible to substitutions
    as top-level values, below the config's own keys and above the environment; ``os.environ`` is
    never modified. ``cwd`` is the value of ``${CWD}``: the folder of the DAG file that owns the
    config, or the config's own folder. ``engine`` is ``"zig-hocon"`` or ``"pyhocon"``; without it,
    ``$DATAOPS_HOCON_ENGINE``, else zig-hocon.
    """
    return load_config_files(path, variables, cwd=cwd, engine=engine)[0]
