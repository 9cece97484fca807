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
    parser.add_argument(
        "--conn",
        metavar="CONN_ID",
        help="Snowflake connection (environment or secrets backend) to fit appends to existing tables;"
        " without it the script says schema drift was not checked",
    )
    parser.add_argument(
        "--on-schema-change",
        choices=("append_new_columns", "fail", "ignore"),
        default="append_new_columns",
        help="with --conn: what an append does when a table's columns differ from the files'",
    )
    parser.add_argument("-o", "--output", type=Path, help="write the script to this file instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from airflow_provider_dataops.snowflake.parquet import plan_load, with_drift_unchecked

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
    if args.conn:
        try:
            plan, changes = _fit(plan, args.conn, args.on_schema_change)
        except Exception as exc:
            from airflow_provider_dataops.snowflake.load import first_line

            print(f"snowflake-ddl: --conn {args.conn}: {first_line(exc)}", file=sys.stderr)
            return EXIT_BAD_INPUT
        for change in changes:
            for line in change.describe():
                print(line, file=sys.stderr)
    else:
        plan = with_drift_unchecked(plan)
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


def _fit(plan: Any, conn_id: str, on_schema_change: str) -> tuple[Any, list[Any]]:
    """Read the existing tables through ``conn_id`` and fit the plan's appends to them."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    from airflow_provider_dataops.snowflake.load import fit_existing_tables

    conn = SnowflakeHook(snowflake_conn_id=conn_id).get_conn()
    try:
        cursor = conn.cursor()
        try:
            return fit_existing_tables(cursor, plan, on_schema_change)
        finally:
            cursor.close()
    finally:
        conn.close()
