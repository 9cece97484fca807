"""The HOCON settings a deployment can change, read from the environment at each load.

Environment variables, not Airflow config, so ``dataops validate`` on a laptop and the
dag-processor read them the same way and this package imports no Airflow.
"""

from __future__ import annotations

import os

from airflow_provider_dataops.hocon.errors import HoconConfigError

ZIG_HOCON = "zig-hocon"
PYHOCON = "pyhocon"
ENGINES = (ZIG_HOCON, PYHOCON)
DEFAULT_ENGINE = ZIG_HOCON

ENGINE_ENV = "DATAOPS_HOCON_ENGINE"
"""``zig-hocon`` (default) or ``pyhocon``; an explicit ``engine=`` / ``--engine`` wins."""
ALLOW_URL_INCLUDES_ENV = "DATAOPS_HOCON_ALLOW_URL_INCLUDES"
"""``true`` lets ``include url(...)`` (and ``include "http://..."``) fetch; refused otherwise."""
MAX_BYTES_ENV = "DATAOPS_HOCON_MAX_BYTES"
"""Largest config, with everything it includes, in bytes; ``0`` for no limit."""
DEFAULT_MAX_BYTES = 16 * 1024 * 1024

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def engine(explicit: str | None = None) -> str:
    """The engine to use: ``explicit`` if given, else ``$DATAOPS_HOCON_ENGINE``, else zig-hocon."""
    source = "engine" if explicit else ENGINE_ENV
    value = explicit or os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE
    name = value.strip().lower()
    if name not in ENGINES:
        raise HoconConfigError(
            [f"{source}={value!r}: unknown HOCON engine (expected {' or '.join(ENGINES)})"]
        )
    return name


def allow_url_includes() -> bool:
    value = os.environ.get(ALLOW_URL_INCLUDES_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise HoconConfigError([f"{ALLOW_URL_INCLUDES_ENV}={value!r}: expected true or false"])


def max_bytes() -> int:
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    if not value.isdigit():
        raise HoconConfigError([f"{MAX_BYTES_ENV}={value!r}: expected a number of bytes (0: no limit)"])
    return int(value)
