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
    """One dialect's patterns. The file is cut into statements by ``statement``, which steps over
    every comment, literal and quoted name at C speed; only a statement that holds one of them and
    needs to know where (quoted names, credentials, a ``WITH`` list, a comment before the target's
    column list) is tokenised again, by ``tokens``."""

    statement: re.Pattern[str]
    """From where a statement starts to its ``;`` (excluded) or the end of the text."""
    leading: re.Pattern[str]
    """Whitespace and comments: matched at a statement's start, it ends at the first code."""
    special: re.Pattern[str]
    """What opens a comment, literal or quoted name: a statement without any is plain code."""
    tokens: re.Pattern[str]
    """The comments, literals and quoted names themselves, one per ``finditer`` match."""
    quote_start: re.Pattern[str] | None
    """A character that opens a quoted name, if the dialect has such names."""


_ESCAPE_QUOTE_RULE = r"'(?<=[eE]')(?<![\w$][eE]')"
"""A quote that opens an ``E'...'`` string: after an E that does not end a name."""
_ESCAPE_QUOTE = re.compile(_ESCAPE_QUOTE_RULE)


@cache
def _lexer(rules: Dialect) -> _Lexer:
    """Comments, literals and quoted names (unterminated ones run to the end), per dialect.

    One flat alternation whose every branch starts with a literal character: ``re`` then skips
    plain code at C speed (named groups or a leading lookbehind would make it try each position).
    A token's kind is read off its first characters (:func:`_token_kind`).
    """
    string_body = r"(?:[^'\\]|\\.|'')*" if rules.backslash_escapes else r"(?:[^']|'')*"
    starts, special, quote_chars = "-/';\"", ["--", r"/\*", "'", '"'], ""
    comments = [r"--[^\n]*", r"/\*.*?(?:\*/|\Z)"]
    if rules.hash_comments:
        comments.append(r"\#[^\n]*")
        starts += "#"
        special.append(r"\#")
    if rules.slash_comments:
        comments.append(r"//[^\n]*")
        special.append("//")
    parts = list(comments)
    if rules.escape_strings:  # E'...': the lookbehinds see the E that the code before has taken
        parts.append(rf"{_ESCAPE_QUOTE_RULE}(?:[^'\\]|\\.|'')*(?:'|\Z)")
    if rules.triple_quotes:
        parts.append(r"'{3}.*?(?:'{3}|\Z)|\"{3}.*?(?:\"{3}|\Z)")
    if rules.dollar_quotes:
        parts.append(r"\$(?<![\w$]\$)(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?(?:\$(?P=tag)\$|\Z)")
        starts += "$"
        special.append(r"\$")
    parts.append(rf"'{string_body}(?:'|\Z)")
    if rules.double_quoted_strings:
        dq_body = r'(?:[^"\\]|\\.|"")*' if rules.backslash_escapes else r'(?:[^"]|"")*'
        parts.append(rf'"{dq_body}(?:"|\Z)')
    else:
        parts.append(r'"(?:[^"]|"")*(?:"|\Z)')
        quote_chars += '"'
    if rules.backticks:
        parts.append(r"`(?:[^`]|``)*(?:`|\Z)")
        starts += "`"
        special.append("`")
        quote_chars += "`"
    if rules.brackets:
        parts.append(r"\[[^\]]*(?:\]|\Z)")
        starts += "["
        special.append(r"\[")
        quote_chars += "["
    tokens = "|".join(parts)
    plain = f"[^{re.escape(starts)}]"
    lone = f"[{re.escape(starts.replace(';', ''))}]"
    # nothing follows the repetition, so its first (greedy, leftmost-alternative) path is the
    # match: a token once matched is never re-cut, as in a hand-written lexer
    statement = rf"(?:{plain}+|{tokens}|{lone})*"
    return _Lexer(
        statement=re.compile(statement, re.DOTALL),
        leading=re.compile(rf"(?:\s+|{'|'.join(comments)})*", re.DOTALL),
        special=re.compile("|".join(special)),
        tokens=re.compile(tokens, re.DOTALL),
        quote_start=re.compile(f"[{re.escape(quote_chars)}]") if quote_chars else None,
    )


_TRIPLE = ("'''", '"""')


def _token_kind(token: str, rules: Dialect) -> str:
    """``comment``, ``string``, ``quoted`` (a name) or ``other`` (any other literal)."""
    first = token[0]
    if first in "'\"" and rules.triple_quotes and token.startswith(_TRIPLE):
        return "other"
    if first == "'":
        return "string"
    if first == '"':
        return "other" if rules.double_quoted_strings else "quoted"
    if first in "`[":
        return "quoted"
    if first == "$":
        return "other"
    return "comment"


def _unquote(token: str) -> str:
    quote = token[0]
    inner = token[1:-1] if len(token) > 1 else ""
    if quote == "[":
        return inner
    return inner.replace(quote * 2, quote)


_SECRET_WORDS = re.compile("pass|pwd|secret|token|key|credential|identified")


