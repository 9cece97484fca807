"""Provider metadata read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``).

The Airflow 3 UI builds connection forms only from ``conn-fields`` and ``ui-field-behaviour``
declared here, so every connection type this package owns is described in full below.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_dataops import __version__

_PACKAGE = "airflow_provider_dataops"

STACKQL_SSLMODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


def _stackql_connection_type() -> dict[str, Any]:
    return {
        "connection-type": "stackql",
        "hook-class-name": f"{_PACKAGE}.hooks.stackql.StackQLHook",
        "hook-name": "StackQL",
        "ui-field-behaviour": {
            "hidden-fields": ["password", "extra"],
            "relabeling": {"schema": "Database", "login": "User"},
            "placeholders": {
                "host": "localhost",
                "port": "5444",
                "schema": "stackql (any name; StackQL ignores it)",
                "login": "stackql (any name; StackQL ignores it)",
            },
        },
        "conn-fields": {
            "sslmode": {
                "label": "SSL mode",
                "description": "libpq sslmode; StackQL's only protection is mTLS, use verify-full with it.",
                "schema": {"type": ["string", "null"], "default": "prefer", "enum": STACKQL_SSLMODES},
            },
            "sslcert": {
                "label": "Client certificate (path)",
                "description": "PEM file of this client's certificate, for StackQL's --pgsrv.tls client CAs.",
                "schema": {"type": ["string", "null"]},
            },
            "sslkey": {
                "label": "Client key (path)",
                "description": "PEM file of the client certificate's private key.",
                "schema": {"type": ["string", "null"]},
            },
            "sslrootcert": {
                "label": "Server CA certificate (path)",
                "description": "PEM file of the CA that signed the server's certificate (verify-full).",
                "schema": {"type": ["string", "null"]},
            },
            "connect_timeout": {
                "label": "Connect timeout (seconds)",
                "schema": {"type": ["integer", "null"], "minimum": 1},
            },
        },
    }


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-dataops",
        "name": "DataOps",
        "description": "StackQL, Parquet to Snowflake, GCS DLP scanning and HOCON-driven task groups.",
        "versions": [__version__],
        "integrations": [
            {"integration-name": "StackQL", "external-doc-url": "https://stackql.io/", "tags": ["software"]},
            {
                "integration-name": "Snowflake",
                "external-doc-url": "https://docs.snowflake.com/en/sql-reference/sql/copy-into-table",
                "tags": ["service"],
            },
            {
                "integration-name": "Google Cloud DLP",
                "external-doc-url": "https://cloud.google.com/sensitive-data-protection/docs",
                "tags": ["gcp"],
            },
        ],
        "hooks": [
            {"integration-name": "StackQL", "python-modules": [f"{_PACKAGE}.hooks.stackql"]},
            {"integration-name": "Google Cloud DLP", "python-modules": [f"{_PACKAGE}.hooks.dlp"]},
        ],
        "operators": [
            {
                "integration-name": "Snowflake",
                "python-modules": [f"{_PACKAGE}.operators.parquet_to_snowflake"],
            },
            {"integration-name": "Google Cloud DLP", "python-modules": [f"{_PACKAGE}.operators.dlp"]},
            {"integration-name": "StackQL", "python-modules": [f"{_PACKAGE}.operators.stackql"]},
        ],
        "sensors": [
            {"integration-name": "Google Cloud DLP", "python-modules": [f"{_PACKAGE}.sensors.dlp"]},
        ],
        "triggers": [
            {"integration-name": "Google Cloud DLP", "python-modules": [f"{_PACKAGE}.triggers.dlp"]},
        ],
        "notifications": [],
        "connection-types": [_stackql_connection_type()],
    }
