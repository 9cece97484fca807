"""Where each entry of ``tasks`` was written: file and line, for validation messages.

Neither engine keeps origins in its resolved result, so this reads the source text: it follows the
document order (root-level includes expanded where they stand), takes the last root-level
``tasks = [...]`` and any ``tasks += {...}`` after it, and counts the objects in that list.
When the list is built another way (a substitution, a concatenation) or the count does not match
the resolved list, it reports no origin rather than a wrong one. Only run when there are problems.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from airflow_provider_dataops.hocon.includes import SourceFile, position

_LEX = re.compile(
    r'(?P<tasks>(?:^|(?<=[{,]))[ \t]*(?:tasks|"tasks")[ \t]*(?P<op>\+=|[:=]))'
    r"|(?P<inc>(?:^|(?<=[{,]))[ \t]*(?i:include)(?=\s))"
    r'|"""[\s\S]*?"{3,}|"(?:[^"\\\n]|\\.)*"|#[^\n]*|//[^\n]*|\$\{[^}]*\}'
    r"|(?P<open>[{\[])|(?P<close>[}\]])",
    re.MULTILINE,
)
_ROOT_BRACE = re.compile(r"(?:\s+|#[^\n]*|//[^\n]*)*\{")
_BLANK = re.compile(r"[ \t\r\n]*")


class _Walk:
    def __init__(self, files: Sequence[SourceFile]) -> None:
        self.by_path = {f.path: f for f in files}
        self.elements: list[tuple[Path, int]] | None = None
        self.active: set[Path] = set()

    def file(self, source: SourceFile) -> None:
        if source.path in self.active:
            return
        self.active.add(source.path)
        text = source.text
        root = 1 if _ROOT_BRACE.match(text) else 0
        depth = 0
        capture: tuple[str, int, list[tuple[Path, int]]] | None = None
        for match in _LEX.finditer(text):
            if match.group("inc") is not None and depth == root and capture is None:
                offset = match.end("inc") - len("include")
                for path in source.includes.get(offset, ()):
                    if path in self.by_path:
                        self.file(self.by_path[path])
            elif match.group("tasks") is not None and depth == root and capture is None:
                after = _BLANK.match(text, match.end()).end()  # type: ignore[union-attr]
                if text.startswith("[", after):
                    capture = (match.group("op"), depth + 1, [])
                elif match.group("op") == "+=" and text.startswith("{", after) and self.elements is not None:
                    self.elements = [*self.elements, (source.path, position(text, after)[0])]
                else:
                    self.elements = None
            elif match.group("open") is not None:
                if capture is not None and match.group("open") == "{" and depth == capture[1]:
                    capture[2].append((source.path, position(text, match.start())[0]))
                depth += 1
            elif match.group("close") is not None:
                depth -= 1
                if capture is not None and depth < capture[1]:
                    op, _, found = capture
                    if op != "+=":
                        self.elements = found
                    elif self.elements is not None:
                        self.elements = self.elements + found
                    capture = None
        self.active.discard(source.path)


def task_origins(files: Sequence[SourceFile], count: int) -> list[str | None]:
    """``FILE:LINE`` of each of the ``count`` resolved tasks, or all ``None`` when unsure."""
    if not files:
        return [None] * count
    walk = _Walk(files)
    walk.file(files[0])
    if walk.elements is None or len(walk.elements) != count:
        return [None] * count
    return [f"{path}:{line}" for path, line in walk.elements]
