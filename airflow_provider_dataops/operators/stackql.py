"""Export a StackQL query's result to a Parquet file, local or on object storage."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import suppress
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_dataops.hooks.stackql import StackQLHook
from airflow_provider_dataops.stackql.output import write_atomically

if TYPE_CHECKING:
    from airflow.sdk import Context, ObjectStoragePath


class StackQLToParquetOperator(BaseOperator):
    """Run a StackQL query and write its result as one Parquet file.

    Columns are typed from ``cursor.description`` (text stays text, ``numeric`` becomes
    int64 / float64 where lossless, else decimal). The file is written under a temporary name
    beside the target (on object stores: a temporary key) and moved into place only when
    complete, so a failed run leaves the previous file as it was. Locally the move replaces
    whatever is at the path, a symlink included, without writing through it, and a folder that
    another user can write (group/world-writable and not sticky, or owned by someone else) is
    refused.

    :param sql: the StackQL query (templated). Pass values through ``parameters`` (psycopg2
        quoting), or use :meth:`StackQLHook.expand` for the seed's ``$name`` style.
    :param output_path: local path or ``gs://`` / ``s3://`` URL of the Parquet file (templated).
    :param parameters: query parameters (templated).
    :param stackql_conn_id: the ``stackql`` connection.
    :param output_conn_id: connection for the object store (e.g. ``google_cloud_default``).
    :param compression: Parquet codec.
    :return: ``{"path": output_path, "rows": number_of_rows}``.
    """

    template_fields: Sequence[str] = ("sql", "output_path", "parameters")
    template_ext: Sequence[str] = (".sql",)
    template_fields_renderers = {"sql": "sql", "parameters": "json"}
    ui_color = "#b3e5fc"

    def __init__(
        self,
        *,
        sql: str,
        output_path: str | os.PathLike[str],
        parameters: Sequence[Any] | Mapping[str, Any] | None = None,
        stackql_conn_id: str = StackQLHook.default_conn_name,
        output_conn_id: str | None = None,
        compression: str = "snappy",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sql = sql
        self.output_path = os.fspath(output_path)
        self.parameters = parameters
        self.stackql_conn_id = stackql_conn_id
        self.output_conn_id = output_conn_id
        self.compression = compression
        self._schema: Any = None

    @cached_property
    def hook(self) -> StackQLHook:
        return StackQLHook(stackql_conn_id=self.stackql_conn_id)

    def _target(self) -> ObjectStoragePath:
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(self.output_path, conn_id=self.output_conn_id)

    def execute(self, context: Context) -> dict[str, Any]:
        import pyarrow.parquet as pq

        from airflow_provider_dataops.stackql import columns_from_rows, to_dataframe

        rows, description = self.hook.fetch_with_description(self.sql, self.parameters)
        if description is None:
            raise ValueError(
                f"the StackQL query returned no result set, so there is nothing to write: {self.sql!r}"
            )
        table = to_dataframe(columns_from_rows(rows, description), "arrow")
        del rows
        self._schema = table.schema
        target = self._target()
        if target.protocol in ("", "file", "local"):
            write_atomically(
                target.path, lambda handle: pq.write_table(table, handle, compression=self.compression)
            )
        else:
            self._publish_remote(table, target)
        self.log.info("Wrote %d row(s), %d column(s) to %s", table.num_rows, table.num_columns, target)
        return {"path": str(target), "rows": table.num_rows}

    def _publish_remote(self, table: Any, target: ObjectStoragePath) -> None:
        """Upload to a temporary key beside ``target``, then move it into place."""
        import secrets
        import shutil

        import pyarrow.parquet as pq

        temporary = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
        with tempfile.TemporaryDirectory(prefix="stackql-parquet-") as tmp:
            local = os.path.join(tmp, "result.parquet")
            pq.write_table(table, local, compression=self.compression)
            try:
                with open(local, "rb") as src, temporary.open("wb") as dst:
                    shutil.copyfileobj(src, dst, length=8 * 1024 * 1024)
                temporary.move(target)
            except BaseException:
                with suppress(Exception):
                    temporary.unlink(missing_ok=True)
                raise

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Input: the StackQL query on its server; output: the Parquet file with its schema."""
        from airflow.providers.common.compat.openlineage.facet import (
            Dataset,
            SchemaDatasetFacet,
            SchemaDatasetFacetFields,
            SQLJobFacet,
        )
        from airflow.providers.openlineage.extractors import OperatorLineage

        from airflow_provider_dataops.operators.parquet_to_snowflake import _dataset_address

        query = " ".join(self.sql.split())
        inputs = [Dataset(namespace=f"stackql://{self._authority()}", name=query)]
        namespace, name = _dataset_address(str(self._target()))
        facets: dict[str, Any] = {}
        if self._schema is not None:
            fields = [SchemaDatasetFacetFields(name=f.name, type=str(f.type)) for f in self._schema]
            facets["schema"] = SchemaDatasetFacet(fields=fields)
        outputs = [Dataset(namespace=namespace, name=name, facets=facets)]
        return OperatorLineage(
            inputs=inputs, outputs=outputs, job_facets={"sql": SQLJobFacet(query=self.sql)}
        )

    def _authority(self) -> str:
        try:
            conn = self.hook.get_connection(self.stackql_conn_id)
        except Exception:
            return "unknown"
        from airflow_provider_dataops.stackql.client import DEFAULT_HOST, DEFAULT_PORT

        return f"{conn.host or DEFAULT_HOST}:{conn.port or DEFAULT_PORT}"
