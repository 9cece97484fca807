"""A real distributed Airflow: Postgres metadata DB, CeleryExecutor on Redis, one process per component.

api-server, scheduler, dag-processor, triggerer and ``airflow celery worker`` run as separate
processes with a throwaway AIRFLOW_HOME, a throwaway Postgres database, free ports, a private Celery
queue and a shared JWT secret. The DAG is triggered through the REST API like any client would, with
and without a logical date, and with ``airflow dags trigger`` (no logical date either).
Every process is stopped by its PID afterwards, also when a test fails.

``make test-distributed`` runs this module alone.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.dlp import FakeDlp
from tests.fixtures.peers import free_port
from tests.fixtures.production import REPO, AirflowApi, ProcessGroup, airflow_free_env, wait_for_http

pytestmark = pytest.mark.e2e

# The DAG the distributed run triggers, and only what it needs from dags/ (the whole folder would
# also start gcs_dlp_scan's Pub/Sub watcher in the triggerer).
TARGET_DAG_ID = "lineage_scan"
TARGET_DAG_PATHS = (REPO / "dags" / "lineage_scan.py", REPO / "dags" / "config")
TARGET_CONF: dict[str, Any] = {"retention_days": 3}

DEFERRED_DAG_FILE = Path(__file__).parent / "deferred_dag" / "e2e_deferred_probe.py"
DEFERRED_DAG_ID = "e2e_deferred_probe"
ADMIN_USER = "admin"
STARTUP_TIMEOUT = 120
RUN_TIMEOUT = 300


@dataclass
class Cluster:
    api: AirflowApi
    group: ProcessGroup
    queue: str
    home: Path
    lineage_root: Path
    dlp: FakeDlp
    env: dict[str, str]
    airflow: str

    def worker_log(self) -> str:
        return self.group.processes["celery-worker"].log()


def _missing_prerequisite() -> str | None:
    """What this environment lacks for Airflow on Postgres + Celery, or None."""
    if importlib.util.find_spec("asyncpg") is None:
        return (
            "Airflow 3.3 on Postgres needs the asyncpg driver, not installed here (add it to the dev extra)"
        )
    try:
        import airflow.providers.celery.executors.celery_executor  # noqa: F401
    except ImportError as exc:
        return (
            f"CeleryExecutor cannot be imported ({exc}): apache-airflow-providers-celery imports what "
            "celery 5.7 removed; pin celery<5.7 in the dev extra"
        )
    return None


@pytest.fixture(scope="module")
def cluster(
    postgres_server: dict[str, Any], redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    import psycopg2
    from psycopg2 import sql

    if problem := _missing_prerequisite():
        pytest.skip(problem)

    root = tmp_path_factory.mktemp("distributed")
    home, dags, lineage = root / "home", root / "dags", root / "lineage"
    home.mkdir()
    lineage.mkdir()
    dags.mkdir()
    for path in TARGET_DAG_PATHS:
        if path.is_dir():
            shutil.copytree(path, dags / path.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, dags / path.name)
    shutil.copy(DEFERRED_DAG_FILE, dags / DEFERRED_DAG_FILE.name)
    password = secrets.token_urlsafe(16)
    passwords_file = home / "passwords.json"
    passwords_file.write_text(f'{{"{ADMIN_USER}": "{password}"}}')

    database = f"dataops_e2e_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **postgres_server)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    # SQLAlchemy 2.1 defaults postgresql:// to psycopg 3; this project ships psycopg2.
    db_url = f"postgresql+psycopg2://{postgres_server['user']}@{postgres_server['host']}:{postgres_server['port']}/{database}"

    # Each status read moves the job one step (PENDING, RUNNING, DONE): the sensor's first poke sees
    # PENDING and must defer, however long the worker takes to start it (a time-based job was DONE
    # before a slow worker's first poke, and the sensor never deferred).
    dlp = FakeDlp().start()
    dlp_connection = {
        "conn_type": "google_cloud_platform",
        "extra": {
            "is_anonymous": True,
            "project": "test-project",
            "api_endpoint": dlp.url,
            "transport": "rest",
        },
    }

    api_port = free_port()
    queue = f"dataops_e2e_{uuid.uuid4().hex[:8]}"
    env = airflow_free_env(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=db_url,
        # The Postgres server is shared (max_connections 100): at most 10 connections per process.
        AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE="3",
        AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW="7",
        AIRFLOW__CELERY__BROKER_URL=redis_url,
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+{db_url}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="2",
        AIRFLOW__OPERATORS__DEFAULT_QUEUE=queue,
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__WORKERS="1",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api_port}/execution/",
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{ADMIN_USER}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords_file),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT=str(free_port()),
        AIRFLOW__OPENLINEAGE__DISABLED="True",
        DATAOPS_LINEAGE_ROOT=str(lineage),
        AIRFLOW_CONN_DLP_FAKE=json.dumps(dlp_connection),
    )
    airflow = str(Path(sys.executable).parent / "airflow")
    group = ProcessGroup(log_dir=root)
    try:
        migrate = group.start("db-migrate", [airflow, "db", "migrate"], env)
        if migrate.process.wait(timeout=STARTUP_TIMEOUT) != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{migrate.log()[-4000:]}")
        del group.processes["db-migrate"]
        group.start("api-server", [airflow, "api-server"], env)
        group.start("scheduler", [airflow, "scheduler"], env)
        group.start("dag-processor", [airflow, "dag-processor"], env)
        group.start("triggerer", [airflow, "triggerer"], env)
        group.start(
            "celery-worker", [airflow, "celery", "worker", "--queues", queue, "--without-gossip"], env
        )
        wait_for_http(f"http://127.0.0.1:{api_port}/api/v2/monitor/health", STARTUP_TIMEOUT, group)
        api = AirflowApi(f"http://127.0.0.1:{api_port}", ADMIN_USER, password)
        yield Cluster(
            api=api,
            group=group,
            queue=queue,
            home=home,
            lineage_root=lineage,
            dlp=dlp,
            env=env,
            airflow=airflow,
        )
    finally:
        group.stop_all()
        dlp.stop()
        _forget_queue(redis_url, queue)
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        admin.close()


def _forget_queue(redis_url: str, queue: str) -> None:
    """Remove the private queue's keys (the queue and kombu's bindings) from the shared Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _run_to_completion(cluster: Cluster, dag_id: str, conf: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cluster.api.wait_for_dag(dag_id, STARTUP_TIMEOUT, cluster.group.check_alive)
    run_id = cluster.api.trigger(dag_id, conf)
    run = cluster.api.wait_for_run(dag_id, run_id, RUN_TIMEOUT, cluster.group.check_alive)
    return run_id, run


def test_dag_triggered_through_rest_api_succeeds_with_every_task_run_by_the_celery_worker(
    cluster: Cluster,
) -> None:
    run_id, run = _run_to_completion(cluster, TARGET_DAG_ID, TARGET_CONF)
    tis = cluster.api.task_instances(TARGET_DAG_ID, run_id)

    assert run["state"] == "success", (tis, cluster.group.logs())
    assert run["conf"] == TARGET_CONF
    assert tis
    assert {ti["state"] for ti in tis} == {"success"}, tis
    assert {ti["queue"] for ti in tis} == {cluster.queue}
    worker_log = cluster.worker_log()
    for ti in tis:
        assert ti["executor"] in (None, "CeleryExecutor"), ti
        executed = [
            line for line in worker_log.splitlines() if "Executing workload" in line and run_id in line
        ]
        assert any(f"task_id='{ti['task_id']}'" in line for line in executed), (
            f"the Celery worker never executed {ti['task_id']} of {run_id}"
        )


def _trigger_from_cli(cluster: Cluster, dag_id: str) -> str:
    """``airflow dags trigger DAG_ID`` as an operator types it: no logical date (the run id is ours)."""
    run_id = f"cli_{uuid.uuid4().hex[:12]}"
    result = subprocess.run(
        [cluster.airflow, "dags", "trigger", dag_id, "--run-id", run_id],
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return run_id


def test_runs_without_logical_date_from_cli_and_rest_succeed_and_are_dated_by_run_after(
    cluster: Cluster,
) -> None:
    cluster.api.wait_for_dag(TARGET_DAG_ID, STARTUP_TIMEOUT, cluster.group.check_alive)
    run_ids = [
        _trigger_from_cli(cluster, TARGET_DAG_ID),
        cluster.api.trigger(TARGET_DAG_ID, TARGET_CONF, with_logical_date=False),
    ]
    # lineage_scan has max_active_runs=1: the second run waits for the first.
    runs = [
        cluster.api.wait_for_run(TARGET_DAG_ID, run_id, 2 * RUN_TIMEOUT, cluster.group.check_alive)
        for run_id in run_ids
    ]

    for run_id, run in zip(run_ids, runs, strict=True):
        tis = cluster.api.task_instances(TARGET_DAG_ID, run_id)
        assert run["logical_date"] is None, run
        assert run["state"] == "success", (run, tis, cluster.group.logs())
        assert {ti["state"] for ti in tis} == {"success"}, tis
        run_after = datetime.datetime.fromisoformat(run["run_after"])
        for app in ("billing", "inventory", "marketing"):
            backup = cluster.api.task_instance(TARGET_DAG_ID, run_id, f"{app}.backup")
            target = Path(backup["rendered_fields"]["args"]["target_file_path"])
            assert target.name == f"{app}_{run_after:%Y%m%d}.tar.gz", backup["rendered_fields"]
            assert target.is_file()
            assert target.is_relative_to(cluster.lineage_root)


def test_deferred_sensor_is_resumed_by_the_triggerer_and_tasks_run_under_the_worker_process(
    cluster: Cluster,
) -> None:
    run_id, run = _run_to_completion(cluster, DEFERRED_DAG_ID, {})
    tis = {ti["task_id"]: ti for ti in cluster.api.task_instances(DEFERRED_DAG_ID, run_id)}

    assert run["state"] == "success", (tis, cluster.group.logs())
    assert tis["wait"]["state"] == "success"
    whoami = cluster.api.xcom(DEFERRED_DAG_ID, run_id, "whoami")
    worker_pid = cluster.group.processes["celery-worker"].pid
    assert worker_pid in whoami["ancestors"], (whoami, worker_pid)
    for name in ("scheduler", "api-server", "triggerer", "dag-processor"):
        assert cluster.group.processes[name].pid not in whoami["ancestors"]

    # The triggerer writes what the trigger did beside the task's log: attempt=1.log.trigger.<job>.log
    task_logs = cluster.home / "logs" / f"dag_id={DEFERRED_DAG_ID}" / f"run_id={run_id}" / "task_id=wait"
    trigger_logs = sorted(task_logs.glob("attempt=1.log.trigger.*.log"))
    assert trigger_logs, f"the triggerer wrote no log for the sensor in {task_logs}"
    assert "Trigger fired event" in trigger_logs[0].read_text()
    # The sensor resumed with the finished job of the fake DLP API.
    (job_name,) = cluster.dlp.jobs
    assert cluster.dlp.state(job_name) == "DONE"
    assert cluster.api.xcom(DEFERRED_DAG_ID, run_id, "wait")["state"] == "DONE"
    assert "Pausing task as DEFERRED" in (task_logs / "attempt=1.log").read_text()
    # Once to defer, once more to resume after the trigger fired: both on the worker.
    executions = [
        line
        for line in cluster.worker_log().splitlines()
        if "Executing workload" in line and "task_id='wait'" in line
    ]
    assert len(executions) == 2, executions
