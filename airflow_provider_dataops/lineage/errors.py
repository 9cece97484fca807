"""Errors of the lineage scan that name what is wrong and where."""

from __future__ import annotations


class LineageError(ValueError):
    """Bad input to a lineage scan or emit (a setting, a missing folder, a malformed event file)."""
