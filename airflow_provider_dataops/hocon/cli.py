"""``dataops validate CONFIG...`` and ``dataops render CONFIG``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from airflow_provider_dataops.hocon.errors import HoconConfigError
from airflow_provider_dataops.hocon.settings import DEFAULT_ENGINE, ENGINE_ENV, ENGINES


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this component's subcommands to ``dataops``."""
    validate = subparsers.add_parser(
        "validate",
        help="check HOCON task configs; exit 1 listing every problem",
        description="Load and validate each config as HoconTaskGroup would, and list every problem found.",
    )
    validate.add_argument("configs", nargs="+", type=Path, metavar="CONFIG")
    validate.add_argument(
        "--compare-engines",
        action="store_true",
        help="instead of validating, resolve each config with zig-hocon and with pyhocon and list "
        "every path whose value differs; exit 0 when all agree, 1 otherwise",
    )
    _common(validate)
    validate.set_defaults(handler=run_validate)

    render = subparsers.add_parser(
        "render",
        help="print a HOCON config resolved, as JSON",
        description="Resolve includes and substitutions.",
    )
    render.add_argument("config", type=Path, metavar="CONFIG")
    _common(render)
    render.set_defaults(handler=run_render)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a substitution variable (repeatable)",
    )
    parser.add_argument(
        "--cwd", type=Path, help="value of ${CWD} (default: the config's folder, or DAG folder)"
    )
    parser.add_argument(
        "--task-module",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE for its task types",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help=f"HOCON engine (default: ${ENGINE_ENV}, else {DEFAULT_ENGINE})",
    )


def _variables(args: argparse.Namespace) -> dict[str, str] | None:
    result = {}
    for item in args.var:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise HoconConfigError([f"--var {item!r}: expected NAME=VALUE"])
        result[name] = value
    return result


def _airflow_args() -> frozenset[str] | None:
    try:
        from airflow_provider_dataops.task_groups.hocon import operator_arg_names
    except ImportError:
        return None
    return operator_arg_names()


def run_compare(args: argparse.Namespace) -> int:
    """Exit 0 when every config resolves to the same value with both engines, 1 otherwise."""
    from airflow_provider_dataops.hocon.compare import differences, show
    from airflow_provider_dataops.hocon.loader import load_config

    differing = 0
    for config in args.configs:
        results: dict[str, Any] = {}
        failures: list[str] = []
        for engine in ENGINES:
            try:
                results[engine] = load_config(
                    config, _variables(args), cwd=args.cwd and args.cwd.resolve(), engine=engine
                )
            except HoconConfigError as exc:
                failures += [f"{config}: {engine} cannot load it: {problem}" for problem in exc.problems]
        if failures:
            differing += 1
            for failure in failures:
                print(failure)
            continue
        found = differences(*(results[engine] for engine in ENGINES))
        if found:
            differing += 1
        for path, left, right in found:
            names = " ".join(f"{engine}={show(v)}" for engine, v in zip(ENGINES, (left, right), strict=True))
            print(f"{config}: {path}: {names}")
    print(
        f"{differing} of {len(args.configs)} config(s) differ between {' and '.join(ENGINES)}",
        file=sys.stderr,
    )
    return 1 if differing else 0


def run_validate(args: argparse.Namespace) -> int:
    if args.compare_engines:
        return run_compare(args)
    from airflow_provider_dataops.hocon.loader import load_config_files
    from airflow_provider_dataops.hocon.validation import validate_config

    problems: list[str] = []
    airflow_args = _airflow_args()
    for config in args.configs:
        try:
            loaded, files = load_config_files(
                config, _variables(args), cwd=args.cwd and args.cwd.resolve(), engine=args.engine
            )
            problems += validate_config(
                loaded, str(config), task_modules=args.task_module, airflow_args=airflow_args, files=files
            )[1]
        except HoconConfigError as exc:
            problems += exc.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"{len(args.configs)} config(s) valid")
    return 0


def run_render(args: argparse.Namespace) -> int:
    from airflow_provider_dataops.hocon.loader import load_config

    try:
        loaded = load_config(
            args.config, _variables(args), cwd=args.cwd and args.cwd.resolve(), engine=args.engine
        )
    except HoconConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    json.dump(loaded, sys.stdout, indent=2)
    print()
    return 0
