"""Find Parquet files and read their schemas from the footer only (no Airflow import).

Local paths are read with ``pyarrow.parquet.read_schema`` (it reads the tail of the file).
``gs://`` / ``s3://`` / other fsspec URLs are read with ranged reads: one read of the last
64 KiB, plus one more only when the footer is larger than that. Data pages are never read.
A footer longer than :func:`max_footer_bytes` (64 MiB unless ``DATAOPS_PARQUET_MAX_FOOTER_BYTES``
says otherwise) is refused before it is read: its length comes from the file, so a forged one
could otherwise make the planner fetch and hold most of a large object, for 16 files at once.
"""

from __future__ import annotations

import glob as globlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_dataops.snowflake.types import may_hide_types

#: One ranged read of this size at the end of a file holds the footer of almost any Parquet file.
TAIL_READ_BYTES = 64 * 1024
_MAGIC = b"PAR1"
_ENCRYPTED_MAGIC = b"PARE"
ENCRYPTED_FOOTER = (
    "encrypted Parquet file (its footer is encrypted): the planner reads the schema from the footer, "
    "so it needs a plaintext footer (write with plaintext_footer=True) or the file's decryption properties"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB_CHARS = re.compile(r"[*?\[]")
_PARALLEL_FROM = 8
#: Default bound on one Parquet footer (metadata) the planner reads.
MAX_FOOTER_BYTES = 64 * 1024 * 1024
MAX_FOOTER_ENV = "DATAOPS_PARQUET_MAX_FOOTER_BYTES"
_LOCAL_WORKERS = 4
_REMOTE_WORKERS = 16


class ParquetSourceError(ValueError):
    """A source that cannot be planned; the message names the file and the problem."""


@dataclass(frozen=True)
class ParquetSource:
    """One Parquet file: where it is, which table it feeds, and its schema (from the footer)."""

    url: str
    """Absolute local path, or the full URL (``gs://bucket/key``)."""
    table: str
    """Target table name (already resolved, unquoted)."""
    relative_name: str
    """The file's name under its table's stage (path below the source directory, or the file name)."""
    size: int
    schema: Any = field(compare=False, repr=False)
    """The ``pyarrow.Schema``."""
    metadata: Any = field(default=None, compare=False, repr=False)
    """The footer (``pyarrow.parquet.FileMetaData``) when it may carry logical types the Arrow
    schema hides (VARIANT, GEOMETRY, GEOGRAPHY), else ``None``."""

    @property
    def is_remote(self) -> bool:
        return is_url(self.url)


def is_url(value: str) -> bool:
    return bool(_URL.match(value)) and not value.startswith("file://")


def table_name_from_stem(name: str) -> str:
    """``dim_calendar.snappy.parquet`` → ``DIM_CALENDAR`` (the seed's rule: the file stem, upper-cased)."""
    stem = name.split(".", 1)[0] or name
    return stem.upper()


def _hidden(name: str) -> bool:
    """Spark / Hive side files (``_SUCCESS``, ``_metadata``, ``.crc``) are not data."""
    return name.startswith(("_", "."))


def _local_files(item: str, table: str | None) -> list[tuple[str, str, str, int]]:
    """``(path, table, relative_name, size)`` for one local source item."""
    path = item[len("file://") :] if item.startswith("file://") else item
    path = os.path.abspath(os.path.expanduser(path))
    if _GLOB_CHARS.search(path) and not os.path.isfile(path):
        matches = sorted(p for p in globlib.glob(path, recursive=True) if os.path.isfile(p))
        if not matches:
            raise ParquetSourceError(f"{item}: no files match this pattern")
        return [
            (p, table or table_name_from_stem(os.path.basename(p)), os.path.basename(p), os.path.getsize(p))
            for p in matches
        ]
    if os.path.isdir(path):
        found: list[tuple[str, str, str, int]] = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not _hidden(d))
            for name in sorted(files):
                if _hidden(name):
                    continue
                full = os.path.join(root, name)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                dir_table = table or os.path.basename(path.rstrip(os.sep)).upper()
                found.append((full, dir_table, rel, os.path.getsize(full)))
        if not found:
            raise ParquetSourceError(f"{item}: directory holds no Parquet files")
        return found
    if os.path.isfile(path):
        name = os.path.basename(path)
        return [(path, table or table_name_from_stem(name), name, os.path.getsize(path))]
    raise ParquetSourceError(f"{item}: no such file or directory")


