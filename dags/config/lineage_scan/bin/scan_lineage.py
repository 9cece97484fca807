"""A small SQL lineage scanner: which tables each SQL file reads and writes.

``scan --sql-dir DIR --output FILE`` writes the raw lineage of every ``*.sql`` under DIR;
``enrich --input FILE --output FILE --application APP --run-date DATE`` adds the run's metadata
and the table list. Standard library only; regular expressions, not a SQL parser.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

_NAME = r"([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*)"
_TARGET = re.compile(
    r"\b(?:insert\s+(?:overwrite\s+table|overwrite|into)|create\s+(?:or\s+replace\s+)?(?:table|view)"
    r"(?:\s+if\s+not\s+exists)?|merge\s+into)\s+" + _NAME,
    re.IGNORECASE,
)
_SOURCE = re.compile(r"\b(?:from|join|using)\s+" + _NAME, re.IGNORECASE)
_CTE = re.compile(r"(?:\bwith|,)\s+([A-Za-z_]\w*)\s+as\s*\(", re.IGNORECASE)
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def lineage_of(sql: str) -> dict[str, list[str]]:
    text = _COMMENTS.sub(" ", sql)
    targets = sorted({m.lower() for m in _TARGET.findall(text)})
    ctes = {m.lower() for m in _CTE.findall(text)}
    sources = sorted({m.lower() for m in _SOURCE.findall(text)} - ctes - set(targets))
    return {"targets": targets, "sources": sources}


def scan(sql_dir: Path, output: Path) -> int:
    files = sorted(sql_dir.rglob("*.sql"))
    if not files:
        print(f"scan: no .sql files under {sql_dir}", file=sys.stderr)
        return 1
    entries = [{"file": str(f.relative_to(sql_dir)), **lineage_of(f.read_text())} for f in files]
    edges = sorted({(s, t) for e in entries for t in e["targets"] for s in e["sources"]})
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps({"files": entries, "edges": [{"from": s, "to": t} for s, t in edges]}, indent=2)
    )
    print(f"scan: {len(entries)} file(s), {len(edges)} edge(s) -> {output}")
    return 0


def enrich(source: Path, output: Path, application: str, run_date: str) -> int:
    lineage = json.loads(source.read_text())
    tables = sorted({t for e in lineage["files"] for t in e["targets"] + e["sources"]})
    lineage.update({"application": application, "run_date": run_date, "tables": tables})
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(lineage, indent=2, sort_keys=True))
    print(f"enrich: {len(tables)} table(s) -> {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    scan_cmd = commands.add_parser("scan")
    scan_cmd.add_argument("--sql-dir", type=Path, required=True)
    scan_cmd.add_argument("--output", type=Path, required=True)
    enrich_cmd = commands.add_parser("enrich")
    enrich_cmd.add_argument("--input", type=Path, required=True)
    enrich_cmd.add_argument("--output", type=Path, required=True)
    enrich_cmd.add_argument("--application", required=True)
    enrich_cmd.add_argument("--run-date", required=True)
    args = parser.parse_args(argv)
    if args.command == "scan":
        return scan(args.sql_dir, args.output)
    return enrich(args.input, args.output, args.application, args.run_date)


if __name__ == "__main__":
    sys.exit(main())
