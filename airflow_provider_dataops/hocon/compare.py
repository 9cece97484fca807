"""Where two resolved configs differ: for ``dataops validate --compare-engines``."""

from __future__ import annotations

import json
import re
from typing import Any

ABSENT = object()
"""A key one side does not have."""

_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(path: str, key: str) -> str:
    part = key if _SIMPLE_KEY.match(key) else json.dumps(key)
    return f"{path}.{part}" if path else part


def differences(left: Any, right: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every place ``left`` and ``right`` differ, as (HOCON path, left value, right value).

    Objects are compared key by key and lists of equal length element by element (``tasks[3]``),
    so one changed value is reported where it is, not as its whole enclosing list. Types count:
    ``1`` and ``"1"`` differ, and so do ``1`` and ``true``.
    """
    if isinstance(left, dict) and isinstance(right, dict):
        found: list[tuple[str, Any, Any]] = []
        for key in [*left, *(k for k in right if k not in left)]:
            found += differences(left.get(key, ABSENT), right.get(key, ABSENT), _key(path, key))
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        found = []
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            found += differences(a, b, f"{path}[{i}]")
        return found
    if type(left) is type(right) and left == right:
        return []
    return [(path or "(root)", left, right)]


def show(value: Any) -> str:
    """A value as JSON, or ``(absent)``."""
    return "(absent)" if value is ABSENT else json.dumps(value, ensure_ascii=False)
