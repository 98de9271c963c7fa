"""The CLI as a separate process, as an operator runs it: tokens and operator accounts."""

from __future__ import annotations

import subprocess
import sys

from hotline.access import api_tokens, operators

PASSWORD = "correct horse battery"


def test_tokens_come_from_the_cli(settings, redis):
    result = subprocess.run(
        [sys.executable, "-m", "hotline.ops.cli", "token", "create", "--name", "Org CLI"],
        capture_output=True, text=True, env={"REDIS_URL": settings.redis_url, "PATH": ""},
        timeout=60)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert api_tokens.lookup(redis, token)["name"] == "Org CLI"
    bad = subprocess.run([sys.executable, "-m", "hotline.ops.cli", "token", "create"],
                         capture_output=True, text=True,
                         env={"REDIS_URL": settings.redis_url, "PATH": ""}, timeout=60)
    assert bad.returncode == 2 and "--name" in bad.stderr


def test_operators_are_created_from_the_cli(settings, redis):
    import subprocess
    import sys

    env = {"REDIS_URL": settings.redis_url, "PATH": ""}
    command = [sys.executable, "-m", "hotline.ops.cli", "operator", "create", "--username", "rosa",
               "--role", "supervisor", "--password-stdin"]
    result = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert operators.verify(redis, "rosa", PASSWORD)["role"] == "supervisor"
    short = subprocess.run([sys.executable, "-m", "hotline.ops.cli", "operator", "create",
                            "--username", "xavi", "--password-stdin"], input="short\n",
                           capture_output=True, text=True, env=env, timeout=60)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    assert operators.get(redis, "xavi") is None
