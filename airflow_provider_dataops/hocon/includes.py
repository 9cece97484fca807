"""Read a config and every file it includes, before an engine sees them, and refuse what must not load.

Done here, not left to the engine, so both engines refuse the same inputs with the same line:
``include url(...)`` (it would fetch during DAG parsing) unless enabled, a missing include
(Lightbend skips one silently; a pipeline missing half its tasks should not load), an include
cycle, bytes that are not UTF-8, and a config over the size limit. The list of files is also
where validation looks for the file a task was written in.

Includes are found with a lexer that skips quoted strings and comments, so an ``include`` inside
a string is not one. Paths resolve as the chosen engine resolves them: plain ``include "x"``
from the including file; ``file("x")`` from the working directory with zig-hocon (Lightbend's
rule) and from the including file with pyhocon; globs with pyhocon only.
"""

from __future__ import annotations

import functools
import glob
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from airflow_provider_dataops.hocon.errors import HoconConfigError
from airflow_provider_dataops.hocon.settings import (
    ALLOW_URL_INCLUDES_ENV,
    MAX_BYTES_ENV,
    PYHOCON,
)

_TOKEN = re.compile(
    r'"""[\s\S]*?"{3,}|"(?:[^"\\\n]|\\.)*"|#[^\n]*|//[^\n]*|(?P<inc>(?:^|(?<=[{,]))[ \t]*include(?=\s))',
    re.MULTILINE | re.IGNORECASE,
)
_ARGUMENT = re.compile(
    r"\s*(?P<required>required\s*\(\s*)?(?:(?P<kind>url|file|classpath|package)\s*\(\s*)?"
    r'(?P<target>"(?:[^"\\\n]|\\.)*")'
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_EXTENSIONS = (".conf", ".json", ".properties")


@dataclass(frozen=True)
class SourceFile:
    """One file of a config: its absolute path, its text (BOM removed) and the files it includes.

    ``includes`` maps the offset of each ``include`` keyword in ``text`` to the files it read.
    """

    path: Path
    text: str
    includes: dict[int, tuple[Path, ...]] = field(default_factory=dict)


_SUBSTITUTION_BODY = re.compile(r"\$\{\??([^}]*)\}")
_MEMO_TEXT_MAX = 64 * 1024


def _scan_substitutions(text: str) -> frozenset[str]:
    return frozenset(_SUBSTITUTION_BODY.findall(text))


_memoised_substitutions = functools.lru_cache(maxsize=256)(_scan_substitutions)
"""Keyed by the text itself, for small texts: a file every config of a DAG includes (a shared
``base.conf``) is scanned once per process, and a changed file is a different key."""


def substitutions(text: str) -> frozenset[str]:
    """What is written inside each ``${...}`` and ``${?...}`` of ``text``, as written.

    The one scan of a config's substitutions: the zig-hocon engine picks the environment
    variables to hand over from it, and masking the variables whose values are secrets.
    """
    if "${" not in text:
        return frozenset()
    return _memoised_substitutions(text) if len(text) <= _MEMO_TEXT_MAX else _scan_substitutions(text)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _decode(path: Path, content: bytes) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        raise HoconConfigError(
            [f"{path}:{line}:{column}: not UTF-8 text (byte 0x{content[exc.start]:02x})"]
        ) from None
    return text.removeprefix("\ufeff")


def _unquote(quoted: str) -> str:
    try:
        value: str = json.loads(quoted)
    except ValueError:
        return quoted[1:-1]
    return value


def _read_bytes(fd: int, size: int) -> bytes:
    """All of the regular file ``fd``, whose size was ``size`` when it was opened (it may have
    changed since). A read of a regular file comes back short only at its end."""
    first = os.read(fd, size + 1)
    if len(first) <= size:
        return first
    chunks = [first]
    while chunks[-1]:
        chunks.append(os.read(fd, 1 << 16))
    return b"".join(chunks)


def _has_suffix(path: str) -> bool:
    """``PurePath(path).suffix != ""``, without building the path object."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1


class _Reader:
    """Reads the files of one config. Paths are kept as strings here (``Path`` objects only in the
    returned :class:`SourceFile`), and files are read with ``os.open``/``os.read``: a DAG file with
    hundreds of configs reads thousands of small files per parse."""

    def __init__(self, engine: str, allow_urls: bool, max_bytes: int) -> None:
        self.engine = engine
        self.allow_urls = allow_urls
        self.max_bytes = max_bytes
        self.total = 0
        self.files: dict[str, SourceFile] = {}
        self.top = ""

    def read(self, path: str) -> SourceFile:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                size = os.fstat(fd).st_size
                self._count(path, size)
                content = _read_bytes(fd, size)
            finally:
                os.close(fd)
        except OSError as exc:
            raise HoconConfigError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
        file_path = Path(path)
        source = SourceFile(file_path, _decode(file_path, content))
        self.files[path] = source
        return source

    def _count(self, path: str, size: int) -> None:
        self.total += size
        if self.max_bytes and self.total > self.max_bytes:
            where = path if path == self.top else f"{self.top} (with {path})"
            raise HoconConfigError(
                [
                    f"{where}: config is over the size limit of {self.max_bytes} bytes "
                    f"({self.total} bytes read so far); raise {MAX_BYTES_ENV} to load it"
                ]
            )

    def visit(self, path: str, chain: tuple[str, ...]) -> None:
        source = self.read(path)
        text = source.text
        if "include" not in text.casefold():
            return
        for match in _TOKEN.finditer(text):
            if match.group("inc") is None:
                continue
            argument = _ARGUMENT.match(text, match.end())
            if argument is None:
                continue
            offset = match.end("inc") - len("include")
            found = self._include(source, path, offset, argument, (*chain, path))
            source.includes[offset] = tuple(self.files[p].path for p in found)

    def _include(
        self, source: SourceFile, path: str, offset: int, argument: re.Match[str], chain: tuple[str, ...]
    ) -> list[str]:
        line, column = position(source.text, offset)
        where = f"{path}:{line}:{column}"
        kind = argument.group("kind")
        target = _unquote(argument.group("target"))
        if kind == "url" or (kind is None and _URL.match(target)):
            if self.allow_urls:
                return []
            raise HoconConfigError(
                [f"{where}: include of URL {target!r} refused; set {ALLOW_URL_INCLUDES_ENV}=true to allow"]
            )
        if kind in ("classpath", "package"):
            return []
        base = os.getcwd() if kind == "file" and self.engine != PYHOCON else os.path.dirname(path)
        wanted = os.path.normpath(os.path.join(base, target))
        found = self._candidates(wanted)
        if not found:
            raise HoconConfigError([f"{where}: included file {target!r} not found ({wanted})"])
        for candidate in found:
            if candidate in chain:
                cycle = " -> ".join((*chain[chain.index(candidate) :], candidate))
                raise HoconConfigError([f"{where}: include cycle: {cycle}"])
            if candidate not in self.files:
                self.visit(candidate, chain)
        return found

    def _candidates(self, wanted: str) -> list[str]:
        if self.engine == PYHOCON and ("*" in wanted or "?" in wanted):
            return [p for p in sorted(glob.glob(wanted, recursive=True)) if os.path.isfile(p)]
        if os.path.isfile(wanted):
            return [wanted]
        if _has_suffix(wanted):
            return []
        return [wanted + ext for ext in _EXTENSIONS if os.path.isfile(wanted + ext)]


def read_config_files(
    path: str | os.PathLike[str], *, engine: str, allow_urls: bool, max_bytes: int
) -> list[SourceFile]:
    """The config at ``path`` (first) and every file it includes, each read once.

    Raises :class:`HoconConfigError` with one ``FILE:LINE:COL: message`` line for a refused URL
    include, a missing include, an include cycle, text that is not UTF-8 or a config over
    ``max_bytes`` (0: no limit).
    """
    reader = _Reader(engine, allow_urls, max_bytes)
    reader.top = str(path)
    reader.visit(str(path), ())
    return list(reader.files.values())
