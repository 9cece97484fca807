"""Load a HOCON config with pyhocon, resolved, and cache the result keyed by everything it depends on.

pyhocon is slow (seconds for a few hundred KB) and the dag-processor re-parses DAG files every
30 s, so the resolved config is stored as JSON under a key made of the content of the file and
every file it includes, the variables, and the environment variables it references. A warm load
costs reading those files, a hash and a JSON read.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from airflow_provider_dataops.hocon.errors import HoconConfigError

CACHE_DIR_ENV = "DATAOPS_HOCON_CACHE_DIR"
"""Folder of the resolved-config cache; ``off`` disables the cache."""
CACHE_FORMAT = 1

_INCLUDE = re.compile(
    r'^[ \t]*include[ \t]+(required[ \t]*\([ \t]*)?(?:(file|url|classpath|package)[ \t]*\([ \t]*)?"([^"]*)"',
    re.MULTILINE,
)
_SUBSTITUTION = re.compile(r"\$\{\??[ \t]*([^}\s]+)[ \t]*\}")


def builtin_variables(cwd: str | os.PathLike[str]) -> dict[str, str]:
    """The seed's ``CWD`` (folder of the file owning the config), ``PLATFORM`` and ``TODAY``."""
    return {"CWD": str(cwd), "PLATFORM": platform.system().lower(), "TODAY": date.today().strftime("%Y%m%d")}


def cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return None if configured.lower() == "off" else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "airflow-provider-dataops" / "hocon"


def _include_tree(path: Path) -> tuple[list[tuple[Path, bytes]], list[str]]:
    """Every file the config reads (depth first, includes before their includer) and missing includes."""
    files: list[tuple[Path, bytes]] = []
    problems: list[str] = []
    seen: set[Path] = set()

    def visit(current: Path) -> None:
        seen.add(current)
        content = current.read_bytes()
        text = content.decode("utf-8", errors="replace")
        for match in _INCLUDE.finditer(text):
            kind, target = match.group(2), match.group(3)
            if kind in ("url", "classpath", "package") or target.startswith(
                ("http://", "https://", "file://")
            ):
                continue
            if "*" in target or "?" in target:
                continue
            included = Path(os.path.normpath(current.parent / target))
            if included in seen:
                continue
            if not os.path.isfile(included):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{current}:{line}: included file '{target}' not found ({included})")
                continue
            visit(included)
        files.append((current, content))

    visit(path)
    return files, problems


def _cache_key(files: list[tuple[Path, bytes]], variables: Mapping[str, Any]) -> str:
    referenced = set()
    for _, content in files:
        referenced.update(_SUBSTITUTION.findall(content.decode("utf-8", errors="replace")))
    env = {name: os.environ.get(name) for name in sorted(referenced) if name not in variables}
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_FORMAT, sorted(variables.items()), env], default=str).encode())
    for file, content in files:
        digest.update(str(file).encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def _drop_nulls_in_lists(value: Any) -> Any:
    """pyhocon leaves ``${?UNSET}`` in a list as null; HOCON means "no element"."""
    if isinstance(value, dict):
        return {k: _drop_nulls_in_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_drop_nulls_in_lists(v) for v in value if v is not None]
    return value


def _locate_syntax_error(files: list[tuple[Path, bytes]]) -> str:
    """pyparsing errors carry no file name: parse each file, includes first, to find the broken one."""
    import pyparsing
    from pyhocon import ConfigFactory

    for file, content in files:
        try:
            ConfigFactory.parse_string(content.decode("utf-8"), basedir=str(file.parent), resolve=False)
        except pyparsing.ParseBaseException as exc:
            return f"{file}:{exc.lineno}:{exc.col}: syntax error: {exc.msg} (near {exc.line.strip()!r})"
        except UnicodeDecodeError as exc:
            return f"{file}: not UTF-8 text: {exc}"
    return f"{files[-1][0]}: syntax error"


def _parse(path: Path, files: list[tuple[Path, bytes]], variables: Mapping[str, Any]) -> dict[str, Any]:
    import pyparsing
    from pyhocon import ConfigFactory, ConfigTree
    from pyhocon.exceptions import ConfigException

    try:
        tree = ConfigFactory.parse_string(
            files[-1][1].decode("utf-8"), basedir=str(path.parent), resolve=False
        )
        resolved = tree.with_fallback(ConfigFactory.from_dict(dict(variables)), resolve=True)
    except pyparsing.ParseBaseException:
        raise HoconConfigError([_locate_syntax_error(files)]) from None
    except UnicodeDecodeError as exc:
        raise HoconConfigError([f"{path}: not UTF-8 text: {exc}"]) from None
    except ConfigException as exc:
        raise HoconConfigError([f"{path}: {exc}"]) from None
    if not isinstance(resolved, ConfigTree):
        raise HoconConfigError([f"{path}: the top level must be an object"])
    own_keys = set(tree.keys())
    plain = json.loads(json.dumps(resolved.as_plain_ordered_dict(), default=str))
    result: dict[str, Any] = _drop_nulls_in_lists(
        {k: v for k, v in plain.items() if k in own_keys or k not in variables}
    )
    return result


def load_config(
    path: str | os.PathLike[str],
    variables: Mapping[str, Any] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Parse and resolve ``path``; raise :class:`HoconConfigError` naming file, line and column.

    ``variables`` (and the built-in ``CWD``, ``PLATFORM``, ``TODAY``) are visible to substitutions
    as top-level values, below the config's own keys and above the environment; ``os.environ`` is
    never modified. ``cwd`` is the value of ``${CWD}``: the folder of the DAG file that owns the
    config, or the config's own folder.
    """
    config_path = Path(os.path.abspath(path))
    if not os.path.isfile(config_path):
        raise HoconConfigError([f"{config_path}: config file not found"])
    merged = {**builtin_variables(cwd if cwd is not None else config_path.parent), **(variables or {})}
    files, problems = _include_tree(config_path)
    if problems:
        raise HoconConfigError(problems)
    folder = cache_dir() if use_cache else None
    cache_file = folder / f"{_cache_key(files, merged)}.json" if folder else None
    if cache_file is not None:
        try:
            cached: dict[str, Any] = json.loads(cache_file.read_text())
            return cached
        except (OSError, ValueError):
            pass
    result = _parse(config_path, files, merged)
    if cache_file is not None:
        _store(cache_file, result)
    return result


def _store(cache_file: Path, result: dict[str, Any]) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_file.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as out:
            json.dump(result, out)
        os.replace(tmp, cache_file)
    except OSError:
        pass
