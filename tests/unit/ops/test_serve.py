"""`python -m hotline.ops.serve NAME`: one entry point per service, configured from the
environment; a missing setting is named, not a traceback."""

from __future__ import annotations

import pytest

from hotline.config import ServeSettings
from hotline.ops import serve


@pytest.fixture
def execs(monkeypatch):
    """The command a runner would replace this process with."""
    calls = []
    monkeypatch.setattr(serve, "_exec", lambda command: calls.append(command) or 0)
    return calls


@pytest.fixture
def secrets_env(monkeypatch):
    for name, value in {"HOTLINE_SECRET": "s" * 32, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                        "TWILIO_AUTH_TOKEN": "t" * 32, "NLG_TOKEN": "n" * 24,
                        "RASA_TOKEN": "r" * 24}.items():
        monkeypatch.setenv(name, value)


def test_gateway_runs_gunicorn_with_the_one_config_file(execs, secrets_env):
    assert serve.main(["gateway"]) == 0
    command = execs[0]
    assert command[1:] == ["-c", str(serve.GUNICORN_CONF), "webhooks:create_app()"]
    assert command[0].endswith("gunicorn")


def test_sandbox_binds_where_its_settings_say(execs, monkeypatch):
    monkeypatch.setenv("HOTLINE_SANDBOX_HOST", "0.0.0.0")
    monkeypatch.setenv("HOTLINE_SANDBOX_PORT", "9181")
    serve.main(["sandbox"])
    assert execs[0][-3:] == ["--bind", "0.0.0.0:9181", "sandbox:create_app()"]


def test_rasa_gets_its_bind_model_and_endpoints_but_never_its_token(execs, secrets_env,
                                                                    monkeypatch):
    monkeypatch.setenv("NLG_URL", "http://gateway:8080/nlg")
    monkeypatch.setenv("RASA_HOST", "0.0.0.0")
    monkeypatch.setenv("RASA_MODEL", "/app/models/hotline.tar.gz")
    assert serve.main(["rasa"]) == 0
    command = execs[0]
    assert command[1:3] == ["-m", "rasa_ext.server"]
    assert command[command.index("--interface") + 1] == "0.0.0.0"
    assert command[command.index("--model") + 1] == "/app/models/hotline.tar.gz"
    assert command[command.index("--endpoints") + 1] == "bot/endpoints.yml"
    assert "r" * 24 not in " ".join(command) and "--auth-token" not in command


def test_actions_run_without_the_rasa_cli(execs, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_HOST", "10.0.0.5")
    monkeypatch.setenv("ACTION_SERVER_PORT", "6055")
    serve.main(["actions"])
    assert execs[0][1:] == ["-m", "actions.server", "--host", "10.0.0.5", "--port", "6055"]


@pytest.mark.parametrize(("service", "named"), [
    ("gateway", "HOTLINE_SECRET"), ("rasa", "HOTLINE_SECRET"), ("worker", "HOTLINE_SECRET"),
    ("sweeper", "HOTLINE_SECRET")])
def test_a_missing_secret_is_named_and_nothing_starts(service, named, execs, monkeypatch,
                                                     capsys):
    for name in ("HOTLINE_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "NLG_TOKEN",
                 "RASA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert serve.main([service]) == 2
    assert named in capsys.readouterr().err
    assert execs == []


def test_rasa_needs_to_know_where_the_gateways_nlg_is(execs, secrets_env, monkeypatch, capsys):
    monkeypatch.delenv("NLG_URL", raising=False)
    assert serve.main(["rasa"]) == 2
    assert "NLG_URL" in capsys.readouterr().err


def test_an_unknown_service_shows_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        serve.main(["webserver"])
    assert stop.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_serve_settings_defaults_and_environment():
    assert ServeSettings.from_env({}) == ServeSettings()
    serve_settings = ServeSettings.from_env({
        "HOTLINE_WORKER_QUEUES": "inbound, outbound", "HOTLINE_LOG_LEVEL": "debug",
        "RASA_PORT": "6005", "HOTLINE_LOG_FORMAT": "json"})
    assert serve_settings.worker_queues == ("inbound", "outbound")
    assert (serve_settings.log_level, serve_settings.rasa_port) == ("DEBUG", 6005)
    assert serve_settings.log_format == "json"
