"""The two Python environments (hotline/ops/environments.py): hashed locks for each, the
application's really on 3.12 with current libraries, and every service started with its own
environment's interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from hotline.config import PROJECT_ROOT
from hotline.ops import environments, serve
from hotline.ops.stack import Ports, Stack, serve_command

REQUIREMENTS = PROJECT_ROOT / "requirements"
LOCKS = ("app", "app-test", "rasa", "rasa-test", "tools")


def pins(name: str) -> dict[str, tuple[str, list[str]]]:
    """A lock's packages: name -> (version, hashes)."""
    found: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (REQUIREMENTS / f"{name}.txt").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line.startswith(" "):
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)( \\)?", stripped)
            assert match, f"{name}.txt: not an exact pin: {line!r}"
            current = canonical(match.group(1))
            found[current] = (match.group(2), [])
        else:
            assert current and stripped.startswith("--hash=sha256:"), f"{name}.txt: {line!r}"
            found[current][1].append(stripped.removesuffix(" \\"))
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_package_is_pinned_with_its_hashes(name):
    locked = pins(name)
    assert locked
    unhashed = [package for package, (_, hashes) in locked.items() if not hashes]
    assert not unhashed, f"{name}.txt: no --hash for {unhashed}"
    text = (REQUIREMENTS / f"{name}.txt").read_text()
    # Made by the one documented command, from the hand-written .in beside it.
    assert "./hotline.sh lock" in text.splitlines()[1]
    assert (REQUIREMENTS / f"{name}.in").exists()


@pytest.mark.parametrize("env", ["app", "rasa"])
def test_the_test_lock_keeps_the_runtime_versions(env):
    runtime, test = pins(env), pins(f"{env}-test")
    assert {p: v for p, (v, _) in runtime.items()} == {p: test[p][0] for p in runtime}


def test_jobs_cross_between_environments_with_one_rq():
    # The action server (Rasa environment) enqueues jobs the workers (application) run.
    assert pins("app")["rq"][0] == pins("rasa")["rq"][0]


def test_rasa_is_locked_only_where_it_runs():
    assert "rasa" in pins("rasa") and "rasa-sdk" in pins("rasa")
    assert not {"rasa", "rasa-sdk", "tensorflow"} & set(pins("app-test"))
    # Unused: nothing imports them.
    for name in ("app-test", "rasa-test"):
        assert not {"pycountry", "playwright"} & set(pins(name))


def test_this_environment_is_the_application_one_on_312_with_current_majors():
    assert sys.version_info[:2] == environments.PYTHON_VERSIONS["app"] == (3, 12)
    majors = {"twilio": 9, "redis": 5, "flask": 3, "pydantic": 2, "werkzeug": 3}
    for package, major in majors.items():
        assert int(metadata.version(package).split(".")[0]) >= major, package


def test_this_environment_holds_exactly_its_test_lock():
    locked = pins("app-test")
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differ = {p: (v, installed.get(p)) for p, (v, _) in locked.items() if installed.get(p) != v}
    assert not differ, f"installed differs from requirements/app-test.txt: {differ}"


def interpreter_version(python: str) -> tuple[int, int]:
    done = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                          capture_output=True, text=True, check=True)
    return tuple(int(part) for part in done.stdout.split())


def test_the_stack_starts_rasa_and_actions_on_310_and_the_rest_on_312(tmp_path):
    stack = Stack(var_dir=tmp_path, ports=Ports.free(), workers=1,
                  env_overrides={"REDIS_URL": "redis://127.0.0.1:9/0",
                                 "TWILIO_API_BASE_URL": "sandbox"})
    stack.configure()
    stack.model = tmp_path / "model.tar.gz"
    commands = {service.name: service.command for service in stack.plan()}
    assert set(commands) >= {"rasa", "actions", "gateway", "worker-1", "sweeper", "sandbox"}
    for name, command in commands.items():
        if name == "redis":
            continue
        assert command[1:3] == ["-m", "hotline.ops.serve"], name
        wanted = "rasa" if name in ("rasa", "actions") else "app"
        assert command[0] == str(environments.VENVS[wanted] / "bin" / "python"), name
    assert interpreter_version(commands["rasa"][0]) == (3, 10)
    assert interpreter_version(commands["actions"][0]) == (3, 10)
    assert interpreter_version(commands["gateway"][0]) == (3, 12)


def test_rasa_is_found_in_the_rasa_environment_only():
    has_rasa = ("from importlib import metadata as m; "
                "print(any(d.metadata['Name'] == 'rasa' for d in m.distributions()))")
    for env, expected in (("rasa", "True"), ("app", "False")):
        done = subprocess.run([environments.python(env), "-c", has_rasa], capture_output=True,
                              text=True, check=True)
        assert done.stdout.strip() == expected, env
    assert Path(environments.rasa_bin()).parent == environments.VENVS["rasa"] / "bin"


def test_serve_execs_rasa_and_actions_in_their_environment(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "_exec", lambda command: calls.append(command) or 0)
    for name, value in {"HOTLINE_SECRET": "s" * 32, "NLG_TOKEN": "n" * 24,
                        "RASA_TOKEN": "r" * 24, "NLG_URL": "http://gateway/nlg",
                        "RASA_MODEL": "/m.tar.gz"}.items():
        monkeypatch.setenv(name, value)
    assert serve.main(["rasa"]) == 0 and serve.main(["actions"]) == 0
    rasa_python = str(environments.VENVS["rasa"] / "bin" / "python")
    assert [command[0] for command in calls] == [rasa_python, rasa_python]


def test_without_its_venv_a_service_runs_on_this_interpreter(monkeypatch, tmp_path):
    # A container image holds one environment, with no venv beside the code.
    monkeypatch.setitem(environments.VENVS, "rasa", tmp_path / "none")
    assert environments.service_python("rasa") == sys.executable
    assert serve_command("actions")[0] == sys.executable
