"""The seed's ``$name`` / ``${name}`` query templating, made safe for SQL.

The seed used :class:`string.Template`, which pastes values verbatim, so a value such as
``x' OR '1'='1`` ended its string literal. Here the query is scanned like SQL:

* inside a single-quoted literal a value has its quotes doubled, so it stays inside;
* inside a double-quoted identifier its double quotes are doubled;
* outside both only numbers and plain (dotted) identifiers are pasted, e.g. a resource name
  in ``FROM google.compute.$resource``; anything else is refused (put it in quotes);
* comments are copied untouched; ``$$`` is a literal ``$``; a ``$`` not followed by an
  identifier (``'$.a'``, ``$1``) is left alone; an undefined name raises
  :class:`StackQLTemplateError` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(rf"\$\$|\$\{{(?P<braced>{_NAME})\}}|\$(?P<named>{_NAME})|--|/\*|'|\"")
_BARE_VALUE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


class StackQLTemplateError(ValueError):
    """A ``$name`` in a StackQL query could not be expanded safely."""


def expand(query: str, variables: Mapping[str, Any]) -> str:
    """Return ``query`` with ``$name`` / ``${name}`` replaced by values from ``variables``."""
    out: list[str] = []
    pos = 0
    quote: str | None = None
    while True:
        match = _TOKEN.search(query, pos)
        if match is None:
            out.append(query[pos:])
            return "".join(out)
        out.append(query[pos : match.start()])
        lexeme = match.group(0)
        pos = match.end()
        if lexeme == "$$":
            out.append("$")
        elif lexeme in ("'", '"'):
            out.append(lexeme)
            if quote is None:
                quote = lexeme
            elif quote == lexeme:
                if query.startswith(lexeme, pos):  # doubled quote: still inside
                    out.append(lexeme)
                    pos += 1
                else:
                    quote = None
        elif lexeme in ("--", "/*"):
            if quote is not None:
                out.append(lexeme)
                continue
            end = query.find("\n" if lexeme == "--" else "*/", pos)
            end = len(query) if end < 0 else end + (1 if lexeme == "--" else 2)
            out.append(lexeme + query[pos:end])
            pos = end
        else:
            name = match.group("braced") or match.group("named")
            out.append(_render(name, variables, quote))


def _render(name: str, variables: Mapping[str, Any], quote: str | None) -> str:
    if name not in variables:
        raise StackQLTemplateError(f"StackQL query uses ${name}, which is not defined")
    value = variables[name]
    if value is None:
        raise StackQLTemplateError(f"StackQL query uses ${name}, which is None")
    text = str(value)
    if "\x00" in text:
        raise StackQLTemplateError(f"${name} contains a NUL character, which SQL text cannot hold")
    if quote is not None:
        return text.replace(quote, quote + quote)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return text
    if isinstance(value, str) and _BARE_VALUE.match(value):
        return value
    raise StackQLTemplateError(
        f"${name} is outside quotes and its value {text[:40]!r} is not a number or plain name; "
        f"write '${name}' to use it as a string"
    )
