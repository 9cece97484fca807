"""The pyhocon engine (:func:`parse_pyhocon`), imported only when it is chosen: zig-hocon's
loads, the default, need none of this."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from airflow_provider_dataops.hocon.engines import _near, _without_variables
from airflow_provider_dataops.hocon.errors import HoconConfigError
from airflow_provider_dataops.hocon.includes import SourceFile


def _pyhocon_value(value: Any) -> str:
    """pyhocon turns ``30s`` into a timedelta, or a dateutil relativedelta: written as ``str(timedelta)``."""
    if type(value).__name__ == "relativedelta" and not (value.years or value.months):
        value = timedelta(
            days=value.days,
            hours=value.hours,
            minutes=value.minutes,
            seconds=value.seconds,
            microseconds=value.microseconds,
        )
    return str(value)


def _drop_nulls_in_lists(value: Any) -> Any:
    """pyhocon leaves ``${?UNSET}`` in a list as null; HOCON means "no element"."""
    if isinstance(value, dict):
        return {k: _drop_nulls_in_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_drop_nulls_in_lists(v) for v in value if v is not None]
    return value


def _locate_syntax_error(files: list[SourceFile]) -> str:
    """pyparsing errors carry no file name: parse each file on its own to find the broken one.

    ``files`` is in reading order (includers before includes), so reversed, a broken file is
    tried before every file that includes it.
    """
    import pyparsing
    from pyhocon import ConfigFactory

    for source in reversed(files):
        try:
            ConfigFactory.parse_string(source.text, basedir=str(source.path.parent), resolve=False)
        except pyparsing.ParseBaseException as exc:
            return f"{source.path}:{exc.lineno}:{exc.col}: syntax error{_near(exc.line, exc.col)}"
        except Exception:  # noqa: S112  (another file's problem: keep looking for the syntax error)
            continue
    return f"{files[0].path}: syntax error"


def parse_pyhocon(files: list[SourceFile], variables: Mapping[str, Any]) -> dict[str, Any]:
    """pyhocon: the variables are a fallback config merged under the parsed one."""
    import pyparsing
    from pyhocon import ConfigFactory, ConfigTree
    from pyhocon.exceptions import ConfigException

    top = files[0]
    try:
        tree = ConfigFactory.parse_string(top.text, basedir=str(top.path.parent), resolve=False)
        resolved = tree.with_fallback(ConfigFactory.from_dict(dict(variables)), resolve=True)
        if not isinstance(resolved, ConfigTree):
            raise HoconConfigError([f"{top.path}: the top level must be an object"])
        plain = json.loads(json.dumps(resolved.as_plain_ordered_dict(), default=_pyhocon_value))
    except pyparsing.ParseBaseException:
        raise HoconConfigError([_locate_syntax_error(files)]) from None
    except RecursionError:
        raise HoconConfigError([f"{top.path}: nested too deeply for pyhocon"]) from None
    except (ConfigException, UnicodeDecodeError, OSError) as exc:
        raise HoconConfigError([f"{top.path}: {exc}"]) from None
    result: dict[str, Any] = _drop_nulls_in_lists(_without_variables(plain, variables))
    return result