def _remote_files(item: str, table: str | None) -> list[tuple[str, str, str, int]]:
    fs, path = _filesystem(item)
    protocol = item.split("://", 1)[0]

    def full(p: str) -> str:
        return f"{protocol}://{p}"

    if _GLOB_CHARS.search(path) and not _is_remote_file(fs, path):
        matches = {p: info for p, info in fs.glob(path, detail=True).items() if info.get("type") == "file"}
        if not matches:
            raise ParquetSourceError(f"{item}: no files match this pattern")
        return [
            (full(p), table or table_name_from_stem(_base(p)), _base(p), int(info["size"]))
            for p, info in sorted(matches.items())
        ]
    try:
        info = fs.info(path)
    except FileNotFoundError:
        raise ParquetSourceError(f"{item}: no such file or directory") from None
    if info.get("type") == "directory":
        root = path.rstrip("/")
        found = []
        for p, detail in sorted(fs.find(root, detail=True).items()):
            rel = p[len(root) + 1 :]
            if detail.get("type") != "file" or any(_hidden(part) for part in rel.split("/")):
                continue
            found.append((full(p), table or root.rsplit("/", 1)[-1].upper(), rel, int(detail["size"])))
        if not found:
            raise ParquetSourceError(f"{item}: directory holds no Parquet files")
        return found
    name = path.rsplit("/", 1)[-1]
    return [(full(path), table or table_name_from_stem(name), name, int(info["size"]))]


def _is_remote_file(fs: Any, path: str) -> bool:
    """An object literally named like a pattern (``part[a].parquet``) is that object, not a glob."""
    try:
        return bool(fs.info(path).get("type") == "file")
    except (FileNotFoundError, OSError, ValueError):
        return False


def _filesystem(url: str) -> tuple[Any, str]:
    """The fsspec filesystem for ``url`` (fresh, so emulator / credential settings are current)."""
    from fsspec.core import url_to_fs

    try:
        return url_to_fs(url, skip_instance_cache=True)
    except (ImportError, ValueError) as exc:
        scheme = url.split("://", 1)[0]
        raise ParquetSourceError(f"{url}: cannot read {scheme}:// URLs here ({exc})") from None


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def max_footer_bytes() -> int:
    """The footer bound: ``DATAOPS_PARQUET_MAX_FOOTER_BYTES`` if set, else :data:`MAX_FOOTER_BYTES`."""
    raw = os.environ.get(MAX_FOOTER_ENV, "").strip()
    if not raw:
        return MAX_FOOTER_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise ParquetSourceError(f"{MAX_FOOTER_ENV}={raw!r}: expected a positive number of bytes")
    return int(raw)


def check_footer_length(length: int, url: str, limit: int) -> None:
    """Refuse a footer longer than ``limit`` before reading it."""
    if length > limit:
        raise ParquetSourceError(
            f"{url}: Parquet footer of {length} bytes is larger than the {limit}-byte limit"
            f" ({MAX_FOOTER_ENV}); not read"
        )


