"""Split a SQL file into statements, with their lines, per dialect (standard library only).

``openlineage-sql`` parses a list of statements but merges their lineage, so each statement is
parsed alone; this module finds the statements. It is a lexer, not a parser: it knows the
dialect's comments, string literals, quoted identifiers and dollar quotes, so a ``;`` inside any
of them does not split. It also reports, per statement, what the parser result does not say:
the statement's kind, whether the target is followed by a column list, which names were written
quoted, and which string literals look like credentials (redacted in the ``sql`` facet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from airflow_provider_dataops.lineage.errors import LineageError


@dataclass(frozen=True)
class Dialect:
    """How a dialect writes literals and comments, and how it folds unquoted names."""

    backslash_escapes: bool = False
    double_quoted_strings: bool = False
    triple_quotes: bool = False
    hash_comments: bool = False
    slash_comments: bool = False
    dollar_quotes: bool = False
    escape_strings: bool = False
    backticks: bool = True
    brackets: bool = False
    fold: str | None = None
    """``"upper"`` / ``"lower"``: how the database stores an unquoted name; None keeps it as written."""
    fold_quoted: bool = False
    """Hive-style metastores lower-case every name, quoted or not."""


_POSTGRES = Dialect(dollar_quotes=True, escape_strings=True, backticks=False, fold="lower")
_HIVE = Dialect(backslash_escapes=True, double_quoted_strings=True, fold="lower", fold_quoted=True)
_MSSQL = Dialect(backticks=False, brackets=True)

DIALECTS: dict[str, Dialect] = {
    "ansi": Dialect(backticks=False),
    "bigquery": Dialect(
        backslash_escapes=True, double_quoted_strings=True, triple_quotes=True, hash_comments=True
    ),
    "databricks": _HIVE,
    "generic": Dialect(),
    "hive": _HIVE,
    "mssql": _MSSQL,
    "mysql": Dialect(backslash_escapes=True, double_quoted_strings=True, hash_comments=True),
    "postgres": _POSTGRES,
    "postgresql": _POSTGRES,
    "redshift": _POSTGRES,
    "snowflake": Dialect(
        backslash_escapes=True, slash_comments=True, dollar_quotes=True, backticks=False, fold="upper"
    ),
    "sqlite": Dialect(brackets=True),
    "sqlserver": _MSSQL,
}
"""The dialects ``openlineage-sql`` knows (it silently treats any other name as ``generic``)."""


def dialect_rules(name: str) -> Dialect:
    try:
        return DIALECTS[name.lower()]
    except KeyError:
        raise LineageError(
            f"unknown SQL dialect '{name}'; openlineage-sql knows: {', '.join(sorted(DIALECTS))}"
        ) from None


class Statement(NamedTuple):
    """One statement: its raw text (no ``;``) and where it is in the file."""

    text: str
    first_line: int
    """File line of the first character of ``text``: the parser's ``Line: n`` is relative to it."""
    line: int
    """File line of the statement's first token (what a reader looks for)."""
    kind: str
    """The statement's main keyword, upper-cased (``INSERT`` for ``WITH ... INSERT``)."""
    has_column_list: bool
    """``INSERT INTO t (a, b) ...`` / ``CREATE VIEW v (a, b) AS ...``: target columns named apart."""
    quoted: frozenset[str]
    """Identifiers written quoted, without their quotes."""
    secrets: tuple[str, ...]
    """Contents of string literals that follow a credential keyword (``PASSWORD '...'``)."""
    redacted: str
    """``text`` with those literals replaced by ``'***'``."""


