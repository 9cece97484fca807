"""The seed's ``$name`` / ``${name}`` query templating, made safe for SQL.

The seed used :class:`string.Template`, which pastes values verbatim, so a value such as
``x' OR '1'='1`` ended its string literal. Here the query is scanned with the lexical rules of
the dialect it is sent to, so no value can change the token structure around it:

* inside a string literal a value is escaped as that literal needs: StackQL (its parser is
  vitess-derived, MySQL-style) reads ``\\`` as an escape in ``'...'``, so backslashes are
  doubled as well as quotes; PostgreSQL's ``E'...'`` likewise; in PostgreSQL's plain
  ``'...'`` (and ``U&'...'``) a backslash means one thing or another depending on the
  server's ``standard_conforming_strings``, so a value with a backslash is refused there;
* inside a double-quoted identifier its double quotes are doubled;
* outside both only numbers and plain (dotted) names are pasted. A number is written in
  plain decimal notation, a negative one in parentheses (``10-$n`` with ``n=-5`` becomes
  ``10-(-5)``, not the comment ``10--5``), and it may not touch a letter, digit, ``_``,
  ``$`` or ``.`` (``${n}0``, ``1e$n``, ``t.$n`` would make a new token); NaN, infinities
  and booleans are refused. A name may not be a reserved word of the dialect (``OR``,
  ``UNION``); anything else is refused (put it in quotes);
* every comment form of the dialect is copied untouched (StackQL: ``--``, ``#``, ``//``,
  ``/* */``; PostgreSQL: ``--`` and nested ``/* */``), and so are PostgreSQL's dollar-quoted
  strings (``$tag$...$tag$``);
* ``$$`` is a literal ``$`` (in the PostgreSQL dialect only inside quotes, since outside
  it opens a dollar-quoted string); a ``$`` not followed by a name (``'$.a'``, ``$1``) is
  left alone; an undefined name raises :class:`StackQLTemplateError` naming it.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Dialect = Literal["stackql", "postgresql"]
DIALECTS: tuple[Dialect, ...] = ("stackql", "postgresql")

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_BARE_VALUE = re.compile(rf"{_NAME}(?:\.{_NAME})*\Z")
_PG_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")
_WORD_RUN = re.compile(r"[A-Za-z0-9_$\u0080-\U0010ffff]+\Z")
_VARIABLE = rf"\$\$|\$\{{(?P<braced>{_NAME})\}}|\$(?P<named>{_NAME})"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# stackql-parser (go/vt/sqlparser/sql.y, ``reserved_keyword``)
_STACKQL_RESERVED = _words(
    """add array and as asc auto_increment between binary by case collate convert create cross
    cume_dist current_date current_time current_timestamp substr substring database databases
    delete dense_rank desc describe distinct distinctrow div drop else end escape exec exists
    explain false first_value for force from group grouping groups having if ignore in index inner
    insert interval into is join json_table lag last_value lateral lead left like limit localtime
    localtimestamp lock member match maxvalue mod natural next not nth_value ntile null of off on
    or order outer over percent_rank rank recursive regexp rename replace right row_number schema
    select separator set show straight_join system table then timestampadd timestampdiff to true
    union unique unlock update use using utc_date utc_time utc_timestamp values when where window
    xor"""
)
# PostgreSQL: ``SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')``
_POSTGRES_RESERVED = _words(
    """all analyse analyze and any array as asc asymmetric authorization binary both case cast
    check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user default
    deferrable desc distinct do else end except false fetch for foreign freeze from full grant
    group having ilike in initially inner intersect into is isnull join lateral leading left like
    limit localtime localtimestamp natural not notnull null offset on only or order outer overlaps
    placing primary references returning right select session_user similar some symmetric
    system_user table tablesample then to trailing true union unique user using variadic verbose
    when where window with"""
)


class StackQLTemplateError(ValueError):
    """A ``$name`` in a StackQL query could not be expanded safely."""


@dataclass(frozen=True)
class _Quote:
    """How one kind of quoted token ends and what a value inside it must escape."""

    close: str
    backslash_escapes: bool  # the lexer reads ``\\x`` as one escaped character here
    backslash_refused: bool = False  # a backslash would change the value's meaning
    ends_by_server_setting: bool = False  # a backslash in it may escape the quote, or not
    what: str = "string literal"


@dataclass(frozen=True)
class _Lexer:
    opener: re.Pattern[str]  # what starts a comment, a quoted token or a variable outside quotes
    quotes: Mapping[str, _Quote]
    line_comments: tuple[str, ...]
    nested_block_comments: bool
    dollar_quotes: bool
    reserved: frozenset[str]


_STACKQL = _Lexer(
    opener=re.compile(rf"{_VARIABLE}|(?P<open>--|#|//|/\*|'|\")"),
    quotes={
        "'": _Quote("'", backslash_escapes=True),
        '"': _Quote('"', backslash_escapes=False, what="quoted identifier"),
    },
    line_comments=("--", "#", "//"),
    nested_block_comments=False,
    dollar_quotes=False,
    reserved=_STACKQL_RESERVED,
)
_POSTGRES = _Lexer(
    opener=re.compile(
        r"(?<![A-Za-z0-9_$\u0080-\U0010ffff])"
        rf"(?P<dollar>\$(?=\$|[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*\$))|{_VARIABLE}"
        r"|(?<![A-Za-z0-9_$\u0080-\U0010ffff])(?P<prefixed>[Ee]'|[Uu]&'|[Uu]&\"|[BbXx]')"
        r"|(?P<open>--|/\*|'|\")"
    ),
    quotes={
        "'": _Quote("'", backslash_escapes=False, backslash_refused=True, ends_by_server_setting=True),
        "E'": _Quote("'", backslash_escapes=True),
        "U&'": _Quote("'", backslash_escapes=False, backslash_refused=True),
        "B'": _Quote("'", backslash_escapes=False, backslash_refused=True),
        '"': _Quote('"', backslash_escapes=False, what="quoted identifier"),
        'U&"': _Quote('"', backslash_escapes=False, backslash_refused=True, what="quoted identifier"),
    },
    line_comments=("--",),
    nested_block_comments=True,
    dollar_quotes=True,
    reserved=_POSTGRES_RESERVED,
)
_LEXERS: dict[str, _Lexer] = {"stackql": _STACKQL, "postgresql": _POSTGRES}


def expand(query: str, variables: Mapping[str, Any], *, dialect: Dialect = "stackql") -> str:
    """Return ``query`` with ``$name`` / ``${name}`` replaced by values from ``variables``.

    ``dialect`` is the SQL the query is sent to: ``"stackql"`` (a StackQL server, the default)
    or ``"postgresql"``; it decides which comments, quotes and escapes the scan knows.
    """
    lexer = _LEXERS.get(dialect)
    if lexer is None:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    return _Expansion(query, variables, lexer).run()


class _Expansion:
    def __init__(self, query: str, variables: Mapping[str, Any], lexer: _Lexer) -> None:
        self.query = query
        self.variables = variables
        self.lexer = lexer
        self.out: list[str] = []
        # offset of a PostgreSQL plain literal in the query text itself that holds a backslash:
        # where it ends depends on standard_conforming_strings, so nothing after it is placed
        self.ambiguous_at: int | None = None

    def run(self) -> str:
        query, pos = self.query, 0
        while True:
            match = self.lexer.opener.search(query, pos)
            if match is None:
                self.out.append(query[pos:])
                return "".join(self.out)
            self.out.append(query[pos : match.start()])
            pos = match.end()
            lexeme = match.group(0)
            if match.group("braced") or match.group("named"):
                name = match.group("braced") or match.group("named")
                self.out.append(self._bare(name, pos))
            elif self.lexer.dollar_quotes and match.group("dollar"):
                pos = self._copy_dollar_quoted(match.start())
            elif lexeme == "$$":  # in PostgreSQL, only after a name: part of that name
                self.out.append("$$" if self.lexer.dollar_quotes else "$")
            elif lexeme in self.lexer.line_comments:
                end = query.find("\n", pos)
                end = len(query) if end < 0 else end + 1
                self.out.append(query[match.start() : end])
                pos = end
            elif lexeme == "/*":
                pos = self._copy_block_comment(match.start())
            else:
                key = lexeme[0].upper() + lexeme[1:] if len(lexeme) > 1 else lexeme
                key = "B'" if key == "X'" else key
                self.out.append(lexeme)
                pos = self._quoted(pos, self.lexer.quotes[key], match.start())

    def _copy_block_comment(self, start: int) -> int:
        query, depth, pos = self.query, 0, start
        while pos < len(query):
            if query.startswith("/*", pos) and (depth == 0 or self.lexer.nested_block_comments):
                depth += 1
                pos += 2
            elif query.startswith("*/", pos):
                depth -= 1
                pos += 2
                if depth == 0:
                    break
            else:
                pos += 1
        self.out.append(query[start:pos])
        return pos

    def _copy_dollar_quoted(self, start: int) -> int:
        tag = _PG_DOLLAR_TAG.match(self.query, start)
        assert tag is not None  # the opener's lookahead matched it
        end = self.query.find(tag.group(0), tag.end())
        end = len(self.query) if end < 0 else end + len(tag.group(0))
        self.out.append(self.query[start:end])
        return end

    def _quoted(self, pos: int, quote: _Quote, opened_at: int) -> int:
        """Copy a quoted token from ``pos`` (just after its opening quote), expanding inside it."""
        query, close = self.query, quote.close
        inner = re.compile(
            rf"{_VARIABLE}|(?P<esc>\\[\s\S]?)|{re.escape(close)}"
            if quote.backslash_escapes
            else rf"{_VARIABLE}|{re.escape(close)}"
        )
        while True:
            match = inner.search(query, pos)
            if match is None:  # unterminated: the server reports it
                self.out.append(query[pos:])
                return len(query)
            self.out.append(query[pos : match.start()])
            lexeme = match.group(0)
            pos = match.end()
            if match.group("braced") or match.group("named"):
                name = match.group("braced") or match.group("named")
                self.out.append(self._inside(name, quote))
            elif lexeme == "$$":
                self.out.append("$")
            elif quote.backslash_escapes and match.group("esc"):
                self.out.append(lexeme)
            elif query.startswith(close, pos):  # doubled quote: still inside
                self.out.append(close + close)
                pos += len(close)
            else:
                if quote.ends_by_server_setting and "\\" in query[opened_at:pos]:
                    self.ambiguous_at = opened_at if self.ambiguous_at is None else self.ambiguous_at
                self.out.append(close)
                return pos

    def _tail(self, size: int = 256) -> str:
        """The last ``size`` characters written so far."""
        parts: list[str] = []
        have = 0
        for part in reversed(self.out):
            parts.append(part)
            have += len(part)
            if have >= size:
                break
        return "".join(reversed(parts))[-size:]

    def _value_text(self, name: str) -> tuple[Any, str]:
        if self.ambiguous_at is not None:
            raise StackQLTemplateError(
                f"${name} follows the string literal at offset {self.ambiguous_at}, which holds a "
                "backslash whose meaning depends on standard_conforming_strings; write it as E'...'"
            )
        if name not in self.variables:
            raise StackQLTemplateError(f"StackQL query uses ${name}, which is not defined")
        value = self.variables[name]
        if value is None:
            raise StackQLTemplateError(f"StackQL query uses ${name}, which is None")
        text = str(value)
        if "\x00" in text:
            raise StackQLTemplateError(f"${name} contains a NUL character, which SQL text cannot hold")
        return value, text

    def _inside(self, name: str, quote: _Quote) -> str:
        _, text = self._value_text(name)
        if quote.backslash_refused and "\\" in text:
            raise StackQLTemplateError(
                f"${name} contains a backslash, which PostgreSQL reads one way or another inside "
                f"this {quote.what} depending on standard_conforming_strings; "
                f"write E'${name}' or pass the value through parameters="
            )
        if quote.backslash_escapes:
            text = text.replace("\\", "\\\\")
        return text.replace(quote.close, quote.close + quote.close)

    def _bare(self, name: str, end: int) -> str:
        value, text = self._value_text(name)
        tail = self._tail()
        before = _WORD_RUN.search(tail)
        if isinstance(value, numbers.Number) and not isinstance(value, bool):
            number = _number_text(name, value)
            if _joins(tail[-1:]) or _joins(self.query[end : end + 1]):
                raise StackQLTemplateError(
                    f"${name} is a number written directly against other text, so it would form a "
                    f"new token with it; put spaces or an operator around ${name}"
                )
            return f"({number})" if number.startswith("-") else number
        if isinstance(value, str) and _BARE_VALUE.match(value):
            if before is not None and before.group(0)[0].isdigit():
                raise StackQLTemplateError(
                    f"${name} follows a number directly, so its value {value!r} would join it"
                )
            first = value.split(".", 1)[0].lower()
            if not tail.endswith(".") and before is None and first in self.lexer.reserved:
                raise StackQLTemplateError(
                    f"${name} is outside quotes and its value {value!r} is an SQL reserved word; "
                    f"write '${name}' to use it as a string"
                )
            return value
        raise StackQLTemplateError(
            f"${name} is outside quotes and its value {text[:40]!r} is not a number or plain name; "
            f"write '${name}' to use it as a string"
        )


def _joins(char: str) -> bool:
    return bool(char) and (char.isalnum() or char in "_$." or char >= "\u0080")


def _number_text(name: str, value: Any) -> str:
    """Plain decimal notation (no exponent, no sign other than a leading ``-``)."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, numbers.Real):
        number = Decimal(repr(float(value)))
    else:
        raise StackQLTemplateError(f"${name} is a {type(value).__name__}, which SQL has no literal for")
    if not number.is_finite():
        raise StackQLTemplateError(f"${name} is {value!r}, which is not a finite number; quote it if meant")
    return format(number, "f")
