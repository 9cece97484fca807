"""The Airflow UI of ``make run`` in a real browser (Debian's chromium driven by Playwright).

``make run`` is started as a user would start it, in a throwaway AIRFLOW_HOME on a free port; the
test signs in with the generated admin password, triggers the DAG from its trigger form with a
param, watches the run succeed in the grid, and opens the StackQL connection form. Screenshots go
to the test's temporary folder; with DATAOPS_UPDATE_SCREENSHOTS=1 they also replace docs/img/.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.peers import free_port
from tests.fixtures.production import REPO, AirflowApi, ProcessGroup, airflow_free_env, wait_for_http

pytestmark = pytest.mark.e2e

# The DAG the browser triggers from make run's own dags/ folder, and the param it sets in the form.
TARGET_DAG_ID = "lineage_scan"
TARGET_DAG_FOLDER = REPO / "dags"
TARGET_PARAM, TARGET_PARAM_VALUE = "retention_days", 3

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STACKQL_EXTRA_FIELDS = {
    "sslmode": "SSL mode",
    "sslcert": "Client certificate (path)",
    "sslkey": "Client key (path)",
    "sslrootcert": "Server CA certificate (path)",
    "connect_timeout": "Connect timeout (seconds)",
}
SCREENSHOTS = REPO / "docs" / "img"
STARTUP_TIMEOUT = 180
RUN_TIMEOUT = 300


@dataclass
class Standalone:
    base_url: str
    password: str
    api: AirflowApi
    screenshot_dir: Path

    def screenshot(self, page: Any, name: str) -> None:
        path = self.screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path))
        if os.environ.get("DATAOPS_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, SCREENSHOTS / path.name)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    """``make run`` in a throwaway home on a free port, stopped by its PID afterwards."""
    if not CHROMIUM.is_file():
        pytest.skip(f"chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    if shutil.which("make") is None:
        pytest.skip("make is not on PATH")
    root = tmp_path_factory.mktemp("standalone")
    home = root / "home"
    port = free_port()
    env = airflow_free_env(
        AIRFLOW_HOME=str(home),
        AIRFLOW_PORT=str(port),
        DAGS_FOLDER=str(TARGET_DAG_FOLDER),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__OPENLINEAGE__DISABLED="True",
        DATAOPS_LINEAGE_ROOT=str(root / "lineage"),
    )
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    group = ProcessGroup(log_dir=root)
    try:
        group.start("make-run", ["make", "--no-print-directory", "-C", str(REPO), "run"], env)
        base_url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base_url}/api/v2/monitor/health", STARTUP_TIMEOUT, group)
        passwords = home / "simple_auth_manager_passwords.json.generated"
        deadline = time.monotonic() + 30
        while not passwords.is_file() and time.monotonic() < deadline:
            time.sleep(0.5)
        password = json.loads(passwords.read_text())["admin"]
        api = AirflowApi(base_url, "admin", password)
        api.wait_for_dag(TARGET_DAG_ID, STARTUP_TIMEOUT, group.check_alive)
        shots = root / "screenshots"
        shots.mkdir()
        yield Standalone(base_url=base_url, password=password, api=api, screenshot_dir=shots)
    finally:
        group.stop_all(timeout=20)


@pytest.fixture
def page(standalone: Standalone) -> Iterator[Any]:
    """A signed-in page: the login form filled with the generated admin password."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(30_000)
            page.goto(f"{standalone.base_url}/")
            page.wait_for_url("**/auth/login**")
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(standalone.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/auth/login" not in url)
            yield page
        finally:
            browser.close()


def test_sign_in_is_required_and_a_wrong_password_gets_no_token(standalone: Standalone) -> None:
    import requests

    response = requests.post(
        f"{standalone.base_url}/auth/token", json={"username": "admin", "password": "not-it"}, timeout=30
    )
    assert response.status_code == 401


def test_dag_triggered_from_the_form_with_a_param_succeeds_in_the_grid(
    standalone: Standalone, page: Any
) -> None:
    page.goto(f"{standalone.base_url}/dags/{TARGET_DAG_ID}")
    page.get_by_role("button", name="Trigger Dag").click()
    dialog = page.get_by_role("dialog")
    field = dialog.locator(f"input[name=element_{TARGET_PARAM}]")
    field.fill(str(TARGET_PARAM_VALUE))
    standalone.screenshot(page, "trigger-form")
    dialog.get_by_role("button", name="Trigger", exact=True).click()
    page.wait_for_url(f"**/dags/{TARGET_DAG_ID}/runs/**")
    run_id = page.url.rstrip("/").rsplit("/runs/", 1)[1]

    tasks = [ti["task_id"] for ti in standalone.api.task_instances(TARGET_DAG_ID, run_id)]
    assert tasks, f"run {run_id} has no task instances"
    # The grid draws task groups collapsed: one cell per top-level group or task.
    top_level = sorted({task.split(".", 1)[0] for task in tasks})
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        run = standalone.api.get(f"dags/{TARGET_DAG_ID}/dagRuns/{run_id}")
        if run["state"] in ("success", "failed"):
            break
        time.sleep(2)
    page.reload()
    states: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = {node: _grid_state(page, run_id, node) for node in top_level}
        if all(states.values()):
            break
        time.sleep(1)
    page.mouse.move(0, 0)
    standalone.screenshot(page, "grid-run-success")
    assert states == dict.fromkeys(top_level, "Success"), states
    assert page.get_by_test_id("state-badge").filter(has_text="Success").first.is_visible()
    run = standalone.api.get(f"dags/{TARGET_DAG_ID}/dagRuns/{run_id}")
    assert run["conf"][TARGET_PARAM] == TARGET_PARAM_VALUE
    assert run["state"] == "success"


def _grid_state(page: Any, run_id: str, task_id: str) -> str:
    """The state the grid's tooltip shows for one task instance ("" while it is not drawn yet)."""
    cell = page.get_by_test_id(f"grid-{run_id}-{task_id}")
    if not cell.count():
        return ""
    cell.hover()
    tooltip = page.locator("[data-part=content]").filter(has_text=f"Task ID: {task_id}").last
    try:
        text = str(tooltip.inner_text(timeout=3000))
    except Exception:
        text = ""
    finally:
        # Move away so this tooltip does not cover the next cell.
        page.mouse.move(0, 0)
        tooltip.wait_for(state="hidden", timeout=3000)
    for line in text.splitlines():
        if line.startswith("State:"):
            return line.removeprefix("State:").strip()
    return ""


def test_stackql_connection_form_shows_the_declared_fields(standalone: Standalone, page: Any) -> None:
    page.goto(f"{standalone.base_url}/connections")
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox").fill("StackQL")
    page.get_by_role("option", name="StackQL").click()
    assert dialog.get_by_placeholder("5444").is_visible()
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    for name, label in STACKQL_EXTRA_FIELDS.items():
        assert dialog.get_by_text(label, exact=True).is_visible(), f"no field labelled {label!r}"
        assert dialog.locator(f"[name=element_{name}]").count() == 1, f"no input for {name}"
    dialog.get_by_text(STACKQL_EXTRA_FIELDS["connect_timeout"], exact=True).scroll_into_view_if_needed()
    standalone.screenshot(page, "stackql-connection-form")
