"""StackQL logic that needs no Airflow: safe ``$name`` expansion and typed result columns.

Used by :class:`airflow_provider_dataops.hooks.stackql.StackQLHook`, the Parquet export
operator and the ``%stackql`` IPython magic.
"""

from __future__ import annotations

from airflow_provider_dataops.stackql.client import StackQLConnectionError, connect, fetch
from airflow_provider_dataops.stackql.results import NUMERIC_OID, Column, columns_from_rows, to_dataframe
from airflow_provider_dataops.stackql.template import StackQLTemplateError, expand

__all__ = [
    "NUMERIC_OID",
    "Column",
    "StackQLConnectionError",
    "StackQLTemplateError",
    "columns_from_rows",
    "connect",
    "expand",
    "fetch",
    "to_dataframe",
]
