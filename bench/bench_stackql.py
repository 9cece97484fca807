"""Benchmark StackQL results into a DataFrame: ours vs the seed's path vs plain fetchall.

On the real PostgreSQL (127.0.0.1:5432, the StackQL wire-protocol peer) a throwaway database
holds 200,000 rows x 8 columns shaped like StackQL's answers (5 text, 3 numeric), dropped after.
Measured in one run, best of 3 interleaved rounds:

* ours: ``StackQLHook.get_df`` (columns from ``cursor.description``, numeric read as text then
  typed int64/float64 where lossless);
* seed: ``RealDictCursor`` + ``pd.read_json(json.dumps(rows))`` (``default=str`` added: the seed's
  ``json.dumps`` cannot encode the ``Decimal`` values psycopg2 returns for numeric);
* plain: default cursor ``fetchall()`` + ``DataFrame.from_records``.

Text columns come back in pandas' default string dtype (pandas 3: ``str``), as from_records
gives them. Targets: seed / ours >= 5x; ours / plain <= 1.2x.
Run: ``make bench`` (or ``.venv/bin/python bench/bench_stackql.py``).
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import best_of, print_table  # noqa: E402

ROWS = 200_000
REPEATS = 3
SEED_TARGET = 5.0
PLAIN_TARGET = 1.2
PG = {
    "host": os.environ.get("DATAOPS_TEST_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("DATAOPS_TEST_PG_PORT", "5432")),
    "user": os.environ.get("DATAOPS_TEST_PG_USER", "postgres"),
}
QUERY = "SELECT * FROM inventory"
CREATE = f"""
CREATE TABLE inventory AS
SELECT ('instance-' || g)::text AS name,
       (ARRAY['RUNNING', 'TERMINATED', 'STAGING'])[1 + g % 3]::text AS status,
       ('australia-southeast1-' || chr(97 + g % 3))::text AS zone,
       ('projects/demo/machineTypes/e2-standard-' || (2 + g % 4))::text AS machine_type,
       ('{{"env": "prod", "team": "t' || (g % 17) || '"}}')::text AS labels,
       g::numeric AS id,
       (g % 64)::numeric AS cpus,
       round((g * 0.37)::numeric, 2) AS cost
FROM generate_series(1, {ROWS}) AS g
"""


def main() -> int:
    import pandas as pd
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extras import RealDictCursor

    logging.getLogger("airflow").setLevel(logging.WARNING)
    name = f"dataops_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    except psycopg2.OperationalError as err:
        print(f"PostgreSQL is not reachable on {PG['host']}:{PG['port']}: {err}".strip())
        return 1
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        db = {**PG, "dbname": name}
        with closing(psycopg2.connect(**db)) as conn, conn.cursor() as cur:
            cur.execute(CREATE)
            conn.commit()
        os.environ["AIRFLOW_CONN_STACKQL_BENCH"] = json.dumps(
            {
                "conn_type": "stackql",
                "host": PG["host"],
                "port": PG["port"],
                "login": PG["user"],
                "schema": name,
            }
        )
        from airflow_provider_dataops.hooks.stackql import StackQLHook

        hook = StackQLHook(stackql_conn_id="stackql_bench", log_sql=False)

        def ours() -> Any:
            return hook.get_df(QUERY)

        def seed() -> Any:
            with closing(psycopg2.connect(**db)) as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
                cur.execute(QUERY)
                rows = cur.fetchall()
            return pd.read_json(io.StringIO(json.dumps(rows, default=str)))

        def plain() -> Any:
            with closing(psycopg2.connect(**db)) as conn, conn.cursor() as cur:
                cur.execute(QUERY)
                rows = cur.fetchall()
                names = [d[0] for d in cur.description]
            return pd.DataFrame.from_records(rows, columns=names)

        # rounds interleave the three cases, so a burst of load elsewhere hits all of them alike
        best: dict[str, float] = {}
        frames: dict[str, Any] = {}
        for _ in range(REPEATS):
            for label, fn in (("plain", plain), ("ours", ours), ("seed", seed)):
                elapsed, frames[label] = best_of(fn, 1)
                best[label] = min(elapsed, best.get(label, elapsed))
        t_plain, t_ours, t_seed = best["plain"], best["ours"], best["seed"]
        df_plain, df_ours, df_seed = frames["plain"], frames["ours"], frames["seed"]
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()

    assert len(df_ours) == len(df_seed) == len(df_plain) == ROWS
    text = ["name", "status", "zone", "machine_type", "labels"]
    assert df_ours[text].dtypes.to_dict() == df_plain[text].dtypes.to_dict(), "text dtypes differ from plain"
    rows = [
        ("plain fetchall + from_records", f"{t_plain:.3f} s", "1.00x (baseline)", ""),
        (
            "ours: StackQLHook.get_df",
            f"{t_ours:.3f} s",
            f"{t_ours / t_plain:.2f}x of plain",
            f"<= {PLAIN_TARGET}x",
        ),
        (
            "seed: RealDictCursor + read_json",
            f"{t_seed:.3f} s",
            f"{t_seed / t_ours:.2f}x slower than ours",
            f">= {SEED_TARGET}x",
        ),
    ]
    where = f"PostgreSQL {PG['host']}:{PG['port']}"
    print(f"{ROWS:,} rows x 8 columns (5 text, 3 numeric) from {where}, best of {REPEATS}")
    print(f"dtypes ours: {dict(df_ours.dtypes.astype(str))}")
    print(f"dtypes seed: {dict(df_seed.dtypes.astype(str))}")
    print_table(("case", "measured", "ratio", "target"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
