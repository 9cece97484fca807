"""Secrets in task args: find them, register them with Airflow's masker, redact them locally.

No Airflow import at module level: :func:`register` imports ``mask_secret`` lazily and, outside
Airflow, only keeps the values for :func:`redact`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from airflow_provider_dataops.hocon.includes import substitutions

SENSITIVE_WORDS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "key",
    "dsn",
    "credential",
    "authorization",
)
"""A name containing one of these (case-insensitive) holds a secret."""

_URL_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://([^\s/@:]*)(?::([^\s/@]*))?@")
MASK = "***"
MIN_SUBSTRING_LENGTH = 5
"""Shorter secrets are masked only where they are a whole value (Airflow's masker skips them too)."""

_known: set[str] = set()


def looks_sensitive(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_WORDS)


def url_secrets(text: str) -> set[str]:
    """The password of every ``scheme://user:password@`` in ``text`` (the user, if no password)."""
    found = set()
    for match in _URL_USERINFO.finditer(text):
        user, password = match.group(1), match.group(2)
        if password:
            found.add(password)
        elif user:
            found.add(user)
    return found


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def argv_secrets(argv: Iterable[Any]) -> set[str]:
    """Values of ``--password X``, ``--token=X``, ``API_KEY=X`` style arguments, and URL passwords."""
    found: set[str] = set()
    items = [str(a) for a in argv]
    for index, item in enumerate(items):
        found |= url_secrets(item)
        name, equals, value = item.lstrip("-").partition("=")
        if not looks_sensitive(name):
            continue
        if equals:
            found.add(value)
        elif item.startswith("-") and index + 1 < len(items) and not items[index + 1].startswith("-"):
            found.add(items[index + 1])
    return {value for value in found if value}


def sensitive_values(args: Mapping[str, Any]) -> set[str]:
    """Every value under a sensitive-looking key, argv-style secrets in lists, and URL passwords."""
    found: set[str] = set()
    for key, value in args.items():
        if looks_sensitive(str(key)):
            for leaf in _leaves(value):
                found |= {leaf, *url_secrets(leaf)}
        elif isinstance(value, Mapping):
            found |= sensitive_values(value)
        elif isinstance(value, (list, tuple)):
            found |= argv_secrets(_leaves(value))
        elif isinstance(value, str):
            found |= url_secrets(value)
    return {value for value in found if value}


def register(values: Iterable[str]) -> None:
    """Mask these values in every later log line (Airflow's masker, when running under Airflow)."""
    new = {value for value in values if value} - _known
    if not new:
        return
    _known.update(new)
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:
        return
    for value in new:
        mask_secret(value)


def redact(text: str) -> str:
    """``***`` if ``text`` is a registered secret, else ``text`` with every secret of at least
    :data:`MIN_SUBSTRING_LENGTH` characters in it replaced by ``***`` (longest first)."""
    if text in _known:
        return MASK
    for secret in sorted(_known, key=len, reverse=True):
        if len(secret) >= MIN_SUBSTRING_LENGTH:
            text = text.replace(secret, MASK)
    return text


def referenced_env_names(texts: Iterable[str], config_names: Collection[str]) -> list[str]:
    """Environment variables a config's substitutions resolve from (names, never values).

    ``texts`` are the config and every file it includes, as the loader read them.

    A ``${NAME}`` / ``${?NAME}`` whose first path segment is not one of ``config_names`` (the
    config's own keys and the variables given to it) and that is set in the environment.
    """
    names: set[str] = set()
    for text in texts:
        for body in substitutions(text):
            name = body.strip()
            if not name or any(char.isspace() for char in name):
                continue
            name = name.strip("\"'")
            if name.split(".")[0] not in config_names and name in os.environ:
                names.add(name)
    return sorted(names)
