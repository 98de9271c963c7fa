"""The action server answers Rasa only: without the shared secret header, 401 for every route
but /health, so no local process can run an action on someone's conversation."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from hotline.config import PROJECT_ROOT
from hotline.ops.stack import free_port

TOKEN = "action-server-test-token"
CALL = {"next_action": "action_nonexistent", "sender_id": "c-victim", "version": "3.6.2",
        "tracker": {"sender_id": "c-victim", "slots": {}, "latest_message": {}, "events": []},
        "domain": {}}


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {**os.environ, "ACTION_SERVER_TOKEN": TOKEN, "PYTHONPATH": str(PROJECT_ROOT),
           "HOTLINE_SECRET": "x" * 32}
    process = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)],
                               cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the action server did not start")
    yield url
    process.terminate()
    process.wait(10)


@pytest.mark.parametrize("headers", [
    {}, {"X-Hotline-Token": ""}, {"X-Hotline-Token": TOKEN + "x"}, {"X-Hotline-Token": TOKEN[:-1]},
    {"Authorization": f"Bearer {TOKEN}"}, {"X-Hotline-Token": TOKEN.upper()},
])
def test_calls_without_the_secret_are_refused(server, headers):
    assert requests.post(server + "/webhook", json=CALL, headers=headers,
                         timeout=5).status_code == 401
    assert requests.get(server + "/actions", headers=headers, timeout=5).status_code == 401


def test_rasa_with_the_secret_is_answered_and_health_is_open(server):
    answer = requests.post(server + "/webhook", json=CALL, headers={"X-Hotline-Token": TOKEN},
                           timeout=5)
    assert answer.status_code == 404  # past the check: the action does not exist
    listed = requests.get(server + "/actions", headers={"X-Hotline-Token": TOKEN}, timeout=5)
    assert listed.ok and any(a["name"].startswith("action_") for a in listed.json())
    assert requests.get(server + "/health", timeout=5).ok


def test_it_refuses_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "actions.server", "--port", "9"],
                          cwd=PROJECT_ROOT, env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "ACTION_SERVER_TOKEN" in done.stderr
