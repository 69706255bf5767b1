"""docker-compose.yml: valid for Docker Compose, and the stack the README describes. `docker compose
config` needs no Docker engine, only the client and its compose plugin; without them this skips."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
SERVICES = {"postgres", "redis", "migrate", "ingest", "api", "worker", "beat"}
APP_SERVICES = {"migrate", "ingest", "api", "worker", "beat"}


def compose(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), *args],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture(scope="module")
def docker_compose() -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker client on PATH")
    try:
        version = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"`docker compose version` failed: {error}")
    if version.returncode != 0:
        reason = (version.stderr or version.stdout).strip().splitlines()[:1]
        pytest.skip(f"the docker compose plugin is not installed ({' '.join(reason)})")


def published(service: dict) -> set[tuple[str, int]]:
    return {(str(port.get("published")), int(port["target"])) for port in service.get("ports", [])}


def test_compose_file_is_valid(docker_compose: None) -> None:
    result = compose("config", "--quiet")
    assert result.returncode == 0, result.stderr
    # The Compose Specification has no version; Compose v2 warns that the key is obsolete.
    assert not re.search(r"^version\s*:", COMPOSE_FILE.read_text(), re.MULTILINE)


def test_compose_stack(docker_compose: None) -> None:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]

    assert SERVICES <= services.keys()
    assert ("8000", 8000) in published(services["ingest"])
    assert ("8001", 8001) in published(services["api"])

    # One image, built from this repository, runs every app process.
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = {json.dumps(services[name].get("build"), sort_keys=True) for name in APP_SERVICES}
    assert len(images) == 1 and None not in images, images
    assert len(builds) == 1, builds
    build = services["api"]["build"]
    assert Path(build["context"]).resolve() == REPO
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"

    env = services["api"]["environment"]
    assert env["DATABASE_URL"] == "postgresql://babelwire:babelwire@postgres:5432/babelwire"
    assert env["REDIS_URL"] == "redis://redis:6379/0"
    assert all(services[name]["environment"] == env for name in APP_SERVICES)

    # Migrations run once the database is up, and everything else only after they succeeded.
    assert services["migrate"]["depends_on"].get("postgres", {}).get("condition") == "service_healthy"
    for name in APP_SERVICES - {"migrate"}:
        depends_on = services[name]["depends_on"]
        assert depends_on.get("migrate", {}).get("condition") == "service_completed_successfully", name
        assert depends_on.get("redis", {}).get("condition") == "service_healthy", name
    for name in ("postgres", "redis", "ingest", "api"):
        assert services[name].get("healthcheck", {}).get("test"), name
