"""Configuration: every setting comes from its variable or its one default; missing secrets are
named as people set them."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from hotline.config import (
    PROJECT_ROOT,
    ConfigError,
    SandboxSettings,
    Settings,
    StackSettings,
    read_env_file,
    running_stack_environ,
)

# (variable, value in the environment, field, value it gives)
SETTINGS = [
    ("REDIS_URL", "redis://redis.internal:6379/3", "redis_url", "redis://redis.internal:6379/3"),
    ("HOTLINE_HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("HOTLINE_PORT", "9090", "port", 9090),
    ("HOTLINE_PUBLIC_URL", "https://hotline.example.org", "public_url",
     "https://hotline.example.org"),
    ("HOTLINE_TRUSTED_PROXY_HOPS", "1", "trusted_proxy_hops", 1),
    ("HOTLINE_SECRET", "s3cret-value", "secret", "s3cret-value"),
    ("HOTLINE_DEFAULT_LANGUAGE", "en", "default_language", "en"),
    ("TWILIO_ACCOUNT_SID", "AC123", "twilio_account_sid", "AC123"),
    ("TWILIO_AUTH_TOKEN", "tok", "twilio_auth_token", "tok"),
    ("TWILIO_API_BASE_URL", "http://127.0.0.1:8081", "twilio_api_base_url",
     "http://127.0.0.1:8081"),
    ("TWILIO_MESSAGING_SERVICE_SID", "MG123", "twilio_messaging_service_sid", "MG123"),
    ("HOTLINE_NUMBERS", " +15005550006, whatsapp:+14155238886 ,", "hotline_numbers",
     ("+15005550006", "whatsapp:+14155238886")),
    ("RASA_URL", "http://rasa:5005", "rasa_url", "http://rasa:5005"),
    ("RASA_TOKEN", "rasa-tok", "rasa_token", "rasa-tok"),
    ("ACTION_SERVER_URL", "http://actions:5055", "action_server_url", "http://actions:5055"),
    ("NLG_TOKEN", "nlg-tok", "nlg_token", "nlg-tok"),
    ("RASA_TIMEOUT", "12.5", "rasa_timeout", 12.5),
    ("HOTLINE_SWEEP_SECONDS", "2", "sweep_seconds", 2.0),
    ("HOTLINE_SEND_RATE", "0", "send_rate", 0.0),
    ("HOTLINE_BROADCAST_THREADS", "3", "broadcast_threads", 3),
    ("HOTLINE_BROADCAST_CALLBACKS", "0", "broadcast_callbacks", False),
    ("TWILIO_WHATSAPP_CONTENT_SID", "HX123", "whatsapp_content_sid", "HX123"),
    ("HOTLINE_BROADCAST_STALE_SECONDS", "30", "broadcast_stale_seconds", 30),
    ("HOTLINE_TIMEZONE", "America/Tijuana", "timezone", "America/Tijuana"),
    ("HOTLINE_OPERATOR_HOURS", "09:00-17:00", "operator_hours", "09:00-17:00"),
    ("HOTLINE_CONSOLE_SESSION_HOURS", "8", "console_session_hours", 8),
    ("HOTLINE_PROGRAM_STATUS_FILE", "/srv/status.yml", "program_status_file",
     Path("/srv/status.yml")),
    ("HOTLINE_CONTENT_REVIEW_DAYS", "90", "content_review_days", 90),
    ("HOTLINE_STATUS_MAX_AGE_DAYS", "14", "status_max_age_days", 14),
    ("HOTLINE_TOLD_DAYS", "30", "told_days", 30),
    ("HOTLINE_KEYRING_FILE", "/srv/keyring.json", "keyring_file", Path("/srv/keyring.json")),
    ("ACTION_SERVER_TOKEN", "act-tok", "action_server_token", "act-tok"),
    ("HOTLINE_RETENTION_DAYS", "180", "retention_days", 180),
    ("HOTLINE_RETENTION_NOTICE_DAYS", "14", "retention_notice_days", 14),
    ("HOTLINE_MESSAGE_PRICES", "sms=0.0079", "message_prices", "sms=0.0079"),
    ("HOTLINE_PRICE_CURRENCY", "MXN", "price_currency", "MXN"),
    ("HOTLINE_WHATSAPP_TEMPLATE_CATEGORY", "marketing", "whatsapp_template_category",
     "marketing"),
    ("HOTLINE_DEAD_LETTER_ATTEMPTS", "3", "dead_letter_attempts", 3),
    ("HOTLINE_DEAD_LETTER_TRANSIENT_HOURS", "6.5", "dead_letter_transient_hours", 6.5),
    ("HOTLINE_CLAIM_IDLE_MINUTES", "45", "claim_idle_minutes", 45),
    ("HOTLINE_DELAY_NOTICE_SECONDS", "20", "delay_notice_seconds", 20),
    ("HOTLINE_STOP_CONFIDENCE", "0.9", "stop_confidence", 0.9),
    ("HOTLINE_INBOUND_TURNS_PER_MINUTE", "2.5", "inbound_turns_per_minute", 2.5),
    ("HOTLINE_INBOUND_TURN_BURST", "5", "inbound_turn_burst", 5),
    ("HOTLINE_INBOUND_FLOOD_PER_MINUTE", "20", "inbound_flood_per_minute", 20),
    ("HOTLINE_INBOUND_FLOOD_NOTICE_SECONDS", "600", "inbound_flood_notice_seconds", 600),
    ("HOTLINE_INBOUND_TURNS_PER_JOB", "2", "inbound_turns_per_job", 2),
    ("HOTLINE_SEND_FAILURE_RETRIES", "5", "send_failure_retries", 5),
    ("HOTLINE_SEND_FAILURE_BACKOFF_SECONDS", "12.5", "send_failure_backoff_seconds", 12.5),
]
# Fields that are not read from the environment (paths inside the checkout, retention times).
NOT_FROM_ENV = {"domain_dir", "responses_dir", "locales_dir", "answers_file", "menu_ttl_seconds",
                "dedupe_ttl_seconds", "message_ttl_seconds", "holding_notice_seconds"}


def test_every_field_is_either_read_from_the_environment_or_fixed():
    assert {f.name for f in fields(Settings)} == {row[2] for row in SETTINGS} | NOT_FROM_ENV


def test_an_empty_environment_gives_every_default():
    assert Settings.from_env({}) == Settings()
    assert StackSettings.from_env({}) == StackSettings()
    assert SandboxSettings.from_env({}) == SandboxSettings()


@pytest.mark.parametrize("variable,raw,name,expected", SETTINGS, ids=[r[0] for r in SETTINGS])
def test_each_setting_is_read_from_its_variable(variable, raw, name, expected):
    assert getattr(Settings.from_env({variable: raw}), name) == expected
    others = {f.name: getattr(Settings(), f.name) for f in fields(Settings) if f.name != name}
    assert {k: getattr(Settings.from_env({variable: raw}), k) for k in others} == others


@pytest.mark.parametrize("variable,raw,name,expected", SETTINGS, ids=[r[0] for r in SETTINGS])
def test_an_empty_variable_counts_as_unset(variable, raw, name, expected):
    assert getattr(Settings.from_env({variable: ""}), name) == getattr(Settings(), name)


def test_the_process_environment_is_read_by_default(monkeypatch):
    monkeypatch.setenv("HOTLINE_PORT", "9191")
    assert Settings.from_env().port == 9191
    assert Settings.from_env(port=7070).port == 7070  # overrides win over the environment


@pytest.mark.parametrize("raw,on", [("1", True), ("yes", True), ("true", True), ("0", False),
                                    ("false", False), ("no", False)])
def test_callbacks_are_on_unless_explicitly_off(raw, on):
    assert Settings.from_env({"HOTLINE_BROADCAST_CALLBACKS": raw}).broadcast_callbacks is on
    assert SandboxSettings.from_env({"SANDBOX_CALLBACKS": raw}).callbacks is on


@pytest.mark.parametrize("kind,variable", [
    (Settings, "HOTLINE_PORT"), (Settings, "RASA_TIMEOUT"), (StackSettings, "HOTLINE_WORKERS"),
    (StackSettings, "HOTLINE_REDIS_PORT"), (SandboxSettings, "SANDBOX_DELIVERY_DELAY"),
])
def test_a_malformed_number_names_its_variable(kind, variable):
    with pytest.raises(ConfigError, match=f"{variable} must be a .*number, got 'eight'"):
        kind.from_env({variable: "eight"})


@pytest.mark.parametrize("raw", ["nan", "inf", "-Infinity"])
def test_a_number_that_is_no_number_is_refused(raw):
    with pytest.raises(ConfigError, match=f"RASA_TIMEOUT must be a number, got '{raw}'"):
        Settings.from_env({"RASA_TIMEOUT": raw})


@pytest.mark.parametrize("name,variable", [
    ("secret", "HOTLINE_SECRET"), ("twilio_account_sid", "TWILIO_ACCOUNT_SID"),
    ("twilio_auth_token", "TWILIO_AUTH_TOKEN"), ("nlg_token", "NLG_TOKEN"),
    ("rasa_token", "RASA_TOKEN"),
])
def test_a_missing_secret_names_the_variable(name, variable):
    with pytest.raises(ConfigError, match=f"missing required setting.*{variable}.*hotline.sh run"):
        Settings.from_env({}).require(name)
    given = Settings.from_env({variable: "given"})
    assert given.require(name) is given


def test_only_two_languages_can_be_the_default():
    with pytest.raises(ConfigError, match="HOTLINE_DEFAULT_LANGUAGE"):
        Settings.from_env({"HOTLINE_SECRET": "x", "HOTLINE_DEFAULT_LANGUAGE": "fr"}).require()


def test_the_stack_reads_its_ports_and_workers():
    stack = StackSettings.from_env({
        "HOTLINE_PORT": "9000", "HOTLINE_SANDBOX_PORT": "9001", "RASA_PORT": "9002",
        "ACTION_SERVER_PORT": "9003", "HOTLINE_REDIS_PORT": "9004", "HOTLINE_WORKERS": "4"})
    assert (stack.gateway_port, stack.sandbox_port, stack.rasa_port, stack.actions_port,
            stack.redis_port, stack.workers) == (9000, 9001, 9002, 9003, 9004, 4)
    assert (StackSettings().gateway_port, StackSettings().workers) == (8080, 2)


def test_the_stacks_default_ports_are_where_the_settings_look():
    stack, settings = StackSettings(), Settings()
    assert settings.port == stack.gateway_port
    assert settings.redis_url == f"redis://127.0.0.1:{stack.redis_port}/0"
    assert settings.rasa_url == f"http://127.0.0.1:{stack.rasa_port}"
    assert settings.action_server_url == f"http://127.0.0.1:{stack.actions_port}"


@pytest.mark.parametrize("env,own_redis,use_sandbox", [
    ({}, True, True),
    ({"REDIS_URL": "redis://elsewhere:6379/0"}, False, True),
    ({"TWILIO_ACCOUNT_SID": "ACreal", "TWILIO_AUTH_TOKEN": "t"}, True, False),
    ({"TWILIO_ACCOUNT_SID": "AC", "TWILIO_API_BASE_URL": "http://127.0.0.1:1"}, True, True),
])
def test_the_stack_runs_redis_and_the_sandbox_only_when_none_is_given(env, own_redis,
                                                                      use_sandbox):
    stack = StackSettings.from_env(env)
    assert (stack.own_redis, stack.use_sandbox) == (own_redis, use_sandbox)


def test_the_sandbox_shares_the_hotlines_variables():
    sandbox = SandboxSettings.from_env({
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok", "REDIS_URL": "redis://r:1/2",
        "HOTLINE_NUMBERS": "+15005550006,whatsapp:+14155238886", "SANDBOX_CALLBACKS": "0",
        "SANDBOX_DELIVERY_DELAY": "0.5"})
    assert sandbox.flask_config() == {
        "ACCOUNT_SID": "AC1", "AUTH_TOKEN": "tok", "REDIS_URL": "redis://r:1/2",
        "NUMBERS": ["+15005550006", "whatsapp:+14155238886"], "CALLBACKS": False,
        "DELIVERY_DELAY": 0.5}
    assert SandboxSettings().redis_url == Settings().redis_url


def test_the_running_stacks_file_is_read_under_the_environment(tmp_path, monkeypatch):
    run_env = tmp_path / "run.env"
    run_env.write_text("HOTLINE_PORT=9999\nREDIS_URL=redis://127.0.0.1:7000/0\n")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:7001/0")
    settings = Settings.from_env(running_stack_environ(run_env))
    assert (settings.port, settings.redis_url) == (9999, "redis://127.0.0.1:7001/0")
    assert read_env_file(tmp_path / "absent.env") == {}


def test_paths_default_inside_the_checkout():
    settings = Settings()
    assert settings.program_status_file == PROJECT_ROOT / "content" / "program_status.yml"
    assert settings.locales_dir == PROJECT_ROOT / "locales"


def test_a_second_terminal_gets_the_stacks_development_secret(tmp_path, monkeypatch):
    # `./hotline.sh broadcast send` beside `./hotline.sh run` must read what the stack encrypted.
    monkeypatch.delenv("HOTLINE_SECRET", raising=False)
    (tmp_path / "dev.env").write_text("HOTLINE_SECRET=dev-secret\nHOTLINE_PORT=1111\n")
    (tmp_path / "run.env").write_text("HOTLINE_PORT=9999\n")
    settings = Settings.from_env(running_stack_environ(tmp_path / "run.env"))
    assert (settings.secret, settings.port) == ("dev-secret", 9999)