_SECRET_KEYWORD = re.compile(
    r"(?:password|passwd|pwd|secret\w*|\w*token|\w*key(?:_id)?|credentials?|identified\s+by)"
    r"\s*(?:=>|=|:)?\s*\(?\s*$",
    re.IGNORECASE,
)
_MIN_MASKED = 4
"""A credential literal's value is also masked where it recurs, if at least this long."""
_WORD_OR_PAREN = re.compile(r"[A-Za-z_][\w$]*|[()]")
_MAIN_KEYWORDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES"})
_NAME_PART = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])'
_NAME = rf"{_NAME_PART}(?:\s*\.\s*{_NAME_PART}){{0,3}}"
_TARGET_WITH_LIST = re.compile(
    r"\s*(?:"
    r"(?:INSERT|REPLACE)\s+(?:INTO|OVERWRITE)(?:\s+TABLE)?"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|TRANSIENT|VOLATILE|SECURE|"
    r"MATERIALIZED|RECURSIVE)\s+)*(?:TABLE|VIEW)(?:\s+IF\s+NOT\s+EXISTS)?"
    rf")\s+{_NAME}\s*\(\s*(?!SELECT\b|WITH\b|VALUES\b|\()",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Lexer:
    starts: re.Pattern[str]
    """Characters that can open a token: searched for at C speed, the gaps between are code."""
    token: re.Pattern[str]
    """Anchored at such a character: the comment, literal, quoted name or ``;`` starting there."""
    estring: re.Pattern[str] | None


@cache
def _lexer(rules: Dialect) -> _Lexer:
    """Comments, literals and quoted names (unterminated ones run to the end), and ``;``."""
    string_body = r"(?:[^'\\]|\\.|'')*" if rules.backslash_escapes else r"(?:[^']|'')*"
    starts = "-/';\""
    parts = [r"(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z)"]
    if rules.hash_comments:
        parts.append(r"|\#[^\n]*")
        starts += "#"
    if rules.slash_comments:
        parts.append(r"|//[^\n]*")
    parts.append(")")
    if rules.triple_quotes:
        parts.append(r"|(?P<triple>'{3}.*?(?:'{3}|\Z)|\"{3}.*?(?:\"{3}|\Z))")
    if rules.dollar_quotes:
        parts.append(r"|(?P<dollar>(?<![\w$])\$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?(?:\$(?P=tag)\$|\Z))")
        starts += "$"
    parts.append(rf"|(?P<string>'{string_body}(?:'|\Z))")
    if rules.double_quoted_strings:
        dq_body = r'(?:[^"\\]|\\.|"")*' if rules.backslash_escapes else r'(?:[^"]|"")*'
        parts.append(rf'|(?P<dqstring>"{dq_body}(?:"|\Z))')
    else:
        parts.append(r'|(?P<quoted>"(?:[^"]|"")*(?:"|\Z))')
    if rules.backticks:
        parts.append(r"|(?P<backtick>`(?:[^`]|``)*(?:`|\Z))")
        starts += "`"
    if rules.brackets:
        parts.append(r"|(?P<bracket>\[[^\]]*(?:\]|\Z))")
        starts += "["
    parts.append(r"|(?P<semicolon>;)")
    estring = re.compile(r"[eE]'(?:[^'\\]|\\.|'')*(?:'|\Z)", re.DOTALL) if rules.escape_strings else None
    return _Lexer(
        starts=re.compile(f"[{re.escape(starts)}]"),
        token=re.compile("".join(parts), re.DOTALL),
        estring=estring,
    )


def _unquote(token: str) -> str:
    quote = token[0]
    inner = token[1:-1] if len(token) > 1 else ""
    if quote == "[":
        return inner
    return inner.replace(quote * 2, quote)


_QUOTED_KINDS = frozenset({"quoted", "backtick", "bracket"})
_SECRET_HINT = re.compile(r"pass|pwd|secret|token|key|credential|identified", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[A-Za-z_]\w*")


class _Builder:
    """Collects one statement's tokens while the file streams past."""

    __slots__ = ("blanks", "first_code", "quoted", "redactions", "secrets", "start", "text")

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.start = start
        self.blanks: list[tuple[int, int]] = []
        self.quoted: set[str] = set()
        self.secrets: list[str] = []
        self.redactions: list[tuple[int, int]] = []
        self.first_code: int | None = None

    def note_code(self, end: int, previous: int) -> None:
        """Record where code begins, if the gap ``previous:end`` holds the statement's first."""
        if self.first_code is None:
            gap = self.text[previous:end]
            stripped = gap.lstrip()
            if stripped:
                self.first_code = previous + len(gap) - len(stripped)

    def token(self, kind: str, start: int, end: int) -> None:
        if kind == "comment":
            self.blanks.append((start, end))
            return
        if self.first_code is None:
            self.first_code = start
        if kind in _QUOTED_KINDS:
            self.quoted.add(_unquote(self.text[start:end]))
            return
        self.blanks.append((start, end))
        if kind == "string":
            before = self.text[max(0, start - 40) : start]
            if _SECRET_HINT.search(before) and _SECRET_KEYWORD.search(before):
                self.secrets.append(self.text[start + 1 : end - 1])
                self.redactions.append((start, end))

    def skeleton(self, end: int) -> str:
        """The statement's code with comments and literals blanked, offsets kept (rarely needed)."""
        parts, cursor = [], self.start
        for start, stop in self.blanks:
            parts.append(self.text[cursor:start])
            parts.append(" " * (stop - start))
            cursor = stop
        parts.append(self.text[cursor:end])
        return "".join(parts)


def _kind(builder: _Builder, end: int) -> str:
    assert builder.first_code is not None
    first = _FIRST_WORD.match(builder.text, builder.first_code)
    if first is None:
        return ""
    word = first.group().upper()
    if word != "WITH":
        return word
    depth = 0
    skeleton = builder.skeleton(end)
    for part in _WORD_OR_PAREN.findall(skeleton, first.end() - builder.start):
        if part == "(":
            depth += 1
        elif part == ")":
            depth -= 1
        elif depth == 0 and part.upper() in _MAIN_KEYWORDS:
            return part.upper()
    return word


def _has_column_list(builder: _Builder, end: int) -> bool:
    assert builder.first_code is not None
    paren = builder.text.find("(", builder.first_code, end)
    if paren < 0:
        return False
    if any(start < paren for start, _ in builder.blanks):
        skeleton = builder.skeleton(end)
        return bool(_TARGET_WITH_LIST.match(skeleton, builder.first_code - builder.start))
    return bool(_TARGET_WITH_LIST.match(builder.text, builder.first_code, end))


def _redact(builder: _Builder, end: int) -> str:
    raw = builder.text[builder.start : end]
    if not builder.secrets:
        return raw
    redacted = raw
    for start, stop in reversed(builder.redactions):
        redacted = redacted[: start - builder.start] + "'***'" + redacted[stop - builder.start :]
    for secret in builder.secrets:
        if len(secret) >= _MIN_MASKED:
            redacted = redacted.replace(secret, "***")
    return redacted


def split_statements(text: str, dialect: str) -> list[Statement]:
    """Every statement of ``text`` in order; empty ones (only whitespace or comments) are dropped."""
    lexer = _lexer(dialect_rules(dialect))
    statements: list[Statement] = []
    builder = _Builder(text, 0)
    counted, line = 0, 1

    def finish(end: int) -> None:
        nonlocal counted, line
        if builder.first_code is None:
            return
        line += text.count("\n", counted, builder.start)
        first_line = line
        line += text.count("\n", builder.start, builder.first_code)
        counted = builder.first_code
        statements.append(
            Statement(
                text=text[builder.start : end],
                first_line=first_line,
                line=line,
                kind=_kind(builder, end),
                has_column_list=_has_column_list(builder, end),
                quoted=frozenset(builder.quoted),
                secrets=tuple(builder.secrets),
                redacted=_redact(builder, end),
            )
        )

    position = previous = 0
    search, match, estring = lexer.starts.search, lexer.token.match, lexer.estring
    while (found := search(text, position)) is not None:
        at = found.start()
        token = None
        kind = "string"
        if (
            estring is not None
            and at
            and text[at] == "'"
            and text[at - 1] in "eE"
            and (at < 2 or not (text[at - 2].isalnum() or text[at - 2] in "_$"))
        ):
            token = estring.match(text, at - 1)
        if token is None:
            token = match(text, at)
            if token is None:
                position = at + 1
                continue
            kind = token.lastgroup or ""
        start, end = token.span()
        builder.note_code(start, previous)
        if kind == "semicolon":
            finish(start)
            builder = _Builder(text, end)
        else:
            builder.token(kind, start, end)
        position = previous = end
    builder.note_code(len(text), previous)
    finish(len(text))
    return statements
