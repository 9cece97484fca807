"""StackQLToParquetOperator against real PostgreSQL, writing locally and to the GCS emulator."""

from __future__ import annotations

import io
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from airflow_provider_dataops.operators.stackql import StackQLToParquetOperator
from tests.fixtures.local_user import LocalUser

SQL = "SELECT * FROM instances ORDER BY id"


def _export(
    conn_id: str, output_path: str, sql: str = SQL, **kwargs: Any
) -> tuple[StackQLToParquetOperator, Any]:
    op = StackQLToParquetOperator(
        task_id="export", sql=sql, output_path=output_path, stackql_conn_id=conn_id, **kwargs
    )
    return op, op.execute(context={})  # type: ignore[arg-type]


def test_writes_local_parquet_with_typed_columns(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    target = tmp_path / "out" / "instances.parquet"
    _, result = _export(stackql_conn(), str(target))
    assert result == {"path": str(target), "rows": 5}
    table = pq.read_table(target)
    assert table.schema.field("id").type == "int64"
    assert table.schema.field("cpu_hours").type == "double"
    assert table.schema.field("status").type == "string"
    assert table.column("labels").to_pylist()[0] == '{"n": 1}'


def test_parameters_reach_the_query(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"
    _, result = _export(
        stackql_conn(),
        str(target),
        sql="SELECT name FROM instances WHERE status = %s",
        parameters=["TERMINATED"],
    )
    assert result["rows"] == 1
    assert pq.read_table(target).column("name").to_pylist() == ["vm-3"]


def test_empty_result_writes_a_file_with_the_schema(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    target = tmp_path / "empty.parquet"
    _, result = _export(stackql_conn(), str(target), sql="SELECT name, id FROM instances WHERE false")
    assert result["rows"] == 0
    assert pq.read_table(target).schema.names == ["name", "id"]


def test_statement_without_result_set_is_a_clear_error_and_writes_nothing(
    stackql_conn: Callable[..., str], tmp_path: Path
) -> None:
    target = tmp_path / "none.parquet"
    with pytest.raises(ValueError, match="no result set"):
        _export(stackql_conn(), str(target), sql="SET application_name = 'registry_pull'")
    assert not target.exists()


def test_sql_error_writes_nothing(stackql_conn: Callable[..., str], tmp_path: Path) -> None:
    import psycopg2

    target = tmp_path / "bad.parquet"
    with pytest.raises(psycopg2.Error, match="no_such_table"):
        _export(stackql_conn(), str(target), sql="SELECT * FROM no_such_table")
    assert not target.exists()


@pytest.fixture
def gcs_bucket(gcs_client: Any) -> Iterator[str]:
    import gcsfs

    gcsfs.GCSFileSystem.clear_instance_cache()  # the emulator's port differs per test
    gcs_client.create_bucket("stackql-exports")
    yield "stackql-exports"
    gcsfs.GCSFileSystem.clear_instance_cache()


def test_writes_parquet_to_gcs_through_object_storage(
    stackql_conn: Callable[..., str], gcs_bucket: str, gcs_client: Any
) -> None:
    _, result = _export(stackql_conn(), f"gs://{gcs_bucket}/inventory/instances.parquet")
    assert result == {"path": f"gs://{gcs_bucket}/inventory/instances.parquet", "rows": 5}
    data = gcs_client.bucket(gcs_bucket).blob("inventory/instances.parquet").download_as_bytes()
    assert [b.name for b in gcs_client.list_blobs(gcs_bucket)] == ["inventory/instances.parquet"]
    assert pq.read_table(io.BytesIO(data)).column("name").to_pylist() == [f"vm-{i}" for i in range(1, 6)]


@pytest.fixture
def failing_uploads(gcs_emulator: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A proxy in front of the GCS emulator that answers uploads with HTTP 400 once the event is set.

    Everything else (reads, deletes, rewrites) reaches the emulator unchanged; gcsfs is pointed
    at the proxy, the test's own ``gcs_client`` still talks to the emulator directly.
    """
    import http.client
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    import gcsfs

    upstream = urlsplit(gcs_emulator)
    failing = threading.Event()

    class Proxy(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if failing.is_set() and self.path.startswith("/upload/"):
                payload = b'{"error": {"code": 400, "message": "injected upload failure"}}'
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
            self.send_response(reply.status)
            for key, value in reply.getheaders():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{server.server_address[1]}")
    gcsfs.GCSFileSystem.clear_instance_cache()
    try:
        yield failing
    finally:
        server.shutdown()
        server.server_close()
        gcsfs.GCSFileSystem.clear_instance_cache()


def test_failed_upload_on_rerun_leaves_the_previous_object_intact(
    stackql_conn: Callable[..., str], gcs_client: Any, failing_uploads: threading.Event
) -> None:
    gcs_client.create_bucket("stackql-rerun")
    url = "gs://stackql-rerun/inventory/instances.parquet"
    conn_id = stackql_conn()
    _export(conn_id, url)
    blob = gcs_client.bucket("stackql-rerun").blob("inventory/instances.parquet")
    before = blob.download_as_bytes()
    failing_uploads.set()
    with pytest.raises(Exception, match="injected upload failure"):
        _export(conn_id, url, sql="SELECT name FROM instances")
    assert blob.download_as_bytes() == before
    assert [b.name for b in gcs_client.list_blobs("stackql-rerun")] == ["inventory/instances.parquet"]


def test_openlineage_input_is_the_query_and_output_the_file(
    stackql_conn: Callable[..., str], stackql_db: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "lineage.parquet"
    op, _ = _export(stackql_conn(), str(target))
    lineage = op.get_openlineage_facets_on_complete(task_instance=None)
    (source,) = lineage.inputs
    assert source.namespace == f"stackql://{stackql_db['host']}:{stackql_db['port']}"
    assert source.name == SQL
    (output,) = lineage.outputs
    assert (output.namespace, output.name) == ("file", str(target))
    assert [f.name for f in output.facets["schema"].fields][:2] == ["name", "status"]
    assert lineage.job_facets["sql"].query == SQL


# --- a failed re-run keeps the previous file; symlinks are never written through --------


BIG_SQL = (
    "SELECT g::numeric AS id, md5(g::text) || md5((g + 1)::text) AS blob FROM generate_series(1, 20000) AS g"
)


def _leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_query_failing_mid_way_leaves_the_previous_file_byte_identical(
    stackql_conn: Callable[..., str], tmp_path: Path
) -> None:
    import psycopg2

    target = tmp_path / "instances.parquet"
    conn_id = stackql_conn()
    _export(conn_id, str(target))
    before = target.read_bytes()
    failing = "SELECT g::numeric AS id, (1 / (g - 3000))::numeric AS x FROM generate_series(1, 5000) AS g"
    with pytest.raises(psycopg2.errors.DivisionByZero):
        _export(conn_id, str(target), sql=failing)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path, target.name) == []


@pytest.fixture
def small_disk(shared_base: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs: room for a small Parquet file, not for BIG_SQL's result."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mountpoint = shared_base / "disk"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False, timeout=30)


def test_failed_rerun_on_a_full_disk_leaves_the_previous_file_byte_identical(
    stackql_conn: Callable[..., str], small_disk: Path
) -> None:
    target = small_disk / "instances.parquet"
    conn_id = stackql_conn()
    _export(conn_id, str(target))
    before = target.read_bytes()
    with pytest.raises(OSError, match="No space left on device"):
        _export(conn_id, str(target), sql=BIG_SQL)  # more than the disk holds
    assert target.read_bytes() == before
    assert _leftovers(small_disk, target.name) == []


def _decoy(folder: Path) -> tuple[Path, bytes]:
    decoy = folder / "airflow.cfg"
    content = b"[core]\nexecutor = LocalExecutor\n"
    decoy.write_bytes(content)
    return decoy, content


def test_symlink_at_the_output_path_is_replaced_not_written_through(
    stackql_conn: Callable[..., str], tmp_path: Path
) -> None:
    decoy, content = _decoy(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "instances.parquet"
    target.symlink_to(decoy)
    _export(stackql_conn(), str(target))
    assert decoy.read_bytes() == content
    assert not target.is_symlink()
    assert pq.read_table(target).num_rows == 5


def test_symlink_planted_by_another_user_in_a_shared_folder_is_refused(
    stackql_conn: Callable[..., str], shared_base: Path, other_user: LocalUser
) -> None:
    decoy, content = _decoy(shared_base)
    shared = shared_base / "inventory"
    shared.mkdir()
    shared.chmod(0o777)
    target = shared / "instances.parquet"
    other_user.run("ln", "-s", decoy, target)
    with pytest.raises(
        PermissionError, match=rf"refusing to write into {shared}: it is writable by group and others"
    ):
        _export(stackql_conn(), str(target))
    assert decoy.read_bytes() == content
    assert target.is_symlink()


def test_symlink_planted_in_a_sticky_folder_is_replaced_not_followed(
    stackql_conn: Callable[..., str], shared_base: Path, other_user: LocalUser
) -> None:
    decoy, content = _decoy(shared_base)
    sticky = shared_base / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)
    target = sticky / "instances.parquet"
    other_user.run("ln", "-s", decoy, target)
    _export(stackql_conn(), str(target))
    assert decoy.read_bytes() == content
    assert not target.is_symlink()
    assert target.stat().st_uid == os.geteuid()
    assert pq.read_table(target).num_rows == 5


def test_output_folder_owned_by_another_user_is_refused(
    stackql_conn: Callable[..., str], shared_base: Path, other_user: LocalUser
) -> None:
    theirs = shared_base / "theirs"
    theirs.mkdir()
    os.chown(theirs, other_user.uid, -1)
    target = theirs / "instances.parquet"
    with pytest.raises(
        PermissionError, match=rf"{theirs}: it is owned by another user \(uid {other_user.uid}\)"
    ):
        _export(stackql_conn(), str(target))
    assert list(theirs.iterdir()) == []
