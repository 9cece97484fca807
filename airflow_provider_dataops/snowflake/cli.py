"""Subcommands of ``dataops`` for this component (none yet)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this component's subcommands to ``dataops``."""
