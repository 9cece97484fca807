"""A second local account attacks the lineage pipeline on the same machine (issue 10, item 1).

The attacker is a real throwaway account (``other_user``, needs root) working in a real
``/tmp``-like folder (``shared_tmp``, root-owned, mode 1777): it pre-creates the pipeline's
working folders world-writable and swaps the scanner script between the ``copy`` and the
``shell_script`` task, as it would on a shared worker.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_dataops.hocon import registry
from tests.fixtures.local_user import LocalUser

SCANNER = "print('the real scanner')\n"
CONFIG = """
root = ${ROOT}
workspace = ${root}/workspace/billing
scanner = ${workspace}/bin/scan_lineage.py
tasks: [
  { id: setup_scanner, name: copy, args: { source_path: ${CWD}/scan_lineage.py, target_path: ${scanner} } }
  {
    id: attacker_swaps
    name: python
    depends_on: [setup_scanner]
    airflow: { trigger_rule: all_done }
    args: {
      python_callable: tests.fixtures.local_user.run_as
      op_kwargs: { user: ${ATTACKER}, argv: [mv, -f, ${EVIL}, ${scanner}] }
    }
  }
  {
    id: scan
    name: shell_script
    depends_on: [attacker_swaps]
    airflow: { trigger_rule: all_done }
    args: { script_path: ${PYTHON}, script_args: [${scanner}, scan] }
  }
]
"""
DAG = """
import pendulum
from airflow.sdk import DAG
from airflow_provider_dataops.task_groups.hocon import HoconTaskGroup

with DAG(dag_id="shared_machine_attack", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
    HoconTaskGroup("billing", "attack.conf", variables={variables!r})
"""


def attacker_setup(attacker: LocalUser, shared: Path) -> tuple[Path, Path, Path]:
    """The attacker's moves before the victim's run: a world-writable workspace and a payload."""
    root = shared / "dataops_lineage"
    bin_folder = root / "workspace" / "billing" / "bin"
    attacker.run("mkdir", "-p", bin_folder)
    for folder in (root, root / "workspace", root / "workspace" / "billing", bin_folder):
        attacker.run("chmod", "0777", folder)
    marker = shared / "PWNED"
    payload = shared / "payload.py"
    payload.write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran as the airflow user')\n"
    )
    payload.chmod(0o644)
    evil = shared / "evil_scan_lineage.py"
    attacker.run("cp", payload, evil)
    return root, evil, marker


def test_pipeline_refuses_a_workspace_another_user_pre_created_and_never_runs_the_swapped_script(
    run_dag: Callable[..., Any], other_user: LocalUser, shared_tmp: Path
) -> None:
    root, evil, marker = attacker_setup(other_user, shared_tmp)
    variables = {"ROOT": str(root), "ATTACKER": other_user.name, "EVIL": str(evil), "PYTHON": sys.executable}

    dag_run = run_dag(
        DAG.format(variables=variables),
        "shared_machine_attack",
        files={"attack.conf": CONFIG, "scan_lineage.py": SCANNER},
    )

    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    assert states == {
        "billing.setup_scanner": "failed",
        "billing.attacker_swaps": "success",  # the attacker did swap the script in
        "billing.scan": "failed",
    }
    assert not marker.exists()


def test_shell_script_refuses_a_script_in_a_folder_owned_by_another_user(
    other_user: LocalUser, shared_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, evil, marker = attacker_setup(other_user, shared_tmp)
    scanner = root / "workspace" / "billing" / "bin" / "scan_lineage.py"
    other_user.run("mv", evil, scanner)
    other_user.run("chmod", "0755", root / "workspace" / "billing" / "bin")  # not even writable by others

    result = registry.create("shell_script").run(
        script_path=sys.executable, script_args=[str(scanner), "scan"]
    )

    assert result is False
    assert not marker.exists()
    assert f"folder {root} is owned by user {other_user.name}" in caplog.text


def seeded(root: Path) -> dict[str, Path]:
    """What each file task type would touch under the attacker's root, seeded by the attacker."""
    return {
        "old": root / "backup" / "old.tar.gz",
        "planted": root / "workspace" / "billing" / "planted.txt",
    }


@pytest.mark.parametrize(
    ("task", "args"),
    [
        ("copy", {"source_path": "{src}", "target_path": "{root}/workspace/billing/copy"}),
        ("archive", {"input_directory_path": "{src}", "target_file_path": "{root}/backup/new.tar.gz"}),
        ("upload", {"source_path": "{src}", "target_url": "file://{root}/lake"}),
        ("clean_workspace", {"path": "{root}/workspace/billing", "root": "{root}"}),
        ("delete_older_than", {"path": "{root}/backup", "root": "{root}", "days": 0, "pattern": "*"}),
        ("shell_script", {"script_path": "/bin/true", "working_directory_path": "{root}/workspace/billing"}),
    ],
)
def test_every_file_task_type_refuses_a_root_another_user_owns(
    tmp_path: Path,
    other_user: LocalUser,
    shared_tmp: Path,
    task: str,
    args: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    root, _, _ = attacker_setup(other_user, shared_tmp)
    files = seeded(root)
    other_user.run("mkdir", "-p", files["old"].parent)
    for path in files.values():
        other_user.run("touch", "-d", "2020-01-01", path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "result.json").write_text("{}")
    filled = {k: v.format(src=src, root=root) if isinstance(v, str) else v for k, v in args.items()}
    before = sorted(str(p) for p in root.rglob("*"))

    assert registry.create(task).run(**filled) is False

    assert sorted(str(p) for p in root.rglob("*")) == before
    assert all(path.exists() for path in files.values())
    assert f"{root} is owned by user {other_user.name}" in caplog.text


def test_shell_script_refuses_a_script_another_user_owns_in_a_shared_sticky_folder(
    other_user: LocalUser, shared_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, evil, marker = attacker_setup(other_user, shared_tmp)
    other_user.run("chmod", "0644", evil)

    assert registry.create("shell_script").run(script_path=sys.executable, script_args=[str(evil)]) is False

    assert not marker.exists()
    assert f"{evil} is owned by user {other_user.name}" in caplog.text
