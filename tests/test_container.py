"""The Dockerfile and compose.yaml checked against the package, without a Docker daemon:
entry point, command, copied paths, user, volume, port and the health check all have to
match what the code really has."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.config import Settings
from tests.fakes import FakeServer

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def one(keyword: str) -> str:
    (value,) = [rest for key, rest in instructions() if key == keyword]
    return value


def env_values() -> dict[str, str]:
    values: dict[str, str] = {}
    for key, rest in instructions():
        if key == "ENV":
            values.update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    return values


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_base_image_is_a_slim_python_the_package_supports() -> None:
    match = re.fullmatch(r"python:(\d+)\.(\d+)-slim", one("FROM"))
    assert match, one("FROM")
    minimum = re.search(r"(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert (int(match[1]), int(match[2])) >= (int(minimum[1]), int(minimum[2]))


def test_entry_point_is_the_console_script_and_the_command_exists() -> None:
    entry = json.loads(one("ENTRYPOINT"))
    assert entry == ["support-coach"]
    assert PYPROJECT["project"]["scripts"]["support-coach"] == "bot.cli:cli"
    command = json.loads(one("CMD"))
    assert command[:1] == ["run"] and "--http" in command  # HTTP mode: the one with /healthz
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output


def test_copied_paths_exist_and_cover_what_the_wheel_needs() -> None:
    copied: set[str] = set()
    for key, rest in instructions():
        if key == "COPY":
            *sources, _target = rest.split()
            copied.update(s.rstrip("/") for s in sources)
    for source in copied:
        assert (ROOT / source).exists(), source
    needed = {
        "pyproject.toml",
        PYPROJECT["project"]["readme"],
        *PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"],
        *PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"],
    }
    assert needed <= copied, needed - copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert not copied & set(ignored)
    assert {".env", "*.db", ".venv"} <= set(ignored)  # no secrets, databases or virtualenvs in the image


def test_runs_as_a_user_who_is_not_root() -> None:
    user = one("USER")
    assert user not in ("root", "0")
    assert any(key == "RUN" and "useradd" in rest and re.search(rf"\b{user}\b", rest) for key, rest in instructions())


def test_database_lives_on_the_volume() -> None:
    (volume,) = json.loads(one("VOLUME"))
    settings = Settings.from_env(env_values())
    assert settings.db_path.parent == Path(volume)
    workdirs = [rest for key, rest in instructions() if key == "WORKDIR"]
    assert workdirs[-1] == volume  # relative paths (an admin's --db) land on the volume too
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["coach"]
    assert service["build"] == "." and service["env_file"] == ".env"
    assert any(mount.split(":")[1] == volume for mount in service["volumes"])
    assert set(compose["volumes"]) == {mount.split(":")[0] for mount in service["volumes"]}


def test_port_matches_everywhere() -> None:
    port = env_values()["PORT"]
    assert one("EXPOSE") == port
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert [p.split(":")[1] for p in compose["services"]["coach"]["ports"]] == [port]
    assert compose["services"]["coach"]["command"] == json.loads(one("CMD"))


def test_compose_documents_socket_mode_with_the_health_check_off() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    socket = text[text.index("Socket Mode") :]
    prefix = "    # "
    code = [
        line[len(prefix) :]
        for line in socket.splitlines()
        if line.startswith(prefix) and re.match(r"[a-z_]+:|  ", line[len(prefix) :])
    ]
    block = yaml.safe_load("\n".join(code))  # what an admin gets by uncommenting it
    assert block["command"] == ["run"] and block["healthcheck"] == {"disable": True}


def test_healthcheck_probes_the_servers_healthz() -> None:
    health = one("HEALTHCHECK")
    command = json.loads(health[health.index("CMD") + 3 :])
    assert command == ["python", "-m", "bot.healthcheck"]
    assert '"/healthz"' in (ROOT / "bot" / "slack" / "server.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(("status", "code"), [(200, 0), (503, 1)])
def test_healthcheck_module_exit_codes(status: int, code: int) -> None:
    with FakeServer() as server:
        server.handlers["/healthz"] = lambda call: (status, {}, {"ok": status == 200})
        port = server.url.rstrip("/").rsplit(":", 1)[1]
        proc = subprocess.run(
            [sys.executable, "-m", "bot.healthcheck"],
            env={"PORT": port},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert proc.returncode == code, proc.stderr
    assert server.calls_to("/healthz")


def test_healthcheck_fails_when_nothing_listens() -> None:
    with FakeServer() as server:
        port = server.url.rstrip("/").rsplit(":", 1)[1]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.healthcheck", port], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 1 and "unhealthy" in proc.stderr
