"""``get_provider_info()`` is valid for Airflow and declares the StackQL connection form."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import airflow
import jsonschema

from airflow_provider_dataops import __version__
from airflow_provider_dataops.get_provider_info import get_provider_info


def test_provider_info_validates_against_airflows_schema() -> None:
    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


def test_provider_info_names_the_package_and_version() -> None:
    info = get_provider_info()
    assert info["package-name"] == "airflow-provider-dataops"
    assert info["versions"] == [__version__]


def test_every_declared_class_and_module_imports() -> None:
    info = get_provider_info()
    for conn_type in info["connection-types"]:
        module, _, name = conn_type["hook-class-name"].rpartition(".")
        assert getattr(importlib.import_module(module), name).conn_type == conn_type["connection-type"]
    for key in ("hooks", "operators", "sensors", "triggers"):
        for entry in info[key]:
            for module in entry["python-modules"]:
                importlib.import_module(module)
    for key in ("notifications",):
        for dotted in info[key]:
            module, _, name = dotted.rpartition(".")
            assert hasattr(importlib.import_module(module), name)


def test_stackql_form_declares_the_tls_fields_and_hides_password() -> None:
    (stackql,) = [c for c in get_provider_info()["connection-types"] if c["connection-type"] == "stackql"]
    fields = stackql["conn-fields"]
    assert set(fields) == {"sslmode", "sslcert", "sslkey", "sslrootcert", "connect_timeout"}
    assert "verify-full" in fields["sslmode"]["schema"]["enum"]
    assert "password" in stackql["ui-field-behaviour"]["hidden-fields"]
    assert stackql["ui-field-behaviour"]["placeholders"]["port"] == "5444"
