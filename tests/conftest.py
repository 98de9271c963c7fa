"""Shared fixtures: a real redis-server, the real app factory, the real stack.

Unit-level tests use Redis db 0 (flushed around each test); the running stack, started once per
session with the same start-up code as `./hotline.sh run`, uses db 1 of the same server.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from hotline.config import Settings
from hotline.ops.chat import Phone
from hotline.ops.stack import Ports, Stack, free_port
from hotline.runtime import Runtime
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER, ServedApp

# The shared helpers are imported as `support`, not collected as tests or doctests here.
collect_ignore = ["support"]


@pytest.fixture(autouse=True)
def no_running_stack_files(tmp_path, monkeypatch):
    """The CLI reads a running development stack's var/run.env and var/dev.env; a developer's own
    stack must not change what a test sees."""
    import hotline.config

    monkeypatch.setattr(hotline.config, "RUN_ENV_FILE", tmp_path / "var" / "run.env")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run the tests with ./hotline.sh test")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    # Like the stack's own Redis: a password, from a file only this user reads (not argv).
    password = secrets.token_urlsafe(24)
    config = workdir / "redis.conf"
    config.touch(mode=0o600)
    config.write_text(f"requirepass {password}\n")
    process = subprocess.Popen(
        [binary, str(config), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = Redis(port=port, password=password)
    for _ in range(100):
        try:
            client.ping()
            break
        except RedisConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(f"redis-server did not answer on port {port} within 5 s")
    yield f"redis://:{password}@127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture
def settings(redis_server) -> Settings:
    return Settings(
        redis_url=f"{redis_server}/0", secret="unit-test-secret-" + "x" * 16,
        twilio_account_sid=ACCOUNT_SID, twilio_auth_token=AUTH_TOKEN, nlg_token="nlg-token",
        hotline_numbers=(SMS_NUMBER, WHATSAPP_NUMBER), public_url=None,
        rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9",
    )


@pytest.fixture
def redis(settings):
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def rt(settings, redis) -> Runtime:
    return Runtime(settings)


@pytest.fixture
def app(settings, redis):
    from webhooks import create_app

    application = create_app(settings)
    application.config.update(TESTING=True)
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sandbox(settings, redis):
    """The Twilio sandbox on a loopback port, sharing the unit tests' Redis."""
    from sandbox import create_app

    served = ServedApp(create_app({
        "ACCOUNT_SID": ACCOUNT_SID, "AUTH_TOKEN": AUTH_TOKEN, "REDIS_URL": settings.redis_url,
        "NUMBERS": [SMS_NUMBER, WHATSAPP_NUMBER], "DELIVERY_DELAY": 0.01,
    }))
    yield served
    served.close()


# The whole hotline, started once ---------------------------------------------------------------
@pytest.fixture(scope="session")
def stack(redis_server, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("stack")
    running = Stack(var_dir=Path(var_dir), ports=Ports.free(), workers=2, gateway_workers=2,
                    env_overrides={
                        "REDIS_URL": f"{redis_server}/1",
                        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                        "TWILIO_API_BASE_URL": "sandbox",
                        "HOTLINE_NUMBERS": f"{SMS_NUMBER},{WHATSAPP_NUMBER}",
                        "HOTLINE_SECRET": "stack-test-secret-" + "y" * 16,
                        "HOTLINE_PUBLIC_URL": "", "HOTLINE_TRUSTED_PROXY_HOPS": "0",
                        "HOTLINE_SWEEP_SECONDS": "2",
                    })
    try:
        running.start(timeout=300)
    except RuntimeError:
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                         for p in sorted((Path(var_dir) / "log").glob("*.log")))
        running.stop()
        pytest.fail(f"the hotline stack did not start:\n{logs}")
    yield running
    running.stop()


@pytest.fixture
def phone(stack):
    """A new pretend handset per test, so conversations never mix."""

    def make(channel: str = "sms", number: str | None = None) -> Phone:
        return Phone(
            gateway_url=f"http://127.0.0.1:{stack.ports.gateway}",
            sandbox_url=stack.env["TWILIO_API_BASE_URL"],
            account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
            # A Mexican mobile as each channel writes it: +52 1… on WhatsApp, +52… by SMS
            # (where the hotline sends the SMS it starts, `routing.choose`).
            number=number or ("+52155" if channel == "whatsapp" else "+5255") + "".join(
                secrets.choice("0123456789") for _ in range(8)),
            hotline_number=WHATSAPP_NUMBER if channel == "whatsapp" else SMS_NUMBER,
            channel=channel,
        )

    return make


@pytest.fixture
def stack_redis(stack):
    return Redis.from_url(stack.env["REDIS_URL"], decode_responses=True)


@pytest.fixture
def sandbox_rt(settings, sandbox) -> Runtime:
    """A runtime that sends to the unit sandbox (no status callbacks: nothing listens here)."""
    return Runtime(dataclasses.replace(settings, twilio_api_base_url=sandbox.url,
                                       broadcast_callbacks=False, send_rate=0.0))


RASA_LANE = Path(__file__).parent / "rasa"


def pytest_collection_modifyitems(items):
    """Every test that needs the running hotline is marked `stack`, and every test of Rasa's data
    and model `rasa`, so `-m "not stack and not rasa"` is the fast lane."""
    for item in items:
        if "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.stack)
        if RASA_LANE in item.path.parents:
            item.add_marker(pytest.mark.rasa)
