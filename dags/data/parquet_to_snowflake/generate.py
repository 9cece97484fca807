"""Regenerate the small Parquet files shipped for the parquet_to_snowflake example.

    .venv/bin/python dags/data/parquet_to_snowflake/generate.py

dim/*.parquet: one table per file (CALENDAR, PRODUCT); fact/sales/: part files of one table
(SALES), written the way Spark writes them (part files plus a _SUCCESS marker).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent


def main() -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(14)]
    calendar = pa.table(
        {
            "Time_ID": pa.array([int(d.strftime("%Y%m%d")) for d in days], pa.int64()),
            "CalDate": pa.array(days, pa.date32()),
            "CalYear": pa.array([d.year for d in days], pa.int16()),
            "CalMonthOfYearNo": pa.array([d.month for d in days], pa.int8()),
            "DayName": pa.array([d.strftime("%A") for d in days]).dictionary_encode(),
            "IsWeekend": pa.array([d.weekday() >= 5 for d in days]),
        }
    )
    product = pa.table(
        {
            "ProductID": pa.array([1, 2, 3], pa.int32()),
            "ProductName": ["Widget", "Gadget", "Gizmo"],
            "ListPrice": pa.array([Decimal("9.99"), Decimal("24.50"), Decimal("3.75")], pa.decimal128(10, 2)),
            "Tags": pa.array([["blue"], ["red", "large"], []], pa.list_(pa.string())),
        }
    )
    (HERE / "dim").mkdir(exist_ok=True)
    pq.write_table(calendar, HERE / "dim" / "calendar.parquet")
    pq.write_table(product, HERE / "dim" / "product.parquet")

    sales = HERE / "fact" / "sales"
    sales.mkdir(parents=True, exist_ok=True)
    for part in range(2):
        rows = range(part * 5, part * 5 + 5)
        table = pa.table(
            {
                "SaleID": pa.array(list(rows), pa.int64()),
                "Time_ID": pa.array([int(days[i].strftime("%Y%m%d")) for i in rows], pa.int64()),
                "ProductID": pa.array([1 + i % 3 for i in rows], pa.int32()),
                "Quantity": pa.array([1 + i % 4 for i in rows], pa.int32()),
                "Amount": pa.array([Decimal(f"{10 + i}.25") for i in rows], pa.decimal128(12, 2)),
                "SoldAt": pa.array(
                    [
                        dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.timezone.utc) + dt.timedelta(hours=i)
                        for i in rows
                    ],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        )
        pq.write_table(table, sales / f"part-{part:05d}.snappy.parquet")
    (sales / "_SUCCESS").write_bytes(b"")


if __name__ == "__main__":
    main()
