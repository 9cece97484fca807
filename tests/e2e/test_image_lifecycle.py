"""The Dockerfile has the seed's stages and lints clean; the image targets fail fast without Docker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
SEED_STAGES = [
    "base-pre-pkg",
    "python-pkg-refresh",
    "python-pkg-pinned",
    "base-post-pkg",
    "smoke-test",
    "target-image",
]


def _from_lines() -> list[tuple[str, str]]:
    return re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)\s*$", DOCKERFILE.read_text(), re.MULTILINE | re.IGNORECASE)


def test_dockerfile_has_the_seeds_stages_in_order_with_target_image_last() -> None:
    stages = dict((name, base) for base, name in _from_lines())
    assert [name for _, name in _from_lines()] == SEED_STAGES
    assert stages["base-post-pkg"] == "python-pkg-${PYTHON_PKG_VERSIONS}"
    assert stages["python-pkg-refresh"] == stages["python-pkg-pinned"] == "base-pre-pkg"
    assert stages["smoke-test"] == stages["target-image"] == "base-post-pkg"
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG PYTHON_PKG_VERSIONS=pinned$", text, re.MULTILINE)
    assert re.search(r"^ARG AIRFLOW_IMAGE=apache/airflow:3\.3\.2-python3\.11$", text, re.MULTILINE)


def test_image_runs_as_the_airflow_user_and_bakes_in_no_secret() -> None:
    text = DOCKERFILE.read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users[-1] == "50000", "the last USER must be the official image's airflow user"
    assigned = re.findall(r"^(?:ENV|ARG)\s+(.+)$", text, re.MULTILINE)
    secretish = [line for line in assigned if re.search(r"SECRET|PASSWORD|TOKEN|FERNET|_KEY\b", line, re.I)]
    assert not secretish, secretish
    assert "smoke-test" in text
    assert "airflow providers get airflow-provider-dataops" in text


def test_hadolint_passes_on_the_dockerfile() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_targets_stop_with_one_clear_line_when_no_engine_answers(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    for target in ("build", "smoke-test", "python-pkg-refresh"):
        result = subprocess.run(
            ["make", "--no-print-directory", "-C", str(REPO), target],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode != 0
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert len(lines) == 1, lines
        assert "No Docker engine reachable" in lines[0]


def test_build_context_is_an_allow_list_of_exactly_what_the_dockerfile_copies() -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "the build context must start from nothing (.env, .airflow, .venv stay out)"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied: set[str] = set()
    for sources in re.findall(r"^COPY\s+(?:--\S+\s+)*(.+)\s+\S+$", DOCKERFILE.read_text(), re.MULTILINE):
        copied.update(sources.split())
    assert copied == allowed, {"copied but excluded": copied - allowed, "sent but unused": allowed - copied}
    for source in copied:
        assert (REPO / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"
