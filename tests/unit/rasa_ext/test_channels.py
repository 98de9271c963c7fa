"""Rasa's REST channel refuses any sender without the gateway's bearer token, and the gateway
sends it in a header (never in the URL); Rasa gets its API token from the environment."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from hotline.config import PROJECT_ROOT
from hotline.messaging.assistant import Assistant
from rasa_ext import server
from rasa_ext.channels import TokenRestInput


def request(headers: dict):
    return SimpleNamespace(headers={k.lower(): v for k, v in headers.items()},
                           json={"sender": "c-victim", "message": "/affirm"})


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Bearer nope"},
    {"Authorization": "bearer rasa-token"}, {"Authorization": "Basic cmFzYS10b2tlbg=="},
    {"Authorization": "Bearer rasa-token "}, {"X-Hotline-Token": "rasa-token"},
])
def test_the_rest_channel_refuses_without_the_token(headers):
    from sanic.exceptions import SanicException

    channel = TokenRestInput(token="rasa-token")
    with pytest.raises(SanicException) as refused:
        asyncio.run(channel._extract_sender(request(headers)))
    assert refused.value.status_code == 401


def test_the_rest_channel_takes_the_gateways_request():
    channel = TokenRestInput(token="rasa-token")
    sender = asyncio.run(channel._extract_sender(request({"Authorization": "Bearer rasa-token"})))
    assert sender == "c-victim" and TokenRestInput.name() == "rest"


def test_an_empty_token_opens_nothing():
    channel = TokenRestInput(token="")
    from sanic.exceptions import SanicException

    with pytest.raises(SanicException):
        asyncio.run(channel._extract_sender(request({"Authorization": "Bearer "})))


def test_the_gateway_sends_the_token_as_a_header(settings):
    assistant = Assistant("http://127.0.0.1:9", "http://127.0.0.1:9", token="rasa-token")
    prepared = assistant.session.prepare_request(__import__("requests").Request(
        "POST", assistant.rasa_url + "/webhooks/rest/webhook", json={}))
    assert prepared.headers["Authorization"] == "Bearer rasa-token"
    assert "rasa-token" not in prepared.url


def test_rasa_gets_its_token_inside_the_process_not_on_the_command_line():
    assert server.rasa_argv(["run", "--enable-api"], "t") == [
        "rasa", "run", "--enable-api", "--auth-token=t"]
    with pytest.raises(ValueError):
        server.rasa_argv(["run", "--auth-token", "t"], "t")
    with pytest.raises(ValueError):
        server.rasa_argv(["run", "--auth-token=t"], "t")
    # In a real process: what Rasa parses has the token, what `ps` shows does not.
    probe = ("import sys, json; from rasa_ext import server; "
             "server.sys.modules['rasa.__main__'] = type(sys)('fake'); "
             "server.sys.modules['rasa.__main__'].main = lambda: print(json.dumps(["
             "sys.argv, open('/proc/self/cmdline').read().split(chr(0))]))\n"
             "server.main()")
    done = subprocess.run([sys.executable, "-c", probe, "run", "--enable-api"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
                          env={"RASA_TOKEN": "hidden-token", "PATH": "",
                               "PYTHONPATH": str(PROJECT_ROOT)})
    parsed, cmdline = json.loads(done.stdout.strip().splitlines()[-1])
    assert parsed[-1] == "--auth-token=hidden-token"
    assert "hidden-token" not in " ".join(cmdline)


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--double", "plain_Token-9"])
def test_rasas_own_parser_reads_any_generated_token(token):
    # secrets.token_urlsafe begins with "-" one time in 64: Rasa once refused to start on
    # such a token ("argument -t/--auth-token: expected one argument").
    from rasa.__main__ import create_argument_parser

    parsed = create_argument_parser().parse_args(
        server.rasa_argv(["run", "--enable-api", "--model", "models"], token)[1:])
    assert parsed.auth_token == token


def test_without_a_token_rasa_does_not_start():
    done = subprocess.run([sys.executable, "-m", "rasa_ext.server", "run"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": "", "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 2 and "RASA_TOKEN" in done.stderr
