"""HOCON: cold config loads and DagBag load of HOCON DAGs vs the same DAGs hand-written with BashOperator.

1. A 1 MB config loaded by ``load_config`` (zig-hocon, no cache: every load is cold), as a ratio to
   ``json.loads`` of the same resolved data; target <= 0.3 s. pyhocon on a 100 KB config beside it.
2. DagBag load, each run in a fresh Python process (the dag-processor's case: nothing cached), best
   of 5, for two shapes of 200 applications x 7 chained tasks:
   (a) one config listing all 1400 tasks, one task group;
   (b) 200 application configs each including a shared 7-task base, one task group each
       (``lineage_scan``'s shape).
   Baseline: the same DAG hand-written with BashOperator in TaskGroups; dag-factory's YAML beside
   it. Target: HOCON <= 1.3x the baseline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchlib import best_of, print_table

APPS = 200
STEPS = ("setup", "scan", "modify", "upload", "backup", "clean", "expire")
REPEAT = 5
DAGFACTORY_REPEAT = 3
TASKS = APPS * len(STEPS)


def _task(task_id: str, step: str, app: str, depends_on: str) -> str:
    return (
        f"  {{ id: {task_id}, name: shell_script, depends_on: [{depends_on}], "
        f'args: {{ script_path: "true", script_args: [{step}, ${{root}}/{app}] }} }}'
    )


def one_config() -> str:
    """Shape (a): every application's tasks in one list, chained per application."""
    lines = ["root = /tmp/bench", "tasks: ["]
    for i in range(APPS):
        app = f"app_{i:03d}"
        for j, step in enumerate(STEPS):
            previous = f"{app}_{STEPS[j - 1]}" if j else ""
            lines.append(_task(f"{app}_{step}", step, app, previous))
    return "\n".join([*lines, "]", ""])


BASE_CONF = "\n".join(
    [
        "root = /tmp/bench",
        "tasks: [",
        *(
            f"  {{ id: {step}, name: shell_script, "
            f'args: {{ script_path: "true", script_args: [{step}, ${{root}}/${{app}}] }} }}'
            for step in STEPS
        ),
        "]",
        "",
    ]
)

HOCON_A = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

