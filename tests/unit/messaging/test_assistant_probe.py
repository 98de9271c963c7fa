"""When the gateway asks whether Rasa and the action server are up before a turn
(`hotline.messaging.assistant`): the action server before every turn, Rasa only when it has not
answered for a few seconds, both after a turn that said nothing, and never a turn sent while a
probe fails."""

from __future__ import annotations

import pytest
import requests

from hotline.errors import AssistantUnavailable
from hotline.messaging import assistant as assistant_module
from hotline.messaging.assistant import PROBE_FRESH_SECONDS, Assistant


class Servers:
    """Rasa and the action server as the Assistant's HTTP session sees them."""

    def __init__(self):
        self.rasa_up = True
        self.actions_up = True
        self.replies = [{"recipient_id": "c1", "text": "hola"}]
        self.post_fails = False
        self.actions_die_in_turn = False
        self.probes: list[str] = []
        self.turns = 0

    def get(self, url, timeout):
        self.probes.append(url)
        up = self.actions_up if url.endswith("/health") else self.rasa_up
        if not up:
            raise requests.ConnectionError("refused")
        return Response(200, None)

    def post(self, url, json, timeout):
        if self.post_fails:
            raise requests.ConnectionError("refused")
        self.turns += 1
        if self.actions_die_in_turn:
            self.actions_up = False
            return Response(200, [])  # Rasa ran what it could and said nothing
        return Response(200, self.replies)


class Response:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.ok = status_code < 400
        self.body = body

    def raise_for_status(self):
        pass

    def json(self):
        return self.body


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(assistant_module.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def servers(monkeypatch):
    return Servers()


@pytest.fixture
def assistant(servers):
    assistant = Assistant("http://rasa:5005", "http://actions:5055")
    assistant.session.get = servers.get
    assistant.session.post = servers.post
    return assistant


def turn(assistant, n=1):
    return assistant.send("c1", "hola", {"message_sid": f"SM{n}"})


def test_rasa_answering_needs_no_probe_the_action_server_is_asked_every_turn(
        assistant, servers, clock):
    for n in range(5):
        assert turn(assistant, n)[0]["text"] == "hola"
        clock[0] += 0.3
    assert servers.turns == 5
    assert servers.probes == ["http://rasa:5005/"] + ["http://actions:5055/health"] * 5


def test_rasa_silent_longer_than_its_seconds_is_probed_again(assistant, servers, clock):
    turn(assistant)
    clock[0] += PROBE_FRESH_SECONDS + 0.01
    turn(assistant, 2)
    assert servers.probes.count("http://rasa:5005/") == 2


def test_the_action_server_down_right_after_a_turn_sends_no_turn(assistant, servers, clock):
    """Without it Rasa would run the turn up to its first custom action and keep what was said
    before it: half an answer."""
    turn(assistant)
    servers.actions_up = False
    clock[0] += 0.1
    with pytest.raises(AssistantUnavailable, match="action server"):
        turn(assistant, 2)
    assert servers.turns == 1


def test_the_first_turn_of_a_process_is_probed_and_a_server_down_sends_no_turn(
        assistant, servers, clock):
    servers.rasa_up = False
    with pytest.raises(AssistantUnavailable, match="Rasa server"):
        turn(assistant)
    servers.rasa_up = True
    servers.actions_up = False
    clock[0] += 0.1
    with pytest.raises(AssistantUnavailable, match="action server"):
        turn(assistant, 2)
    assert servers.turns == 0


def test_a_turn_that_said_nothing_probes_both_at_once(assistant, servers, clock):
    turn(assistant)
    servers.actions_die_in_turn = True
    clock[0] += 0.1
    with pytest.raises(AssistantUnavailable, match="action server"):
        turn(assistant, 2)
    assert servers.probes[-2:] == ["http://rasa:5005/", "http://actions:5055/health"]
    assert servers.turns == 2


def test_a_failed_request_forgets_that_rasa_answered(assistant, servers, clock):
    turn(assistant)
    servers.post_fails = True
    clock[0] += 0.1
    with pytest.raises(AssistantUnavailable, match="Rasa request failed"):
        turn(assistant, 2)
    servers.post_fails = False
    servers.rasa_up = False
    clock[0] += 0.1
    with pytest.raises(AssistantUnavailable, match="Rasa server"):
        turn(assistant, 3)
    assert servers.turns == 1


def test_an_empty_answer_with_both_servers_up_is_returned_as_it_is(assistant, servers, clock):
    """A turn may rightly say nothing (the channel's own decision); both answering, the
    gateway takes it."""
    servers.replies = []
    assert turn(assistant) == []
    assert len(servers.probes) == 4
