"""Lineage of real analytic SQL (TPC-H queries, written here) against hand-checked expectations.

Every event the scan writes is validated against the OpenLineage schemas (tests/fixtures/openlineage.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.lineage.errors import LineageError
from airflow_provider_dataops.lineage.scan import ScanSettings, failed_share_setting, scan_directory, scan_sql
from tests.fixtures.local_user import LocalUser
from tests.fixtures.openlineage import assert_valid_event, read_events

NS = "postgres://warehouse:5432"
POSTGRES = ScanSettings(dialect="postgres", namespace=NS, job_namespace="scans")

TPCH = {
    "q01_pricing_summary.sql": """
        CREATE TABLE report.pricing_summary AS
        SELECT l_returnflag, l_linestatus,
               SUM(l_quantity) AS sum_qty,
               SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
               AVG(l_discount) AS avg_disc,
               COUNT(*) AS count_order
        FROM tpch.lineitem
        WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
        GROUP BY l_returnflag, l_linestatus;
    """,
    "q03_shipping_priority.sql": """
        INSERT INTO report.shipping_priority
        SELECT l.l_orderkey, SUM(l.l_extendedprice * (1 - l.l_discount)) AS revenue,
               o.o_orderdate, o.o_shippriority
        FROM tpch.customer c
        JOIN tpch.orders o ON c.c_custkey = o.o_custkey
        JOIN tpch.lineitem l ON l.l_orderkey = o.o_orderkey
        WHERE c.c_mktsegment = 'BUILDING' AND o.o_orderdate < DATE '1995-03-15'
        GROUP BY l.l_orderkey, o.o_orderdate, o.o_shippriority;
    """,
    "q05_local_supplier_volume.sql": """
        INSERT INTO report.local_supplier_volume
        SELECT n.n_name, SUM(l.l_extendedprice * (1 - l.l_discount)) AS revenue
        FROM tpch.customer c, tpch.orders o, tpch.lineitem l, tpch.supplier s, tpch.nation n, tpch.region r
        WHERE c.c_custkey = o.o_custkey AND l.l_orderkey = o.o_orderkey AND l.l_suppkey = s.s_suppkey
          AND c.c_nationkey = s.s_nationkey AND s.s_nationkey = n.n_nationkey
          AND n.n_regionkey = r.r_regionkey AND r.r_name = 'ASIA'
        GROUP BY n.n_name;
    """,
    "q13_customer_distribution.sql": """
        INSERT INTO report.customer_distribution
        SELECT c_count, COUNT(*) AS custdist
        FROM (
            SELECT c.c_custkey, COUNT(o.o_orderkey) AS c_count
            FROM tpch.customer c LEFT OUTER JOIN tpch.orders o
              ON c.c_custkey = o.o_custkey AND o.o_comment NOT LIKE '%special%requests%'
            GROUP BY c.c_custkey
        ) AS c_orders
        GROUP BY c_count;
    """,
    "q15_top_supplier.sql": """
        CREATE TABLE report.top_supplier AS
        WITH revenue AS (
            SELECT l_suppkey AS supplier_no, SUM(l_extendedprice * (1 - l_discount)) AS total_revenue
            FROM tpch.lineitem
            WHERE l_shipdate >= DATE '1996-01-01'
            GROUP BY l_suppkey
        )
        SELECT s.s_suppkey, s.s_name, r.total_revenue
        FROM tpch.supplier s JOIN revenue r ON s.s_suppkey = r.supplier_no
        WHERE r.total_revenue = (SELECT MAX(total_revenue) FROM revenue);
    """,
    "q18_large_volume_customer.sql": """
        INSERT INTO report.large_volume_customer
        SELECT c.c_name, o.o_orderkey, SUM(l.l_quantity) AS total_qty
        FROM tpch.customer c JOIN tpch.orders o ON c.c_custkey = o.o_custkey
        JOIN tpch.lineitem l ON o.o_orderkey = l.l_orderkey
        WHERE o.o_orderkey IN (
            SELECT l_orderkey FROM tpch.lineitem GROUP BY l_orderkey HAVING SUM(l_quantity) > 300
        )
        GROUP BY c.c_name, o.o_orderkey;
    """,
}

# Hand-checked: job -> (inputs, output, {output column: {(table, column), ...}}). Columns with
# no source column (COUNT(*)) have no entry; join and filter columns are not sources.
EXPECTED: dict[str, tuple[set[str], str, dict[str, set[tuple[str, str]]]]] = {
    "q01_pricing_summary.sql": (
        {"tpch.lineitem"},
        "report.pricing_summary",
        {
            "l_returnflag": {("tpch.lineitem", "l_returnflag")},
            "l_linestatus": {("tpch.lineitem", "l_linestatus")},
            "sum_qty": {("tpch.lineitem", "l_quantity")},
            "sum_disc_price": {("tpch.lineitem", "l_extendedprice"), ("tpch.lineitem", "l_discount")},
            "avg_disc": {("tpch.lineitem", "l_discount")},
        },
    ),
    "q03_shipping_priority.sql": (
        {"tpch.customer", "tpch.orders", "tpch.lineitem"},
        "report.shipping_priority",
        {
            "l_orderkey": {("tpch.lineitem", "l_orderkey")},
            "revenue": {("tpch.lineitem", "l_extendedprice"), ("tpch.lineitem", "l_discount")},
            "o_orderdate": {("tpch.orders", "o_orderdate")},
            "o_shippriority": {("tpch.orders", "o_shippriority")},
        },
    ),
    "q05_local_supplier_volume.sql": (
        {"tpch.customer", "tpch.orders", "tpch.lineitem", "tpch.supplier", "tpch.nation", "tpch.region"},
        "report.local_supplier_volume",
        {
            "n_name": {("tpch.nation", "n_name")},
            "revenue": {("tpch.lineitem", "l_extendedprice"), ("tpch.lineitem", "l_discount")},
        },
    ),
    "q13_customer_distribution.sql": (
        {"tpch.customer", "tpch.orders"},
        "report.customer_distribution",
        {"c_count": {("tpch.orders", "o_orderkey")}},
    ),
    "q15_top_supplier.sql": (
        {"tpch.supplier", "tpch.lineitem"},
        "report.top_supplier",
        {
            "s_suppkey": {("tpch.supplier", "s_suppkey")},
            "s_name": {("tpch.supplier", "s_name")},
            "total_revenue": {("tpch.lineitem", "l_extendedprice"), ("tpch.lineitem", "l_discount")},
        },
    ),
    "q18_large_volume_customer.sql": (
        {"tpch.customer", "tpch.orders", "tpch.lineitem"},
        "report.large_volume_customer",
        {
            "c_name": {("tpch.customer", "c_name")},
            "o_orderkey": {("tpch.orders", "o_orderkey")},
            "total_qty": {("tpch.lineitem", "l_quantity")},
        },
    ),
}


def write_files(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def scan(tmp_path: Path, files: dict[str, str], settings: ScanSettings = POSTGRES) -> list[dict[str, Any]]:
    sql_dir = write_files(tmp_path / "sql", files)
    output = tmp_path / "out" / "lineage.jsonl"
    scan_directory(sql_dir, output, settings)
    events = read_events(output)
    for event in events:
        assert_valid_event(event)
    return events


def column_lineage(dataset: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    fields = dataset.get("facets", {}).get("columnLineage", {}).get("fields", {})
    return {
        column: {(source["name"], source["field"]) for source in spec["inputFields"]}
        for column, spec in fields.items()
    }


def test_tpch_queries_give_the_hand_checked_table_and_column_lineage(tmp_path: Path) -> None:
    events = scan(tmp_path, TPCH)

    assert [event["job"]["name"] for event in events] == sorted(TPCH)
    for event in events:
        inputs, output, columns = EXPECTED[event["job"]["name"]]
        assert event["eventType"] == "COMPLETE"
        assert event["job"]["namespace"] == "scans"
        assert {d["name"] for d in event["inputs"]} == inputs, event["job"]["name"]
        (written,) = event["outputs"]
        assert written["name"] == output
        assert {d["namespace"] for d in [*event["inputs"], written]} == {NS}
        assert column_lineage(written) == columns, event["job"]["name"]
        assert all(
            d["namespace"] == NS
            for f in written["facets"]["columnLineage"]["fields"].values()
            for d in f["inputFields"]
        )


def test_one_job_per_file_named_by_its_path_under_sql_dir(tmp_path: Path) -> None:
    events = scan(tmp_path, {"b/nested/x.sql": "INSERT INTO a SELECT 1", "a.sql": "SELECT 1 FROM t"})
    assert [event["job"]["name"] for event in events] == ["a.sql", "b/nested/x.sql"]
    assert len({event["run"]["runId"] for event in events}) == 2


def test_statements_of_one_file_keep_their_own_column_lineage(tmp_path: Path) -> None:
    (event,) = scan(
        tmp_path,
        {"two.sql": "INSERT INTO a SELECT x FROM s1;\nINSERT INTO b SELECT x AS y FROM s2;"},
    )
    outputs = {d["name"]: column_lineage(d) for d in event["outputs"]}
    assert outputs == {"a": {"x": {("s1", "x")}}, "b": {"y": {("s2", "x")}}}
    assert {d["name"] for d in event["inputs"]} == {"s1", "s2"}


def test_sql_facet_carries_the_statements_and_dialect(tmp_path: Path) -> None:
    (event,) = scan(tmp_path, {"a.sql": "-- c\nINSERT INTO a SELECT 1;\n\nSELECT 2 FROM b;\n"})
    sql = event["job"]["facets"]["sql"]
    assert sql["dialect"] == "postgres"
    assert sql["query"] == "-- c\nINSERT INTO a SELECT 1;\nSELECT 2 FROM b"


def test_credentials_in_sql_never_reach_the_events(tmp_path: Path) -> None:
    events = scan(
        tmp_path,
        {
            "user.sql": "ALTER USER etl WITH PASSWORD 'pw-9f3k'; INSERT INTO a SELECT x FROM b;",
            "bad.sql": "CREATE USER x PASSWORD 'pw-77aa' BOGUS 'pw-77aa' junk junk;",
        },
    )
    text = repr(events)
    assert "pw-9f3k" not in text
    assert "pw-77aa" not in text
    assert "'***'" in events[1]["job"]["facets"]["sql"]["query"]


def test_ctes_subqueries_and_unions_resolve_to_their_tables(tmp_path: Path) -> None:
    (event,) = scan(
        tmp_path,
        {
            "q.sql": """
            INSERT INTO mart.totals
            WITH paid AS (SELECT invoice_id, amount FROM pay.transactions WHERE status = 'PAID')
            SELECT u.invoice_id, SUM(u.amount) AS total
            FROM (SELECT invoice_id, amount FROM paid
                  UNION ALL SELECT invoice_id, amount FROM pay.adjustments) u
            GROUP BY u.invoice_id
            """
        },
    )
    assert {d["name"] for d in event["inputs"]} == {"pay.transactions", "pay.adjustments"}
    (output,) = event["outputs"]
    assert column_lineage(output) == {
        "invoice_id": {("pay.transactions", "invoice_id"), ("pay.adjustments", "invoice_id")},
        "total": {("pay.transactions", "amount"), ("pay.adjustments", "amount")},
    }


def test_sources_ascribed_to_a_cte_are_dropped_not_reported_as_tables(tmp_path: Path) -> None:
    # SELECT * in a CTE: without the table's schema no parser can name the CTE's columns
    (event,) = scan(
        tmp_path,
        {"q.sql": "CREATE TABLE o AS WITH s AS (SELECT * FROM pay.t) SELECT s.id, s.amount AS a FROM s"},
    )
    assert {d["name"] for d in event["inputs"]} == {"pay.t"}
    (output,) = event["outputs"]
    assert output == {"namespace": NS, "name": "o"}


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t (a, b) SELECT y, x FROM s",
        "MERGE INTO t USING (SELECT id, v FROM s) src ON t.id = src.id "
        "WHEN MATCHED THEN UPDATE SET v = src.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (src.id, src.v)",
        "UPDATE t SET a = s.b FROM s WHERE t.id = s.id",
        "DELETE FROM t WHERE id IN (SELECT id FROM s)",
    ],
)
def test_statements_whose_target_columns_the_parser_cannot_name_give_table_lineage_only(
    tmp_path: Path, sql: str
) -> None:
    (event,) = scan(tmp_path, {"q.sql": sql})
    assert [d["name"] for d in event["inputs"]] == ["s"]
    (output,) = event["outputs"]
    assert output["name"] == "t"
    assert "facets" not in output


def test_unnamed_expressions_get_no_invented_column_name(tmp_path: Path) -> None:
    (event,) = scan(tmp_path, {"q.sql": "INSERT INTO t SELECT a, b + c FROM s"})
    assert column_lineage(event["outputs"][0]) == {"a": {("s", "a")}}


def test_quoted_names_keep_their_case_and_unquoted_names_fold_as_the_database_does(tmp_path: Path) -> None:
    sql = 'INSERT INTO "Mart"."Daily Sales" SELECT "Qty" AS "Units", Amount FROM Raw.Lines'
    (pg,) = scan(tmp_path / "pg", {"q.sql": sql})
    assert [d["name"] for d in pg["inputs"]] == ["raw.lines"]
    assert pg["outputs"][0]["name"] == "Mart.Daily Sales"
    assert column_lineage(pg["outputs"][0]) == {
        "Units": {("raw.lines", "Qty")},
        "amount": {("raw.lines", "amount")},
    }
    snowflake = ScanSettings(dialect="snowflake", namespace="snowflake://org-acct", job_namespace="scans")
    (sf,) = scan(tmp_path / "sf", {"q.sql": sql}, snowflake)
    assert [d["name"] for d in sf["inputs"]] == ["RAW.LINES"]
    assert sf["outputs"][0]["name"] == "Mart.Daily Sales"
    assert column_lineage(sf["outputs"][0]) == {
        "Units": {("RAW.LINES", "Qty")},
        "AMOUNT": {("RAW.LINES", "AMOUNT")},
    }


def test_default_database_and_schema_complete_partial_names(tmp_path: Path) -> None:
    settings = ScanSettings(
        dialect="snowflake",
        namespace="snowflake://org-acct",
        job_namespace="scans",
        default_database="analytics",
        default_schema="public",
    )
    (event,) = scan(
        tmp_path,
        {"q.sql": "INSERT INTO t SELECT a FROM s JOIN other.u ON s.id = u.id JOIN db2.x.v ON 1=1"},
        settings,
    )
    assert {d["name"] for d in event["inputs"]} == {"ANALYTICS.PUBLIC.S", "ANALYTICS.OTHER.U", "DB2.X.V"}
    assert event["outputs"][0]["name"] == "ANALYTICS.PUBLIC.T"
    assert column_lineage(event["outputs"][0]) == {"A": {("ANALYTICS.PUBLIC.S", "A")}}


def test_tables_read_inside_ctes_are_kept_with_a_default_schema(tmp_path: Path) -> None:
    # openlineage-sql 1.54 drops them when it applies the default schema itself
    settings = ScanSettings(dialect="postgres", namespace=NS, job_namespace="scans", default_schema="public")
    (event,) = scan(
        tmp_path,
        {"q.sql": "CREATE TABLE o AS WITH s AS (SELECT a FROM x.t) SELECT s.a, u.b FROM s JOIN u ON 1=1"},
        settings,
    )
    assert {d["name"] for d in event["inputs"]} == {"x.t", "public.u"}
    assert [d["name"] for d in event["outputs"]] == ["public.o"]
    assert column_lineage(event["outputs"][0]) == {"a": {("x.t", "a")}, "b": {("public.u", "b")}}


def test_a_bad_statement_is_recorded_with_file_and_line_and_the_rest_still_parsed(tmp_path: Path) -> None:
    sql = (
        "INSERT INTO a SELECT x FROM s;\n\n-- broken below\nSELEC x\nFROM t;\n"
        "INSERT INTO b SELECT y FROM u;\n"
    )
    (event,) = scan(tmp_path, {"app/bad.sql": sql})
    assert event["eventType"] == "FAIL"
    assert {d["name"] for d in event["inputs"]} == {"s", "u"}
    assert {d["name"] for d in event["outputs"]} == {"a", "b"}
    error = event["run"]["facets"]["errorMessage"]
    assert error["programmingLanguage"] == "SQL"
    assert "app/bad.sql:4: " in error["message"]
    assert "SELEC" in error["message"]
    extraction = event["run"]["facets"]["extractionError"]
    assert (extraction["totalTasks"], extraction["failedTasks"]) == (3, 1)
    assert extraction["errors"][0]["task"] == "app/bad.sql:4"
    assert extraction["errors"][0]["taskNumber"] == 1


def test_a_parser_position_inside_a_statement_becomes_the_file_line() -> None:
    result = scan_sql("SELECT 1;\n\nINSERT INTO a\nSELECT x\nFROM s\nWHERE x = = 1;", "q.sql", POSTGRES)
    assert result.problems == ["q.sql:6: Expected: an expression, found: = at column 11"]


def test_a_statement_cut_short_points_at_its_last_line(tmp_path: Path) -> None:
    sql = "SELECT 1;\nINSERT INTO a\nSELECT x\nFROM s WHERE;\n"
    (event,) = scan(tmp_path, {"q.sql": sql})
    (error,) = event["run"]["facets"]["extractionError"]["errors"]
    assert error["errorMessage"].startswith("q.sql:4: ")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "q.sql:1: no SQL statement in the file"),
        (b"-- only a comment\n", "q.sql:1: no SQL statement in the file"),
        (b"SELECT 1;\nSELECT '\xff\xfe';", "q.sql:2: not UTF-8 text"),
    ],
)
def test_files_without_parsable_sql_are_failed_files(tmp_path: Path, content: bytes, problem: str) -> None:
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    (sql_dir / "q.sql").write_bytes(content)
    (sql_dir / "ok.sql").write_text("SELECT 1 FROM t")
    summary = scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES)
    assert (summary.files, summary.failed_files) == (2, 1)
    assert summary.failures[0].problems[0].startswith(problem)
    events = {e["job"]["name"]: e for e in read_events(tmp_path / "out.jsonl")}
    for event in events.values():
        assert_valid_event(event)
    assert events["q.sql"]["eventType"] == "FAIL"
    assert events["ok.sql"]["eventType"] == "COMPLETE"


def test_a_symlink_out_of_sql_dir_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "private" / "secret.sql"
    secret.parent.mkdir()
    secret.write_text("INSERT INTO leaked SELECT password FROM vault.users")
    sql_dir = write_files(tmp_path / "sql", {"ok.sql": "SELECT 1 FROM t"})
    os.symlink(secret, sql_dir / "planted.sql")
    summary = scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES)
    assert summary.failed_files == 1
    assert "resolves outside the SQL folder" in summary.failures[0].problems[0]
    text = (tmp_path / "out.jsonl").read_text()
    assert "vault" not in text
    assert "leaked" not in text


def test_a_symlinked_folder_out_of_sql_dir_is_not_read(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.sql").write_text("INSERT INTO leaked SELECT password FROM vault.users")
    sql_dir = write_files(tmp_path / "sql", {"ok.sql": "SELECT 1 FROM t"})
    os.symlink(private, sql_dir / "linked", target_is_directory=True)
    # "**" does not descend into it; named by the pattern, the file is refused
    summary = scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES)
    assert (summary.files, summary.failed_files) == (1, 0)
    summary = scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES, pattern="linked/*.sql")
    assert [f.path for f in summary.failures] == ["linked/secret.sql"]
    assert "vault" not in (tmp_path / "out.jsonl").read_text()


def test_a_symlink_that_stays_inside_sql_dir_is_read(tmp_path: Path) -> None:
    sql_dir = write_files(tmp_path / "sql", {"shared/base.sql": "INSERT INTO a SELECT x FROM b"})
    os.symlink(sql_dir / "shared" / "base.sql", sql_dir / "alias.sql")
    summary = scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES)
    assert (summary.files, summary.failed_files) == (2, 0)
    assert {e["outputs"][0]["name"] for e in read_events(tmp_path / "out.jsonl")} == {"a"}


def share_summary(tmp_path: Path, good: int, bad: int) -> Any:
    files = {f"good{i}.sql": "SELECT 1 FROM t" for i in range(good)}
    files |= {f"bad{i}.sql": "SELEC nonsense" for i in range(bad)}
    sql_dir = write_files(tmp_path / "sql", files)
    return scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES)


def test_by_default_any_failed_file_fails_the_scan_and_names_every_problem(tmp_path: Path) -> None:
    summary = share_summary(tmp_path, good=9, bad=1)
    with pytest.raises(LineageError, match=r"1 of 10 SQL files .*bad0\.sql:1: Expected"):
        summary.check(0.0)
    assert len(read_events(tmp_path / "out.jsonl")) == 10


@pytest.mark.parametrize(("share", "fails"), [(0.0, True), (0.19, True), (0.2, False), (1.0, False)])
def test_the_scan_fails_only_above_the_allowed_share_of_failed_files(
    tmp_path: Path, share: float, fails: bool
) -> None:
    summary = share_summary(tmp_path, good=8, bad=2)
    if fails:
        with pytest.raises(LineageError, match="2 of 10 SQL files"):
            summary.check(share)
    else:
        summary.check(share)


def test_a_clean_scan_passes_the_strictest_share(tmp_path: Path) -> None:
    share_summary(tmp_path, good=3, bad=0).check(0.0)


@pytest.mark.parametrize("value", ["x", -0.1, 1.5, None])
def test_share_setting_must_be_a_number_from_0_to_1(value: Any) -> None:
    with pytest.raises(LineageError, match="max_failed_share must be a number from 0 to 1"):
        failed_share_setting(value)


def test_share_setting_accepts_templated_strings() -> None:
    assert failed_share_setting("0.25") == 0.25


def test_no_matching_file_is_an_error_not_an_empty_result(tmp_path: Path) -> None:
    sql_dir = write_files(tmp_path / "sql", {"notes.txt": "SELECT 1"})
    with pytest.raises(LineageError, match=r"no file matches '\*\*/\*\.sql' under"):
        scan_directory(sql_dir, tmp_path / "out.jsonl", POSTGRES)
    assert not (tmp_path / "out.jsonl").exists()


def test_a_missing_sql_dir_is_named(tmp_path: Path) -> None:
    with pytest.raises(LineageError, match=r"sql_dir .*missing is not a folder"):
        scan_directory(tmp_path / "missing", tmp_path / "out.jsonl", POSTGRES)


def test_unknown_dialect_fails_before_scanning(tmp_path: Path) -> None:
    with pytest.raises(LineageError, match="unknown SQL dialect 'oracle'"):
        ScanSettings(dialect="oracle", namespace=NS, job_namespace="scans")


def test_scan_sql_of_text_gives_one_schema_valid_event() -> None:
    result = scan_sql("INSERT INTO a SELECT b FROM c", "x.sql", POSTGRES)
    assert_valid_event(result.event)
    assert (result.statements, result.problems) == (1, [])


def test_another_users_symlink_planted_in_a_shared_sql_dir_is_not_followed(other_user: LocalUser) -> None:
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="lineage-attack-"))  # pytest's tmp root is private to root
    try:
        base.chmod(0o755)
        secret = base / "root_only" / "grants.sql"
        secret.parent.mkdir()
        secret.write_text("INSERT INTO leaked SELECT api_token FROM vault.service_accounts")
        secret.chmod(0o600)
        sql_dir = write_files(base / "shared_sql", {"ok.sql": "INSERT INTO a SELECT x FROM b"})
        sql_dir.chmod(0o1777)  # a shared, sticky drop folder
        # the attacker cannot read the file, but links to it hoping the scanner (root) will
        other_user.run("ln", "-s", secret, sql_dir / "planted.sql")
        assert (sql_dir / "planted.sql").lstat().st_uid != 0

        summary = scan_directory(sql_dir, base / "out.jsonl", POSTGRES)

        assert [f.path for f in summary.failures] == ["planted.sql"]
        text = (base / "out.jsonl").read_text()
        assert "vault" not in text
        assert "api_token" not in text
    finally:
        shutil.rmtree(base)