with DAG("hocon_a", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    HoconTaskGroup("apps", "config_a/all.conf")
"""

HOCON_B = """
from pathlib import Path
import pendulum
from airflow.sdk import DAG
from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

with DAG("hocon_b", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    for conf in sorted((Path(__file__).parent / "config_b" / "apps").glob("*.conf")):
        HoconTaskGroup(conf.stem, f"config_b/apps/{conf.name}")
"""

PYTHON_A = """
import pendulum
from airflow.sdk import DAG, TaskGroup
from airflow.providers.standard.operators.bash import BashOperator

STEPS = {steps!r}

with DAG("python_a", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    with TaskGroup("apps"):
        for i in range({apps}):
            app = f"app_{{i:03d}}"
            previous = None
            for step in STEPS:
                command = f"true {{step}} /tmp/bench/{{app}}"
                task = BashOperator(task_id=f"{{app}}_{{step}}", bash_command=command)
                if previous is not None:
                    previous >> task
                previous = task
"""

PYTHON_B = """
import pendulum
from airflow.sdk import DAG, TaskGroup
from airflow.providers.standard.operators.bash import BashOperator

STEPS = {steps!r}

with DAG("python_b", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    for i in range({apps}):
        app = f"app_{{i:03d}}"
        with TaskGroup(app):
            previous = None
            for step in STEPS:
                task = BashOperator(task_id=step, bash_command=f"true {{step}} /tmp/bench/{{app}}")
                if previous is not None:
                    previous >> task
                previous = task
"""

DAGFACTORY_DAG = """
from pathlib import Path
from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), config_filepath=str(Path(__file__).parent / "{yaml}"))
"""

# Runs in a fresh interpreter: Airflow's DagBag is imported first and the heap frozen, as the
# dag-processor does before it forks a parser (airflow/dag_processing/manager.py, gc.freeze()),
# then only the DagBag load of the one DAG file is timed, its own imports included.
LOAD_ONCE = """
import gc, sys, time, warnings
warnings.simplefilter("ignore")
from airflow.dag_processing.dagbag import DagBag
gc.freeze()
dag_file, dag_id, tasks = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()
bag = DagBag(dag_folder=dag_file, safe_mode=False)
elapsed = time.perf_counter() - started
assert not bag.import_errors, bag.import_errors
assert len(bag.dags[dag_id].tasks) == tasks, len(bag.dags[dag_id].tasks)
print(elapsed)
"""


def dagfactory_yaml(dag_id: str, grouped: bool) -> str:
    lines = [f"{dag_id}:", "  default_args:", "    start_date: 2026-01-01", "  schedule: null"]
    groups = [f"app_{i:03d}" for i in range(APPS)] if grouped else ["apps"]
    lines.append("  task_groups:")
    lines += [f"    {g}:\n      tooltip: {g}" for g in groups]
    lines.append("  tasks:")
    for i in range(APPS):
        app = f"app_{i:03d}"
        for j, step in enumerate(STEPS):
            lines.append(f"    {app}_{step}:")
            lines.append("      operator: airflow.providers.standard.operators.bash.BashOperator")
            lines.append(f"      bash_command: 'true {step} /tmp/bench/{app}'")
            lines.append(f"      task_group_name: {app if grouped else 'apps'}")
            if j:
                lines.append(f"      dependencies: [{app}_{STEPS[j - 1]}]")
    return "\n".join(lines) + "\n"


def fresh_process_loads(dag_file: Path, dag_id: str, repeat: int) -> float:
    """Best of ``repeat`` DagBag loads, each in a new interpreter."""
    env = {**os.environ, "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR"}
    times = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", LOAD_ONCE, str(dag_file), dag_id, str(TASKS)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{dag_file.name}: {done.stderr.strip().splitlines()[-1:]}")
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return min(times)


def big_config(folder: Path, size: int) -> Path:
    path = folder / f"big_{size}.conf"
    chunks = ["base = /data\ntasks: [\n"]
    total, i = 0, 0
    while total < size:
        entry = (
            f"  {{ id: t{i:05d}, name: shell_script, airflow: {{ retries: 1 }}, "
            f'args: {{ script_path: "/usr/bin/env", '
            f'script_args: [echo, ${{base}}/part_{i:05d}, "{{{{ ds }}}}"] }} }}\n'
        )
        chunks.append(entry)
        total += len(entry)
        i += 1
    chunks.append("]\n")
    path.write_text("".join(chunks))
    return path


def write_dags(dags: Path) -> None:
    (dags / "config_a").mkdir(parents=True)
    (dags / "config_a" / "all.conf").write_text(one_config())
    (dags / "config_b" / "apps").mkdir(parents=True)
    (dags / "config_b" / "base.conf").write_text(BASE_CONF)
    for i in range(APPS):
        (dags / "config_b" / "apps" / f"app_{i:03d}.conf").write_text(
            f'include "../base.conf"\napp = app_{i:03d}\n'
        )
    fill = {"steps": STEPS, "apps": APPS}
    (dags / "hocon_a.py").write_text(textwrap.dedent(HOCON_A))
    (dags / "hocon_b.py").write_text(textwrap.dedent(HOCON_B))
    (dags / "python_a.py").write_text(PYTHON_A.format(**fill))
    (dags / "python_b.py").write_text(PYTHON_B.format(**fill))
    for shape, grouped in (("a", False), ("b", True)):
        (dags / f"dagfactory_{shape}.yaml").write_text(dagfactory_yaml(f"dagfactory_{shape}", grouped))
        (dags / f"dagfactory_{shape}.py").write_text(DAGFACTORY_DAG.format(yaml=f"dagfactory_{shape}.yaml"))


def config_loads(root: Path) -> tuple[list[list[str]], bool]:
    from airflow_provider_dataops.hocon import load_config

    big = big_config(root, 1_000_000)
    zig_t, loaded = best_of(lambda: load_config(big, engine="zig-hocon"), REPEAT)
    text = json.dumps(loaded)
    json_t, _ = best_of(lambda: json.loads(text), REPEAT)
    small = big_config(root, 100_000)
    small_zig, _ = best_of(lambda: load_config(small, engine="zig-hocon"), REPEAT)
    small_py, _ = best_of(lambda: load_config(small, engine="pyhocon"), 1)
    rows = [
        ["json.loads of the resolved 1 MB data (baseline)", f"{json_t:.4f}", "1.00x", ""],
        ["1 MB config, zig-hocon load_config", f"{zig_t:.4f}", f"{zig_t / json_t:.1f}x", "<= 0.300 s"],
        ["100 KB config, zig-hocon load_config", f"{small_zig:.4f}", "", ""],
        ["100 KB config, pyhocon load_config (reference)", f"{small_py:.4f}", "", ""],
    ]
    print(f"\n1 MB config: {big.stat().st_size} bytes, {len(loaded['tasks'])} tasks; best of {REPEAT}")
    return rows, zig_t <= 0.3


def dagbag_rows(dags: Path) -> tuple[list[list[str]], bool]:
    rows: list[list[str]] = []
    ok = True
    for shape, label in (("a", "one config, 1400 tasks"), ("b", "200 configs including a base")):
        python_t = fresh_process_loads(dags / f"python_{shape}.py", f"python_{shape}", REPEAT)
        hocon_t = fresh_process_loads(dags / f"hocon_{shape}.py", f"hocon_{shape}", REPEAT)
        try:
            factory_t: float | None = fresh_process_loads(
                dags / f"dagfactory_{shape}.py", f"dagfactory_{shape}", DAGFACTORY_REPEAT
            )
        except RuntimeError as exc:  # reported, not fatal: dag-factory is only a reference point
            print(f"dag-factory could not load shape ({shape}): {exc}", file=sys.stderr)
            factory_t = None
        ok = ok and hocon_t / python_t <= 1.3
        rows.append([f"({shape}) hand-written BashOperator (baseline)", f"{python_t:.3f}", "1.00x", ""])
        rows.append([f"({shape}) HOCON, {label}", f"{hocon_t:.3f}", f"{hocon_t / python_t:.2f}x", "<= 1.3x"])
        if factory_t is not None:
            rows.append(
                [f"({shape}) dag-factory YAML", f"{factory_t:.3f}", f"{factory_t / python_t:.2f}x", "-"]
            )
    return rows, ok


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench_hocon_") as tmp:
        root = Path(tmp)
        dags = root / "dags"
        write_dags(dags)
        os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
        os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        load_rows, load_ok = config_loads(root)
        print_table(["config load", "seconds", "ratio", "target"], load_rows)
        print(
            f"\nDagBag load of {APPS} applications x {len(STEPS)} tasks ({TASKS} tasks), fresh process "
            f"each, best of {REPEAT} (dag-factory: best of {DAGFACTORY_REPEAT})\n"
        )
        bag_rows, bag_ok = dagbag_rows(dags)
        print_table(["DagBag load", "seconds", "ratio", "target"], bag_rows)
    ok = load_ok and bag_ok
    print("\nall targets met" if ok else "\nTARGET MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
