"""Snowflake SQL quoting (no Airflow import)."""

from __future__ import annotations

import re

_ON_ERROR_BARE = {"ABORT_STATEMENT", "CONTINUE", "SKIP_FILE"}
_ON_ERROR_QUOTED = re.compile(r"^SKIP_FILE_\d+%?$")
#: Control characters (NUL, newlines, ...): refused in every name and literal that enters SQL.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r"[\\\x00-\x1f\x7f]")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a quoted identifier in a script, or ``None`` if it can.

    ``snowflake.connector.util_text.split_statements`` (behind ``execute_string``, SnowSQL and
    ``SnowflakeHook.run(split_statements=True)``) reads ``\\"`` inside a quoted identifier as an
    escaped quote, so a name holding a backslash can end the identifier anywhere later; control
    characters (NUL, newlines) are refused too. No quoting makes these safe, so they are refused.
    """
    found = _UNSAFE_NAME.search(name)
    if found is None:
        return None
    char = found.group()
    return "contains a backslash" if char == "\\" else f"contains the control character {char!r}"


def quote_ident(name: str) -> str:
    """A double-quoted Snowflake identifier: case kept, ``"`` doubled, so any name is only a name."""
    problem = name_problem(name)
    if problem:
        raise ValueError(f"identifier {name!r} {problem}")
    return f'"{name}"' if '"' not in name else '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A single-quoted Snowflake string literal (Snowflake also treats ``\\`` as an escape)."""
    found = CONTROL_CHARS.search(value)
    if found:
        raise ValueError(f"value {value!r} contains the control character {found.group()!r}")
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def user_ident(name: str, what: str) -> str:
    """A user-given database / schema / table / integration name as Snowflake would resolve it.

    Like an unquoted identifier, ``orders`` means ``ORDERS``; a name written in double quotes
    (``'"MixedCase"'``) is kept exactly. The result is always emitted quoted.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{what} name must be a non-empty string, got {name!r}")
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        inner = name[1:-1]
        if not inner or re.search(r'(?<!")"(?!")', inner.replace('""', "")):
            raise ValueError(f"{what} name {name!r} is not a valid quoted identifier")
        resolved = inner.replace('""', '"')
    else:
        resolved = name.upper()
    problem = name_problem(resolved)
    if problem:
        raise ValueError(f"{what} name {name!r} {problem}")
    return resolved


def on_error_clause(on_error: str) -> str:
    """``ON_ERROR=...`` for COPY; only Snowflake's documented values are accepted."""
    value = str(on_error).strip().upper()
    if value in _ON_ERROR_BARE:
        return f"ON_ERROR={value}"
    if _ON_ERROR_QUOTED.match(value):
        return f"ON_ERROR={quote_literal(value)}"
    raise ValueError(
        f"on_error={on_error!r} is not one of ABORT_STATEMENT, CONTINUE, SKIP_FILE, SKIP_FILE_<n>,"
        " SKIP_FILE_<n>%"
    )


def comment(text: str) -> str:
    """A one-line ``--`` comment that no name can break out of."""
    return "-- " + re.sub(r"[\r\n\x00-\x1f]", " ", text)
