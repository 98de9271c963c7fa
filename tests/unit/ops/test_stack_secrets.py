"""The development stack keeps its secrets to itself: none on a command line (`ps` shows every
argument to every local user), var/ private, every file in it 0600, Redis behind a password,
RQ reading JSON only, and the Rasa and action-server tokens in headers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from hotline.config import PROJECT_ROOT
from hotline.ops.stack import Ports, Stack, dev_secrets, write_private

SECRET_NAMES = ("HOTLINE_SECRET", "RASA_TOKEN", "NLG_TOKEN", "ACTION_SERVER_TOKEN",
                "TWILIO_AUTH_TOKEN", "REDIS_PASSWORD")


@pytest.fixture
def planned(tmp_path, monkeypatch):
    for name in ("REDIS_URL", "HOTLINE_SECRET", "RASA_TOKEN", "NLG_TOKEN", "ACTION_SERVER_TOKEN",
                 "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE_URL",
                 "HOTLINE_KEYRING_FILE"):
        monkeypatch.delenv(name, raising=False)
    os.umask(0o022)  # a usual umask: the stack must not depend on the caller's
    stack = Stack(var_dir=tmp_path / "var", ports=Ports.free(), workers=1)
    stack.configure()
    stack.model = tmp_path / "model.tar.gz"
    stack.services = stack.plan()
    return stack


def test_no_secret_is_on_any_command_line(planned):
    secrets = {name: value for name in SECRET_NAMES
               if (value := dev_secrets(planned.var_dir).get(name))}
    secrets.update({n: planned.env[n] for n in SECRET_NAMES if planned.env.get(n)})
    assert set(secrets) == set(SECRET_NAMES)
    for service in planned.services:
        line = " ".join(service.command)
        for name, value in secrets.items():
            assert value not in line, f"{name} on {service.name}'s command line"
        assert "--auth-token" not in service.command and "--url" not in service.command


def test_redis_asks_for_the_password_every_client_is_given(planned):
    password = dev_secrets(planned.var_dir)["REDIS_PASSWORD"]
    redis = next(s for s in planned.services if s.name == "redis")
    config = Path(redis.command[1])
    assert config.read_text() == f"requirepass {password}\n"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    # Every client reads the same URL: hotline code, RQ (RQ_REDIS_URL), Rasa's stores and the
    # sandbox (REDIS_URL, bot/endpoints.yml).
    assert f":{password}@127.0.0.1:" in planned.env["REDIS_URL"]
    assert planned.env["RQ_REDIS_URL"] == planned.env["REDIS_URL"]
    endpoints = (PROJECT_ROOT / "bot" / "endpoints.yml").read_text()
    assert yaml.safe_load(endpoints)["tracker_store"]["url"] == "${REDIS_URL}"


def test_workers_take_json_jobs_only(planned):
    from rq.serializers import JSONSerializer

    from hotline.config import Settings
    from hotline.runtime import Runtime

    # Workers run hotline.ops.worker, which reads jobs with the queues' own serializer.
    for worker in (s for s in planned.services if s.name.startswith("worker-")):
        assert worker.command[-3:] == ["-m", "hotline.ops.serve", "worker"]
    assert Runtime(Settings.from_env(planned.env)).queue("inbound").serializer is JSONSerializer


def test_var_is_private_and_so_is_everything_the_stack_writes(planned, tmp_path):
    var = planned.var_dir
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "dev.env").stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "redis").stat().st_mode) == 0o700
    # Logs: created 0600; the services themselves start with umask 077.
    sleeper = planned.services[0].__class__("probe", ["sh", "-c", "echo made > made.txt; "
                                                      f"mv made.txt {tmp_path}/made.txt"],
                                            dict(os.environ))
    planned._spawn(sleeper)
    sleeper.process.wait(10)
    assert stat.S_IMODE(sleeper.log_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "log").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "made.txt").stat().st_mode) == 0o600


def test_private_files_are_never_readable_by_others_even_for_a_moment(tmp_path):
    path = tmp_path / "run.env"
    path.write_text("old")
    path.chmod(0o644)  # an older stack's file
    write_private(path, "TWILIO_AUTH_TOKEN=x\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text().endswith("x\n")
    assert [p.name for p in tmp_path.iterdir()] == ["run.env"]  # no temporary file left


@pytest.mark.rasa_env  # read by Rasa's own endpoint reader
def test_tokens_travel_in_headers_rasa_sends(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    for name, value in (("ACTION_SERVER_URL", "http://a"), ("NLG_URL", "http://n/nlg"),
                        ("NLG_TOKEN", "n-tok"), ("ACTION_SERVER_TOKEN", "a-tok"),
                        ("REDIS_URL", "redis://127.0.0.1:1/0")):
        monkeypatch.setenv(name, value)
    path = str(PROJECT_ROOT / "bot" / "endpoints.yml")
    nlg, actions = read_endpoint_config(path, "nlg"), read_endpoint_config(path, "action_endpoint")
    assert nlg.headers == {"Authorization": "Bearer n-tok"}
    assert nlg.combine_parameters() == {} and "n-tok" not in nlg.url  # nothing in the URL
    assert actions.headers == {"X-Hotline-Token": "a-tok"} and "a-tok" not in actions.url
    # The only channel Rasa opens is the token-guarded REST channel (or one built on it).
    import importlib

    from rasa_ext.channels import TokenRestInput

    credentials = yaml.safe_load((PROJECT_ROOT / "bot" / "credentials.yml").read_text())
    assert len(credentials) == 1
    module, _, name = next(iter(credentials)).rpartition(".")
    assert issubclass(getattr(importlib.import_module(module), name), TokenRestInput)