def read_remote_schema(
    fs: Any, path: str, size: int, url: str, max_footer: int | None = None
) -> tuple[Any, Any]:
    """The Arrow schema and ``FileMetaData`` from a remote file's footer, by ranged reads only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if size < 12:
        raise ParquetSourceError(f"{url}: not a Parquet file ({size} bytes)")
    start = max(0, size - TAIL_READ_BYTES)
    tail = fs.cat_file(path, start=start, end=size)
    if tail[-4:] == _ENCRYPTED_MAGIC:
        raise ParquetSourceError(f"{url}: {ENCRYPTED_FOOTER}")
    if tail[-4:] != _MAGIC:
        raise ParquetSourceError(f"{url}: not a Parquet file (no PAR1 magic at the end)")
    needed = int.from_bytes(tail[-8:-4], "little") + 8
    if needed + 4 > size:
        raise ParquetSourceError(f"{url}: corrupt Parquet footer (length {needed - 8} exceeds the file)")
    check_footer_length(needed - 8, url, max_footer_bytes() if max_footer is None else max_footer)
    if needed > len(tail):
        tail = fs.cat_file(path, start=size - needed, end=start) + tail
    try:
        reader = pq.ParquetReader()
        reader.open(pa.BufferReader(_MAGIC + tail[-needed:]))
        return reader.schema_arrow, reader.metadata if may_hide_types(tail[-needed:-8]) else None
    except (pa.ArrowException, OSError) as exc:
        raise ParquetSourceError(f"{url}: corrupt Parquet footer ({exc})") from None


def read_local_schema(path: str, max_footer: int | None = None) -> tuple[Any, Any]:
    """The Arrow schema and ``FileMetaData`` from a local file's footer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    limit = max_footer_bytes() if max_footer is None else max_footer
    size = os.path.getsize(path)
    if size > limit + 8:  # only then can the footer be over the limit
        with open(path, "rb") as fh:
            fh.seek(size - 8)
            tail = fh.read(8)
        if tail[4:] == _MAGIC:
            check_footer_length(int.from_bytes(tail[:4], "little"), path, limit)
    try:
        # ParquetReader: what read_schema does minus ParquetFile's per-column Python set-up.
        reader = pq.ParquetReader()
        reader.open(path)
        schema = reader.schema_arrow
        return schema, reader.metadata if may_hide_types(_footer_bytes(path)) else None
    except (pa.ArrowException, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "encrypted" in detail.lower():
            detail = ENCRYPTED_FOOTER
        elif "magic bytes" in detail.lower():
            detail = "not a Parquet file (no PAR1 magic at the end)"
        elif "size is 0" in detail.lower() or os.path.getsize(path) == 0:
            detail = "not a Parquet file (empty file)"
        else:
            detail = f"corrupt Parquet footer ({detail})"
        raise ParquetSourceError(f"{path}: {detail}") from None


def _footer_bytes(path: str) -> bytes:
    """The raw Thrift footer of a file pyarrow has just opened (so its length is sane).

    ``os.pread`` on a bare descriptor: a buffered file object costs more than the two reads.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        end = os.fstat(fd).st_size
        length = int.from_bytes(os.pread(fd, 4, end - 8), "little")
        return os.pread(fd, length, end - 8 - length)
    finally:
        os.close(fd)


def collect_sources(source: Any, table: str | None = None) -> list[ParquetSource]:
    """Expand ``source`` (path, glob, directory, URL, or a list of them) and read every footer.

    Files or glob matches → one table per file stem; a directory → one table named after it for
    all its part files; ``table`` → everything in that table.
    """
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source or [])
    if not items:
        raise ParquetSourceError("source: nothing to load (empty source)")
    listed: list[tuple[str, str, str, int]] = []
    for raw in items:
        item = os.fspath(raw)
        listed.extend(_remote_files(item, table) if is_url(item) else _local_files(item, table))

    unique = list({entry[0]: entry for entry in listed}.values())
    limit = max_footer_bytes()
    filesystems: dict[str, Any] = {}
    for url, *_ in unique:
        protocol = url.split("://", 1)[0] if is_url(url) else ""
        if protocol and protocol not in filesystems:
            filesystems[protocol] = _filesystem(url)[0]

    def read(entry: tuple[str, str, str, int]) -> ParquetSource:
        url, table_name, rel, size = entry
        if "://" in url:
            fs = filesystems[url.split("://", 1)[0]]
            schema, metadata = read_remote_schema(fs, fs._strip_protocol(url), size, url, limit)
        else:
            schema, metadata = read_local_schema(url, limit)
        return ParquetSource(
            url=url, table=table_name, relative_name=rel, size=size, schema=schema, metadata=metadata
        )

    if len(unique) < _PARALLEL_FROM:
        return [read(entry) for entry in unique]
    # Footer reads wait on I/O (and pyarrow releases the GIL), so a few threads overlap them:
    # a large win for gs:// / s3:// latency, a modest one on local disks. Order is kept, and
    # the first bad file in that order is the one reported.
    workers = _REMOTE_WORKERS if filesystems else min(_LOCAL_WORKERS, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parquet-footer") as pool:
        return list(pool.map(read, unique))
