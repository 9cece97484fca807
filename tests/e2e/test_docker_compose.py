"""docker-compose.yaml is a valid Compose file whose images, builds, variables and Airflow settings resolve.

No Docker engine is needed: the file is interpolated the way Compose does it, validated against the
vendored Compose Specification schema, and every Airflow setting is checked against Airflow's own
configuration description (core and providers).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"
SCHEMA_FILE = Path(__file__).parent / "compose_spec" / "compose-spec.json"
REQUIRED_VARIABLES = {"AIRFLOW_JWT_SECRET": "a-test-secret"}
AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\})"
)


class UnresolvedVariable(ValueError):
    pass


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation rules: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR[:]-|?|+ARG}``."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["plain"] or match["braced"]
        op, arg = match["op"], match["arg"] or ""
        is_set = name in env
        is_empty = not env.get(name)
        unset_or_empty = is_empty if op and op.startswith(":") else not is_set
        if op in ("-", ":-"):
            return arg if unset_or_empty else env[name]
        if op in ("?", ":?"):
            if unset_or_empty:
                raise UnresolvedVariable(f"{name}: {arg}")
            return env[name]
        if op in ("+", ":+"):
            return "" if unset_or_empty else arg
        if not is_set:
            raise UnresolvedVariable(f"{name} is referenced without a default")
        return env[name]

    return _VARIABLE.sub(substitute, value)


def import_class(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any]) -> dict[str, Any]:
    return interpolate(raw_compose, dict(REQUIRED_VARIABLES))


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_every_variable_resolves_from_defaults_and_the_documented_required_ones(
    raw_compose: dict[str, Any],
) -> None:
    interpolate(raw_compose, dict(REQUIRED_VARIABLES))
    header = COMPOSE_FILE.read_text().split("---", 1)[0]
    for name in REQUIRED_VARIABLES:
        assert name in header, f"required variable {name} is not documented in the file's header"
        with pytest.raises(UnresolvedVariable, match=name):
            interpolate(raw_compose, {k: v for k, v in REQUIRED_VARIABLES.items() if k != name})


def test_interpolation_follows_compose_rules() -> None:
    env = {"SET": "v", "EMPTY": ""}
    assert interpolate("$$HOST ${SET} $SET ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d}", env) == "$HOST v v d d "
    assert interpolate("${SET:+alt}${UNSET:+alt}", env) == "alt"
    with pytest.raises(UnresolvedVariable, match="UNSET: needed"):
        interpolate("${UNSET:?needed}", env)
    with pytest.raises(UnresolvedVariable, match="UNSET"):
        interpolate("$UNSET", env)


def test_the_official_airflow_layout_plus_stackql_is_there(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "stackql", *AIRFLOW_SERVICES}
    commands = {name: services[name].get("command") for name in AIRFLOW_SERVICES - {"airflow-init"}}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
        "airflow-worker": "celery worker",
    }
    assert "srv" in services["stackql"]["command"]
    assert "--pgsrv.port=5444" in services["stackql"]["command"]


def test_every_service_has_an_image_or_a_build_that_exists(compose: dict[str, Any]) -> None:
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", (REPO / "Dockerfile").read_text(), re.MULTILINE | re.I)
    for name, service in compose["services"].items():
        assert service.get("image") or service.get("build"), f"service {name} has neither image nor build"
        build = service.get("build")
        if build is None:
            assert ":" in service["image"], f"service {name}: image {service['image']} has no tag"
            continue
        context = REPO / build["context"]
        assert (context / build.get("dockerfile", "Dockerfile")).is_file(), f"service {name}: no Dockerfile"
        assert build["target"] in stages, f"service {name}: stage {build['target']} not in the Dockerfile"
        assert build["target"] == stages[-1], "compose should run the default (last) stage"


def test_depends_on_and_named_volumes_refer_to_what_is_defined(compose: dict[str, Any]) -> None:
    services = compose["services"]
    declared_volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, f"service {name} depends on unknown service {dependency}"
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared_volumes, f"service {name}: volume {source} is not declared"


def test_every_airflow_setting_names_a_real_option_and_all_components_share_them(
    compose: dict[str, Any],
) -> None:
    from airflow.configuration import conf

    description = conf.configuration_description
    reference = compose["services"]["airflow-scheduler"]["environment"]
    for name in sorted(AIRFLOW_SERVICES):
        environment = compose["services"][name]["environment"]
        for key, value in environment.items():
            if not key.startswith("AIRFLOW__"):
                continue
            section, option = key.removeprefix("AIRFLOW__").lower().split("__", 1)
            assert option in description.get(section, {}).get("options", {}), (
                f"service {name}: {key} is not an Airflow option ([{section}] {option})"
            )
            if key != "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS":
                assert reference.get(key) == value, f"service {name}: {key} differs from the scheduler's"
        assert environment["AIRFLOW__API_AUTH__JWT_SECRET"] == REQUIRED_VARIABLES["AIRFLOW_JWT_SECRET"]


def test_executor_auth_manager_and_execution_api_point_at_real_things(compose: dict[str, Any]) -> None:
    from airflow.executors import executor_constants

    env = compose["services"]["airflow-worker"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == executor_constants.CELERY_EXECUTOR
    import_class(env["AIRFLOW__CORE__AUTH_MANAGER"])
    api = compose["services"]["airflow-apiserver"]
    _, container_port = api["ports"][0].split(":")
    assert (
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
        == f"http://airflow-apiserver:{container_port}/execution/"
    )
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert "@redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
    assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_demo_connections_parse_and_use_this_providers_connection_types(compose: dict[str, Any]) -> None:
    from airflow.models import Connection
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    env = compose["services"]["airflow-worker"]["environment"]
    connections = {k: v for k, v in env.items() if k.startswith("AIRFLOW_CONN_")}
    assert "AIRFLOW_CONN_STACKQL_DEFAULT" in connections
    hooks = ProvidersManagerTaskRuntime().hooks
    for key, value in connections.items():
        conn = Connection.from_json(value, conn_id=key.removeprefix("AIRFLOW_CONN_").lower())
        assert conn.conn_type in hooks, f"{key}: connection type {conn.conn_type} is not registered"
        assert conn.password is None, f"{key}: a demo connection must not carry a password"
    stackql = Connection.from_json(connections["AIRFLOW_CONN_STACKQL_DEFAULT"], conn_id="stackql_default")
    assert (stackql.host, stackql.port) == ("stackql", 5444)
