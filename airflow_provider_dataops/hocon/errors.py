"""The one exception a bad HOCON config raises."""

from __future__ import annotations

from collections.abc import Iterable


class HoconConfigError(ValueError):
    """Every problem found in a config, one ``FILE: where: message`` line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in HOCON config:"
        super().__init__("\n".join([header, *self.problems]) if count > 1 else self.problems[0])
