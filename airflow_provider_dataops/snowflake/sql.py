"""Snowflake SQL quoting (no Airflow import)."""

from __future__ import annotations

import re

_ON_ERROR_BARE = {"ABORT_STATEMENT", "CONTINUE", "SKIP_FILE"}
_ON_ERROR_QUOTED = re.compile(r"^SKIP_FILE_\d+%?$")


def quote_ident(name: str) -> str:
    """A double-quoted Snowflake identifier: case kept, ``"`` doubled, so any name is only a name."""
    return f'"{name}"' if '"' not in name else '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A single-quoted Snowflake string literal (Snowflake also treats ``\\`` as an escape)."""
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
        return inner.replace('""', '"')
    return name.upper()


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
