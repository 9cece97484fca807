"""HOCON task groups: DagBag load of a 200 x 7-task DAG vs the same DAG in Python and dag-factory YAML.

Three DAG files with the same shape (200 task groups of 7 chained tasks) are each loaded with
``DagBag`` several times in this process; the best run counts. The HOCON DAG is measured with a
warm resolved-config cache (the dag-processor's steady state: every 30 s the same files). Also the
cold and warm ``load_config`` time of one 1 MB config. Baselines are measured in the same run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

from benchlib import best_of

APPS = 200
STEPS = ("setup", "scan", "modify", "upload", "backup", "clean", "expire")
REPEAT = 5

BASE_CONF = (
    """
workspace = /tmp/bench/${app}
tasks: [
"""
    + "\n".join(
        f"  {{ id: {step}, name: shell_script, "
        f'args: {{ script_path: "true", script_args: [{step}, ${{workspace}}] }} }}'
        for step in STEPS
    )
    + "\n]\n"
)

HOCON_DAG = """
from pathlib import Path
import pendulum
from airflow.sdk import DAG
from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

with DAG("bench_hocon", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    for conf in sorted((Path(__file__).parent / "config").glob("app_*.conf")):
        HoconTaskGroup(conf.stem, f"config/{conf.name}")
"""

PYTHON_DAG = """
import pendulum
from airflow.sdk import DAG, TaskGroup
from airflow_provider_dataops.hocon.task_types import ShellScript
from airflow_provider_dataops.task_groups.hocon import HoconTaskOperator

STEPS = {steps!r}

with DAG("bench_python", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    for i in range({apps}):
        app = f"app_{i:03d}"
        with TaskGroup(app):
            previous = None
            for step in STEPS:
                task = HoconTaskOperator(
                    task_id=step,
                    task_class=ShellScript,
                    args={"script_path": "true", "script_args": [step, f"/tmp/bench/{app}"]},
                )
                if previous is not None:
                    previous >> task
                previous = task
"""

DAGFACTORY_DAG = """
from pathlib import Path
from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), config_filepath=str(Path(__file__).parent / "bench_dagfactory.yaml"))
"""


def dagfactory_yaml() -> str:
    lines = [
        "bench_dagfactory:",
        "  default_args:",
        "    start_date: 2026-01-01",
        "  schedule: null",
        "  task_groups:",
    ]
    lines += [f"    app_{i:03d}:\n      tooltip: app_{i:03d}" for i in range(APPS)]
    lines.append("  tasks:")
    for i in range(APPS):
        for j, step in enumerate(STEPS):
            lines.append(f"    app_{i:03d}_{step}:")
            lines.append("      operator: airflow.providers.standard.operators.bash.BashOperator")
            lines.append(f"      bash_command: 'true {step} /tmp/bench/app_{i:03d}'")
            lines.append(f"      task_group_name: app_{i:03d}")
            if j:
                lines.append(f"      dependencies: [app_{i:03d}_{STEPS[j - 1]}]")
    return "\n".join(lines) + "\n"


def dagbag_loader(dag_file: Path, dag_id: str, tasks: int) -> Callable[[], object]:
    from airflow.dag_processing.dagbag import DagBag

    def load() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bag = DagBag(dag_folder=str(dag_file), safe_mode=False)
        assert not bag.import_errors, bag.import_errors
        dag = bag.dags.get(dag_id)
        assert dag is not None, dag_id
        assert len(dag.tasks) == tasks, (dag_id, len(dag.tasks))
        return bag

    return load


def one_megabyte_config(folder: Path) -> Path:
    path = folder / "big.conf"
    chunks = ["base = /data\ntasks: [\n"]
    size, i = 0, 0
    while size < 1_000_000:
        entry = (
            f"  {{ id: t{i:05d}, name: shell_script, airflow: {{ retries: 1 }}, "
            f'args: {{ script_path: "/usr/bin/env", '
            f'script_args: [echo, ${{base}}/part_{i:05d}, "{{{{ ds }}}}"] }} }}\n'
        )
        chunks.append(entry)
        size += len(entry)
        i += 1
    chunks.append("]\n")
    path.write_text("".join(chunks))
    return path


def main() -> int:
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="bench_hocon_") as tmp:
        root = Path(tmp)
        os.environ["DATAOPS_HOCON_CACHE_DIR"] = str(root / "cache")
        dags = root / "dags"
        (dags / "config").mkdir(parents=True)
        (dags / "config" / "base.conf").write_text(BASE_CONF)
        for i in range(APPS):
            (dags / "config" / f"app_{i:03d}.conf").write_text(f'include "base.conf"\napp = app_{i:03d}\n')
        (dags / "bench_hocon.py").write_text(textwrap.dedent(HOCON_DAG))
        (dags / "bench_python.py").write_text(
            PYTHON_DAG.replace("{steps!r}", repr(STEPS)).replace("{apps}", str(APPS))
        )
        (dags / "bench_dagfactory.yaml").write_text(dagfactory_yaml())
        (dags / "bench_dagfactory.py").write_text(DAGFACTORY_DAG)
        os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
        tasks = APPS * len(STEPS)

        hocon = dagbag_loader(dags / "bench_hocon.py", "bench_hocon", tasks)
        hocon_cold, _ = best_of(hocon, 1)
        python_t, _ = best_of(dagbag_loader(dags / "bench_python.py", "bench_python", tasks), REPEAT)
        hocon_warm, _ = best_of(hocon, REPEAT)
        try:
            dagfactory_t: float | None
            dagfactory_t, _ = best_of(
                dagbag_loader(dags / "bench_dagfactory.py", "bench_dagfactory", tasks), 3
            )
        except Exception as exc:  # reported, not fatal: dag-factory is only a reference point
            print(f"dag-factory could not load the YAML DAG: {exc}", file=sys.stderr)
            dagfactory_t = None

        from airflow_provider_dataops.hocon import load_config

        big = one_megabyte_config(root)
        big_cold, loaded = best_of(lambda: load_config(big), 1)
        big_warm, _ = best_of(lambda: load_config(big), 10)
        assert len(loaded["tasks"]) > 4000
        big_size = big.stat().st_size

    print(
        f"\nDagBag load of one DAG with {APPS} task groups x {len(STEPS)} tasks "
        f"({tasks} tasks); best of {REPEAT}"
    )
    print(f"1 MB config: {big_size} bytes, {len(loaded['tasks'])} tasks\n")
    rows = [
        ("hand-written Python DAG (baseline)", python_t, 1.0, ""),
        ("HOCON DAG, warm cache", hocon_warm, hocon_warm / python_t, "<= 1.5x"),
        ("HOCON DAG, cold cache (first parse)", hocon_cold, hocon_cold / python_t, "-"),
    ]
    if dagfactory_t is not None:
        rows.append(
            ("dag-factory 1.x, same DAG from YAML (BashOperator)", dagfactory_t, dagfactory_t / python_t, "-")
        )
    print(f"{'case':<54} {'seconds':>9} {'ratio':>8}  target")
    for name, seconds, ratio, target in rows:
        print(f"{name:<54} {seconds:>9.3f} {ratio:>7.2f}x  {target}")
    print(f"\n{'1 MB config load_config':<54} {'seconds':>9} {'vs cold':>8}  target")
    print(f"{'cold (pyhocon parse + resolve, baseline)':<54} {big_cold:>9.3f} {1.0:>7.2f}x")
    print(f"{'warm (hash + JSON read)':<54} {big_warm:>9.3f} {big_warm / big_cold:>7.4f}x  <= 0.100 s")
    ok = hocon_warm / python_t <= 1.5 and big_warm <= 0.1
    print("\nall targets met" if ok else "\nTARGET MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
