"""The ``%stackql`` magic in a real notebook run by a real Jupyter kernel, against PostgreSQL.

``nbclient`` starts an ``ipykernel`` with this environment's Python (a kernel spec written for
the test points at ``sys.executable``), runs the cells in order and keeps their outputs. The
connection reaches the kernel through the environment (``AIRFLOW_CONN_STACKQL_DEFAULT``), the
way a notebook outside Airflow sees connections.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

KERNEL = "dataops-stackql-test"
CELLS = [
    "import sys\nprint(sys.executable)",
    "%load_ext airflow_provider_dataops.magics",
    'status = "TERMINATED"\nzone = "australia-southeast1-a"',
    "%%stackql -o terminated --no-display\n"
    "SELECT name, id FROM instances\n"
    "WHERE status = '$status' AND zone = '${zone}'  -- the owner's project\n"
    "ORDER BY id",
    'print(terminated.to_dict("list"), terminated["name"].dtype)',
    "%stackql SELECT count(*)::numeric AS n, '$status' AS s FROM instances WHERE status <> '$status'",
    "%stackql SELECT * FROM no_such_table",
    "print(type(stackql_df).__name__, stackql_df.to_dict('records'))",
]


@pytest.fixture
def kernel_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec running ipykernel with this test's interpreter (the worktree's venv)."""
    folder = tmp_path / "jupyter" / "kernels" / KERNEL
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "dataops test",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return KERNEL


def _text(output: Any) -> str:
    if output["output_type"] == "stream":
        return str(output["text"])
    return str(output.get("data", {}).get("text/plain", ""))


def test_notebook_runs_the_magic_in_a_real_kernel(
    kernel_spec: str, stackql_conn: Callable[..., str], tmp_path: Path
) -> None:
    stackql_conn("stackql_default")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    client = nbclient.NotebookClient(
        notebook, kernel_name=kernel_spec, timeout=180, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    interpreter, *outputs = [cell["outputs"] for cell in notebook.cells]

    assert [_text(o) for o in interpreter] == [f"{sys.executable}\n"]

    assert outputs[0] == outputs[1] == outputs[2] == []  # -o with --no-display shows nothing
    assert [_text(o) for o in outputs[3]] == ["{'name': ['vm-3'], 'id': [3]} str\n"]
    (shown,) = outputs[4]
    assert shown["output_type"] == "execute_result"
    assert shown["data"]["text/plain"].split() == ["n", "s", "0", "4", "TERMINATED"]
    assert "<table" in shown["data"]["text/html"]
    (error,) = outputs[5]
    assert (error["output_type"], error["name"]) == ("stream", "stderr")
    assert error["text"] == 'stackql: relation "no_such_table" does not exist\n'
    assert [_text(o) for o in outputs[6]] == ["DataFrame [{'n': 4, 's': 'TERMINATED'}]\n"]
