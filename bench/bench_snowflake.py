"""Benchmark the Parquet → Snowflake planner.

1. Planning 1,000 local Parquet files (mixed schemas, 20-200 columns, one table per file) with
   ``plan_load`` against the floor: a bare loop of ``pyarrow.parquet.read_schema`` over the same
   files, measured in the same run. Target: ratio <= 1.2x.
2. Bytes read per remote file when planning ``gs://`` sources, counted on the wire by an HTTP
   proxy in front of the GCS emulator. Target: footer size + at most one 64 KiB read. The naive
   ``pyarrow.parquet.read_schema(gcsfs_file)`` is shown beside it for contrast.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_snowflake.py``).
"""

from __future__ import annotations

import io
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from benchlib import best_of, print_table  # noqa: E402

from airflow_provider_dataops.snowflake.parquet import plan_load  # noqa: E402
from airflow_provider_dataops.snowflake.sources import TAIL_READ_BYTES  # noqa: E402

FILES = 1000
REPEATS = 7
RATIO_TARGET = 1.2

_TYPES: list[pa.DataType] = [
    pa.int8(), pa.int32(), pa.int64(), pa.uint16(), pa.float32(), pa.float64(), pa.decimal128(12, 2),
    pa.string(), pa.large_string(), pa.binary(), pa.bool_(), pa.date32(), pa.timestamp("us"),
    pa.timestamp("ns", tz="UTC"), pa.time64("us"), pa.list_(pa.int64()),
    pa.struct([("a", pa.int64()), ("b", pa.string())]), pa.dictionary(pa.int32(), pa.string()),
]  # fmt: skip


def make_files(folder: Path, count: int, rng: random.Random) -> list[str]:
    paths = []
    for i in range(count):
        width = rng.randint(20, 200)
        fields = [pa.field(f"col_{i % 7}_{c}", rng.choice(_TYPES)) for c in range(width)]
        schema = pa.schema(fields)
        table = pa.Table.from_arrays([pa.nulls(3, f.type) for f in fields], schema=schema)
        path = folder / f"table_{i:04d}.parquet"
        pq.write_table(table, path)
        paths.append(str(path))
    return paths


def local_planning() -> list[tuple[str, str, str, str]]:
    rng = random.Random(20240601)
    with tempfile.TemporaryDirectory(prefix="bench-snowflake-") as tmp:
        folder = Path(tmp)
        paths = make_files(folder, FILES, rng)
        glob = str(folder / "*.parquet")

        def floor() -> None:
            for path in paths:
                pq.read_schema(path)

        def ours() -> None:
            plan = plan_load(glob, database="BENCH", schema="PUBLIC")
            assert len(plan.tables) == FILES
            plan.to_sql()

        floor(), ours()  # warm the page cache and imports
        floor_times, our_times = [], []
        for _ in range(REPEATS):  # interleaved, so noise hits both alike
            floor_times.append(best_of(floor, 1)[0])
            our_times.append(best_of(ours, 1)[0])
        columns = sum(len(pq.read_schema(p)) for p in paths)
    f, o = min(floor_times), min(our_times)  # least-disturbed run of each on a shared machine
    return [
        (
            f"plan {FILES} local files ({columns} columns) + to_sql()",
            f"{o:.3f} s vs read_schema loop {f:.3f} s",
            f"{o / f:.2f}x",
            f"<= {RATIO_TARGET}x",
        )
    ]


def remote_bytes() -> list[tuple[str, str, str, str]]:
    from gcp_storage_emulator.server import create_server
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    from tests.fixtures.peers import free_port
    from tests.fixtures.snowflake import CountingProxy, footer_size

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    rows: list[tuple[str, str, str, str]] = []
    try:
        os.environ["STORAGE_EMULATOR_HOST"] = f"http://127.0.0.1:{port}"
        client = storage.Client(project="bench", credentials=AnonymousCredentials())
        bucket = client.create_bucket("bench")
        shapes = {"narrow_big": (300_000, 4), "medium": (20_000, 60), "wide_footer": (10, 2500)}
        blobs = {}
        for name, (n_rows, n_cols) in shapes.items():
            buf = io.BytesIO()
            table = pa.table({f"c{i}": pa.array(range(i, i + n_rows), pa.int64()) for i in range(n_cols)})
            pq.write_table(table, buf, compression="none")
            data = buf.getvalue()
            bucket.blob(f"lake/{name}.parquet").upload_from_string(data)
            blobs[name] = data
        with CountingProxy(f"http://127.0.0.1:{port}") as proxy:
            os.environ["STORAGE_EMULATOR_HOST"] = proxy.url
            for name, data in blobs.items():
                proxy.reset()
                url = f"gs://bench/lake/{name}.parquet"
                plan_load(url, stage_url="gs://bench/lake", storage_integration="i")
                ours = proxy.media_bytes
                proxy.reset()
                import gcsfs

                fs = gcsfs.GCSFileSystem(skip_instance_cache=True)
                with fs.open(f"bench/lake/{name}.parquet", "rb") as handle:
                    pq.read_schema(handle)
                naive = proxy.media_bytes
                footer = footer_size(data)
                bound = footer + TAIL_READ_BYTES
                rows.append(
                    (
                        f"gs:// {name}: {len(data) / 1e6:.1f} MB file, footer {footer / 1024:.1f} KiB",
                        f"{ours / 1024:.1f} KiB read (naive gcsfs read_schema: {naive / 1024:.1f} KiB)",
                        f"{ours / bound:.2f}x of bound",
                        f"<= 1.00x (footer + 64 KiB = {bound / 1024:.1f} KiB)",
                    )
                )
    finally:
        server.stop()
    return rows


def main() -> int:
    import logging

    logging.getLogger("gcsfs").setLevel(logging.ERROR)  # "Could not determine bucket type" on the emulator
    rows = local_planning() + remote_bytes()
    print_table(("case", "measured", "ratio", "target"), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
