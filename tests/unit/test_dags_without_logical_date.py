"""Every shipped template also works for a run without a logical date.

Airflow 3 runs triggered by ``airflow dags trigger``, by REST with ``"logical_date": null`` or by an
asset event have no ``ds``, ``ds_nodash``, ``logical_date``, ... in their context, and their
``dag_run.logical_date`` / ``dag_run.data_interval_*`` are None. Which names go missing is asked of
the Task SDK itself (the context of a real ``RuntimeTaskInstance`` with and without a logical date);
each template of every example DAG's tasks (HOCON task args included) and each ``{{ ... }}`` in the
README is parsed with the DAG's own Jinja environment and checked against them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
# Attributes of dag_run that are None without a logical date: only usable as `attr or fallback`.
NULLABLE_DAG_RUN_ATTRS = frozenset({"logical_date", "data_interval_start", "data_interval_end"})
_README_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _context_keys(logical_date: Any) -> set[str]:
    """The template context the Task SDK builds for a task of a run with this logical date."""
    import pendulum
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
    from airflow.sdk.api.datamodels._generated import DagRun, DagRunState, DagRunType, TIRunContext
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    with DAG("context_probe", schedule=None):
        task = EmptyOperator(task_id="probe")
    now = pendulum.now("UTC")
    run = DagRun(
        dag_id="context_probe",
        run_id="probe",
        logical_date=logical_date,
        data_interval_start=logical_date,
        data_interval_end=logical_date,
        run_after=now,
        start_date=now,
        end_date=None,
        run_type=DagRunType.MANUAL,
        state=DagRunState.RUNNING,
        consumed_asset_events=[],
        partition_key=None,
    )
    ti = RuntimeTaskInstance.model_construct(
        id=uuid.uuid4(),
        task_id="probe",
        dag_id="context_probe",
        run_id="probe",
        try_number=1,
        map_index=-1,
        dag_version_id=uuid.uuid4(),
        task=task,
        start_date=now,
        _ti_context_from_server=TIRunContext(dag_run=run, max_tries=0),
    )
    return set(ti.get_template_context())


@pytest.fixture(scope="module")
def logical_date_only_names() -> frozenset[str]:
    import pendulum

    names = _context_keys(pendulum.now("UTC")) - _context_keys(None)
    assert {"ds", "ds_nodash", "logical_date", "ts"} <= names, names
    return frozenset(names)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)


def _problems(source: str, env: Any, missing: frozenset[str]) -> list[str]:
    """What in one template needs a logical date: a missing name, or an unguarded nullable dag_run field."""
    from jinja2 import meta, nodes

    tree = env.parse(source)
    found = [f"'{name}' is undefined" for name in sorted(meta.find_undeclared_variables(tree) & missing)]
    guarded = {id(node.left) for node in tree.find_all(nodes.Or)}
    for node in tree.find_all(nodes.Getattr):
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name == "dag_run"
            and node.attr in NULLABLE_DAG_RUN_ATTRS
            and id(node) not in guarded
        ):
            found.append(f"dag_run.{node.attr} is None (write `dag_run.{node.attr} or dag_run.run_after`)")
    return found


def _dag_templates() -> Iterator[tuple[str, str, Any]]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS), safe_mode=False)
    assert bag.import_errors == {}
    assert bag.dags
    for dag_id, dag in sorted(bag.dags.items()):
        env = dag.get_template_env()
        for task in dag.tasks:
            for field in task.template_fields:
                for text in _strings(getattr(task, field, None)):
                    yield f"{dag_id}.{task.task_id}.{field}", text, env


def test_every_example_dag_template_renders_for_a_run_without_logical_date(
    logical_date_only_names: frozenset[str],
) -> None:
    templates = list(_dag_templates())
    assert templates
    problems = [
        f"{where}: {problem} in {text!r}"
        for where, text, env in templates
        for problem in _problems(text, env, logical_date_only_names)
    ]
    assert problems == []


def test_every_readme_template_renders_for_a_run_without_logical_date(
    logical_date_only_names: frozenset[str],
) -> None:
    from airflow.sdk.definitions._internal.templater import SandboxedEnvironment

    readme = (REPO / "README.md").read_text()
    templates = _README_TEMPLATE.findall(readme)
    assert templates
    env = SandboxedEnvironment()
    problems = [
        f"README.md: {problem} in {text!r}"
        for text in templates
        for problem in _problems(text, env, logical_date_only_names)
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ ds }}", ["'ds' is undefined"]),
        ("{{ macros.ds_add(ds_nodash, 1) }}", ["'ds_nodash' is undefined"]),
        ("{% if ts %}x{% endif %}", ["'ts' is undefined"]),
        ("{{ dag_run.logical_date | ds }}", ["dag_run.logical_date is None"]),
        ("{{ dag_run.data_interval_end }}", ["dag_run.data_interval_end is None"]),
        ("{{ (dag_run.logical_date or dag_run.run_after) | ds_nodash }}", []),
        ("{{ params.ds }}/{{ run_id }}", []),
    ],
)
def test_checker_flags_exactly_the_logical_date_dependencies(
    logical_date_only_names: frozenset[str], template: str, expected: list[str]
) -> None:
    from airflow.sdk.definitions._internal.templater import SandboxedEnvironment

    found = _problems(template, SandboxedEnvironment(), logical_date_only_names)
    assert [problem.split(" (")[0] for problem in found] == expected
