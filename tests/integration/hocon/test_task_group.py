"""HoconTaskGroup through real Airflow (``dag.test()``)."""

from __future__ import annotations

import platform
import tarfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("hocon_engine")

SEED_CONFIG = """
tasks: [
  { name: shell_script, args: { script_path: uname, script_args: -a } }
  { name: shell_script, args: { script_path: find, script_args: [${CWD}/tasks, -name, "*.py"] } }
  { name: archive, args: {
      input_directory_path: ${CWD}/tasks, target_file_path: ${OUT}/${PLATFORM}_${TODAY}.tar.gz
  } }
]
"""

SEED_DAG = """
from __future__ import annotations
import pendulum
from airflow.sdk import DAG
from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    HoconTaskGroup("seed", "config/seed.conf", variables={{"OUT": {out!r}}})
"""


def states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}


def test_seed_example_config_runs_through_airflow(run_dag: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    dag_run = run_dag(
        SEED_DAG.format(dag_id="hocon_seed", out=str(out)),
        "hocon_seed",
        files={"config/seed.conf": SEED_CONFIG, "tasks/a.py": "x = 1\n", "tasks/b.txt": "b\n"},
    )
    assert str(dag_run.state) == "success", states(dag_run)
    assert states(dag_run) == {
        "seed.shell_script_0": "success",
        "seed.shell_script_1": "success",
        "seed.archive": "success",
    }
    archive = out / f"{platform.system().lower()}_{date.today():%Y%m%d}.tar.gz"
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["tasks", "tasks/a.py", "tasks/b.txt"]


def test_depends_on_airflow_args_and_jinja_args(run_dag: Callable[..., Any], tmp_path: Path) -> None:
    config = """
    tasks: [
      { id: first, name: shell_script, args: { script_path: touch, script_args: [${OUT}"/{{ ds }}.first"] } }
      { id: second, name: shell_script, depends_on: [], airflow: { retries: 0, execution_timeout: 60 },
        args: { script_path: touch, script_args: ${OUT}"/{{ dag.dag_id }}.second" } }
      { id: last, name: shell_script, depends_on: [first, second], args: { script_path: "true" } }
    ]
    """
    source = SEED_DAG.replace("seed.conf", "jinja.conf").format(dag_id="hocon_jinja", out=str(tmp_path))
    dag_run = run_dag(source, "hocon_jinja", files={"config/jinja.conf": config})
    assert str(dag_run.state) == "success", states(dag_run)
    assert (tmp_path / "hocon_jinja.second").exists()
    assert len(list(tmp_path.glob("*.first"))) == 1


def test_a_failing_task_fails_in_airflow_and_stops_its_downstream(
    run_dag: Callable[..., Any], tmp_path: Path
) -> None:
    config = """
    tasks: [
      { id: boom, name: shell_script,
        args: { script_path: sh, script_args: [-c, "echo about to fail; exit 3"] } }
      { id: after, name: shell_script, args: { script_path: touch, script_args: [${OUT}/after] } }
    ]
    """
    source = SEED_DAG.replace("seed.conf", "fail.conf").format(dag_id="hocon_fail", out=str(tmp_path))
    dag_run = run_dag(source, "hocon_fail", files={"config/fail.conf": config})
    assert str(dag_run.state) == "failed"
    assert states(dag_run) == {"seed.boom": "failed", "seed.after": "upstream_failed"}
    assert not (tmp_path / "after").exists()


def test_task_group_wires_dependencies_and_operator_arguments(tmp_path: Path) -> None:
    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

    conf = tmp_path / "g.conf"
    conf.write_text(
        """
        tasks: [
          { id: a, name: shell_script, args: { script_path: "true" } }
          { id: b, name: shell_script, args: { script_path: "true" },
            airflow: { retries: 4, pool: p1, retry_delay: 90s } }
          { id: c, name: shell_script, depends_on: [a], args: { script_path: "true" } }
          { id: e, name: dlp_inspect, depends_on: [], args: { project_id: p, gcs_uri: "gs://b/o.csv" } }
          { id: d, name: parquet_to_snowflake, depends_on: [b, c],
            args: { source: /data/x.parquet, dry_run: true } }
          { id: f, name: stackql_query, depends_on: [],
            args: { sql: "SELECT 1", output_path: /data/x.parquet, stackql_conn_id: inventory } }
        ]
        """
    )
    with DAG("wiring", schedule=None, start_date=pendulum.datetime(2026, 1, 1)) as dag:
        HoconTaskGroup("g", conf)
    tasks = {t.task_id: t for t in dag.tasks}
    assert set(tasks) == {"g.a", "g.b", "g.c", "g.d", "g.e", "g.f"}
    assert type(tasks["g.e"]).__name__ == "DlpInspectOperator"
    assert tasks["g.e"].upstream_task_ids == set()
    assert tasks["g.b"].upstream_task_ids == {"g.a"}
    assert tasks["g.c"].upstream_task_ids == {"g.a"}
    assert tasks["g.d"].upstream_task_ids == {"g.b", "g.c"}
    assert tasks["g.b"].retries == 4
    assert tasks["g.b"].pool == "p1"
    assert tasks["g.b"].retry_delay == timedelta(seconds=90)
    assert type(tasks["g.d"]).__name__ == "ParquetToSnowflakeOperator"
    assert type(tasks["g.f"]).__name__ == "StackQLToParquetOperator"
    assert tasks["g.f"].stackql_conn_id == "inventory"


def test_depends_on_a_task_defined_later_is_wired_both_ways(tmp_path: Path) -> None:
    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

    conf = tmp_path / "g.conf"
    conf.write_text(
        """
        tasks: [
          { id: report, name: shell_script, depends_on: [load, check], args: { script_path: "true" } }
          { id: load, name: shell_script, depends_on: [extract], args: { script_path: "true" } }
          { id: check, name: shell_script, depends_on: [extract], args: { script_path: "true" } }
          { id: extract, name: shell_script, depends_on: [], args: { script_path: "true" } }
        ]
        """
    )
    with DAG("forward", schedule=None, start_date=pendulum.datetime(2026, 1, 1)) as dag:
        HoconTaskGroup("g", conf)
    tasks = {t.task_id: t for t in dag.tasks}
    assert [t.task_id for t in dag.tasks] == ["g.report", "g.load", "g.check", "g.extract"]
    assert {k: t.upstream_task_ids for k, t in tasks.items()} == {
        "g.report": {"g.load", "g.check"},
        "g.load": {"g.extract"},
        "g.check": {"g.extract"},
        "g.extract": set(),
    }
    assert {k: t.downstream_task_ids for k, t in tasks.items()} == {
        "g.report": set(),
        "g.load": {"g.report"},
        "g.check": {"g.report"},
        "g.extract": {"g.load", "g.check"},
    }


def test_invalid_config_raises_one_error_listing_every_problem(tmp_path: Path) -> None:
    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_dataops.hocon import HoconConfigError
    from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

    conf = tmp_path / "bad.conf"
    conf.write_text(
        "tasks: [ { name: nope }, { name: archive, args: {} }, "
        "{ name: copy, args: {a: 1}, airflow: { retires: 1 } } ]"
    )
    with (
        DAG("bad", schedule=None, start_date=pendulum.datetime(2026, 1, 1)),
        pytest.raises(HoconConfigError) as caught,
    ):
        HoconTaskGroup("g", conf)
    problems = caught.value.problems
    assert len(problems) == 7, problems
    assert all(p.startswith(f"{conf}: tasks[") for p in problems)
    assert any("unknown airflow operator argument 'retires'" in p for p in problems)


def test_broken_config_is_an_import_error_of_its_dag_only(tmp_path: Path, airflow_db: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    folder = tmp_path / "dags"
    (folder / "config").mkdir(parents=True)
    (folder / "config" / "good.conf").write_text(
        'tasks: [ { name: shell_script, args: { script_path: "true" } } ]'
    )
    (folder / "config" / "bad.conf").write_text("tasks: [ { name: shell_script, args: { script_pth: x } } ]")
    for name in ("good", "bad"):
        (folder / f"{name}.py").write_text(
            SEED_DAG.replace("seed.conf", f"{name}.conf").format(dag_id=f"hocon_{name}", out="/unused")
        )
    bag = DagBag(dag_folder=str(folder), safe_mode=False)
    assert bag.dag_ids == ["hocon_good"]
    (error,) = bag.import_errors.values()
    assert list(bag.import_errors) == [str(folder / "bad.py")]
    assert (
        f"{folder / 'config' / 'bad.conf'}: tasks[0] (shell_script): missing mandatory arg 'script_path'"
        in error
    )
    assert "unknown arg 'script_pth'" in error


def test_operator_arguments_airflow_rejects_are_reported_in_the_same_format(tmp_path: Path) -> None:
    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_dataops.hocon import HoconConfigError
    from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

    conf = tmp_path / "ops.conf"
    conf.write_text(
        'tasks: [ { id: a, name: shell_script, args: { script_path: "true" }, '
        "airflow: { trigger_rule: sometimes } }"
        ", { id: b, name: shell_script, args: { script_path: ls }, airflow: { pool_slots: 0 } } ]"
    )
    with (
        DAG("ops", schedule=None, start_date=pendulum.datetime(2026, 1, 1)),
        pytest.raises(HoconConfigError) as caught,
    ):
        HoconTaskGroup("g", conf)
    problems = caught.value.problems
    assert problems[0].startswith(f"{conf}: tasks[0] (a): ")
    assert "sometimes" in problems[0]
    assert problems[1].startswith(f"{conf}: tasks[1] (b): ")
