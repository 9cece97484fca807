"""``dataops snowflake-ddl``: the seed's ``all_tables.sql`` from Parquet footers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this component's subcommands to ``dataops``."""
    parser = subparsers.add_parser(
        "snowflake-ddl",
        help="write the CREATE TABLE / STAGE / PUT / COPY script for Parquet files",
        description=(
            "Plan a Snowflake load from Parquet footers: one table per file stem, one per "
            "directory of part files. Prints the script, or writes it with -o."
        ),
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="Parquet file, glob, directory or gs:// / s3:// URL"
    )
    parser.add_argument("--database", help="target database (upper-cased unless double-quoted)")
    parser.add_argument("--schema", help="target schema (upper-cased unless double-quoted)")
    parser.add_argument("--table", help="load every file into this one table")
    parser.add_argument("--stage-url", help="external stage URL (gs://... or s3://...) the files live under")
    parser.add_argument("--storage-integration", help="storage integration for the external stage")
    parser.add_argument("--kms-key-id", help="KMS key for the external stage's ENCRYPTION")
    parser.add_argument(
        "--stage-base",
        metavar="DIR",
        help="local folder that --stage-url holds: local files are addressed on the stage by their path "
        "below it (default: the common parent folder of the local files)",
    )
    parser.add_argument(
        "--if-exists", choices=("append", "replace", "fail"), default="append", help="CREATE TABLE mode"
    )
    parser.add_argument("-o", "--output", type=Path, help="write the script to this file instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from airflow_provider_dataops.snowflake.parquet import plan_load

    if args.stage_url and not args.storage_integration:
        print("snowflake-ddl: --stage-url needs --storage-integration", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        plan = plan_load(
            args.paths,
            table=args.table,
            database=args.database,
            schema=args.schema,
            stage_url=args.stage_url,
            storage_integration=args.storage_integration,
            kms_key_id=args.kms_key_id,
            if_exists=args.if_exists,
            stage_base=args.stage_base,
        )
    except (ValueError, OSError) as exc:
        print(f"snowflake-ddl: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    script = plan.to_sql()
    if args.output:
        try:
            args.output.write_text(script)
        except OSError as exc:
            print(f"snowflake-ddl: {args.output}: cannot write ({exc.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"wrote {len(plan.statements)} statements for {len(plan.tables)} table(s) to {args.output}")
    else:
        sys.stdout.write(script)
    return 0
