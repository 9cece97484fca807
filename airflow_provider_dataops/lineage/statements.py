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


@dataclass(frozen=True)
class Statement:
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
    r"^\s*(?:"
    r"(?:INSERT|REPLACE)\s+(?:INTO|OVERWRITE)(?:\s+TABLE)?"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|TRANSIENT|VOLATILE|SECURE|"
    r"MATERIALIZED|RECURSIVE)\s+)*(?:TABLE|VIEW)(?:\s+IF\s+NOT\s+EXISTS)?"
    rf")\s+{_NAME}\s*\(\s*(?!SELECT\b|WITH\b|VALUES\b|\()",
    re.IGNORECASE,
)


@cache
def _token_pattern(rules: Dialect) -> re.Pattern[str]:
    """Comments, literals and quoted names (unterminated ones run to the end), and ``;``."""
    string_body = r"(?:[^'\\]|\\.|'')*" if rules.backslash_escapes else r"(?:[^']|'')*"
    parts = [r"(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z)"]
    if rules.hash_comments:
        parts.append(r"|\#[^\n]*")
    if rules.slash_comments:
        parts.append(r"|//[^\n]*")
    parts.append(")")
    if rules.triple_quotes:
        parts.append(r"|(?P<triple>'''.*?(?:'''|\Z)|\"\"\".*?(?:\"\"\"|\Z))")
    if rules.dollar_quotes:
        parts.append(r"|(?P<dollar>(?<![\w$])\$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?(?:\$(?P=tag)\$|\Z))")
    if rules.escape_strings:
        parts.append(r"|(?P<estring>(?<![\w$])[eE]'(?:[^'\\]|\\.|'')*(?:'|\Z))")
    parts.append(rf"|(?P<string>'{string_body}(?:'|\Z))")
    if rules.double_quoted_strings:
        dq_body = r'(?:[^"\\]|\\.|"")*' if rules.backslash_escapes else r'(?:[^"]|"")*'
        parts.append(rf'|(?P<dqstring>"{dq_body}(?:"|\Z))')
    else:
        parts.append(r'|(?P<quoted>"(?:[^"]|"")*(?:"|\Z))')
    if rules.backticks:
        parts.append(r"|(?P<backtick>`(?:[^`]|``)*(?:`|\Z))")
    if rules.brackets:
        parts.append(r"|(?P<bracket>\[[^\]]*(?:\]|\Z))")
    parts.append(r"|(?P<semicolon>;)")
    return re.compile("".join(parts), re.DOTALL)


def _unquote(token: str) -> str:
    quote = token[0]
    inner = token[1:-1] if len(token) > 1 else ""
    if quote == "[":
        return inner
    return inner.replace(quote * 2, quote)


class _Builder:
    """Accumulates one statement while the file's tokens stream past."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.start = start
        self.skeleton: list[str] = []
        self.cursor = start
        self.quoted: set[str] = set()
        self.secrets: list[str] = []
        self.redactions: list[tuple[int, int]] = []
        self.first_code: int | None = None

    def code_until(self, end: int) -> None:
        chunk = self.text[self.cursor : end]
        if self.first_code is None and chunk.strip():
            self.first_code = self.cursor + len(chunk) - len(chunk.lstrip())
        self.skeleton.append(chunk)
        self.cursor = end

    def token(self, kind: str, start: int, end: int) -> None:
        self.code_until(start)
        value = self.text[start:end]
        if kind == "comment":
            self.skeleton.append(" ")
        else:
            if self.first_code is None:
                self.first_code = start
            if kind in {"quoted", "backtick", "bracket"}:
                self.quoted.add(_unquote(value))
                self.skeleton.append(value)
            else:
                self.skeleton.append("''")
                if kind == "string" and _SECRET_KEYWORD.search(self.text[max(0, start - 40) : start]):
                    self.secrets.append(value[1:-1])
                    self.redactions.append((start, end))
        self.cursor = end


def _kind(skeleton: str) -> str:
    words = _WORD_OR_PAREN.findall(skeleton)
    if not words:
        return ""
    first = words[0].upper()
    if first != "WITH":
        return first
    depth = 0
    for word in words[1:]:
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        elif depth == 0 and word.upper() in _MAIN_KEYWORDS:
            return word.upper()
    return first


def _line_at(text: str, index: int, known: tuple[int, int]) -> tuple[int, int]:
    """Line of ``index``, counting on from a known (index, line) pair."""
    start, line = known
    return index, line + text.count("\n", start, index)


def split_statements(text: str, dialect: str) -> list[Statement]:
    """Every statement of ``text`` in order; empty ones (only whitespace or comments) are dropped."""
    pattern = _token_pattern(dialect_rules(dialect))
    statements: list[Statement] = []
    builder = _Builder(text, 0)
    position = (0, 1)

    def finish(end: int) -> None:
        nonlocal position
        builder.code_until(end)
        if builder.first_code is None:
            return
        position = _line_at(text, builder.start, position)
        first_line = position[1]
        position = _line_at(text, builder.first_code, position)
        raw = text[builder.start : end]
        redacted = raw
        for start, stop in reversed(builder.redactions):
            redacted = redacted[: start - builder.start] + "'***'" + redacted[stop - builder.start :]
        for secret in builder.secrets:
            if len(secret) >= _MIN_MASKED:
                redacted = redacted.replace(secret, "***")
        skeleton = "".join(builder.skeleton)
        statements.append(
            Statement(
                text=raw,
                first_line=first_line,
                line=position[1],
                kind=_kind(skeleton),
                has_column_list=bool(_TARGET_WITH_LIST.match(skeleton)),
                quoted=frozenset(builder.quoted),
                secrets=tuple(builder.secrets),
                redacted=redacted,
            )
        )

    for match in pattern.finditer(text):
        kind = match.lastgroup or ""
        if kind == "semicolon":
            finish(match.start())
            builder = _Builder(text, match.end())
        else:
            builder.token(kind, match.start(), match.end())
    finish(len(text))
    return statements