def _mentions_secret(text: str) -> bool:
    """A cheap test before :data:`_SECRET_KEYWORD` (an ignore-case regex search is slow)."""
    return _SECRET_WORDS.search(text.lower()) is not None


_FIRST_WORD = re.compile(r"[A-Za-z_]\w*")


class _Tokens(NamedTuple):
    """What tokenising one statement tells: quoted names, blanked spans, credential literals."""

    quoted: frozenset[str]
    blanks: list[tuple[int, int]]
    secrets: tuple[str, ...]
    redactions: list[tuple[int, int]]


def _tokenise(text: str, lexer: _Lexer, rules: Dialect, start: int, end: int) -> _Tokens:
    quoted: set[str] = set()
    blanks: list[tuple[int, int]] = []
    secrets: list[str] = []
    redactions: list[tuple[int, int]] = []
    for token in lexer.tokens.finditer(text, start, end):
        value = token.group()
        kind = _token_kind(value, rules)
        if kind == "quoted":
            quoted.add(_unquote(value))
            continue
        begin, stop = token.span()
        blanks.append((begin, stop))
        if kind == "string":
            head = begin - 1 if rules.escape_strings and _ESCAPE_QUOTE.match(text, begin) else begin
            before = text[max(0, head - 40) : head]
            if _mentions_secret(before) and _SECRET_KEYWORD.search(before):
                secrets.append(value[1:-1])
                redactions.append((begin, stop))
    return _Tokens(frozenset(quoted), blanks, tuple(secrets), redactions)


def _skeleton(text: str, start: int, end: int, blanks: list[tuple[int, int]]) -> str:
    """``text[start:end]`` with comments and literals blanked, offsets kept."""
    parts, cursor = [], start
    for begin, stop in blanks:
        parts.append(text[cursor:begin])
        parts.append(" " * (stop - begin))
        cursor = stop
    parts.append(text[cursor:end])
    return "".join(parts)


def _with_kind(code: str, offset: int) -> str:
    """The main keyword after a ``WITH`` list: the first one at depth 0 (``code`` from after WITH)."""
    depth = 0
    for part in _WORD_OR_PAREN.findall(code, offset):
        if part == "(":
            depth += 1
        elif part == ")":
            depth -= 1
        elif depth == 0 and part.upper() in _MAIN_KEYWORDS:
            return part.upper()
    return "WITH"


def _redact(raw: str, start: int, tokens: _Tokens) -> str:
    redacted = raw
    for begin, stop in reversed(tokens.redactions):
        redacted = redacted[: begin - start] + "'***'" + redacted[stop - start :]
    for secret in tokens.secrets:
        if len(secret) >= _MIN_MASKED:
            redacted = redacted.replace(secret, "***")
    return redacted


def _describe(
    text: str, lexer: _Lexer, rules: Dialect, start: int, end: int, code: int, first_line: int, line: int
) -> Statement:
    """The statement ``text[start:end]`` whose first code is at ``code``."""
    raw = text[start:end]
    first = _FIRST_WORD.match(text, code, end)
    kind = first.group().upper() if first else ""
    paren = text.find("(", code, end)
    special = lexer.special.search(text, code, end)
    tokens = None
    if special is not None and (
        kind == "WITH"
        or special.start() < paren
        or (lexer.quote_start is not None and lexer.quote_start.search(text, special.start(), end))
        or ("'" in raw and _mentions_secret(raw))
    ):
        tokens = _tokenise(text, lexer, rules, code, end)
    code_text = raw if tokens is None or not tokens.blanks else _skeleton(text, start, end, tokens.blanks)
    if kind == "WITH" and first is not None:
        kind = _with_kind(code_text, first.end() - start)
    has_column_list = paren >= 0 and bool(_TARGET_WITH_LIST.match(code_text, code - start))
    if tokens is None:
        return Statement(raw, first_line, line, kind, has_column_list, frozenset(), (), raw)
    return Statement(
        raw,
        first_line,
        line,
        kind,
        has_column_list,
        tokens.quoted,
        tokens.secrets,
        _redact(raw, start, tokens) if tokens.secrets else raw,
    )


def split_statements(text: str, dialect: str) -> list[Statement]:
    """Every statement of ``text`` in order; empty ones (only whitespace or comments) are dropped."""
    rules = dialect_rules(dialect)
    lexer = _lexer(rules)
    statement, leading = lexer.statement.match, lexer.leading.match
    statements: list[Statement] = []
    start, counted, line, length = 0, 0, 1, len(text)
    while start <= length:
        end = statement(text, start).end()  # type: ignore[union-attr]  # it matches the empty text
        code = leading(text, start, end).end()  # type: ignore[union-attr]
        if code < end:
            line += text.count("\n", counted, start)
            first_line = line
            line += text.count("\n", start, code)
            counted = code
            statements.append(_describe(text, lexer, rules, start, end, code, first_line, line))
        start = end + 1
    return statements
