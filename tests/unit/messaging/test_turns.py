"""An assistant turn runs once per MessageSid (the review's M2): a retry after a timeout, or
after the gateway's worker died before saving the answer, gets the first answer back and never
moves a form a second step."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from hotline.errors import AssistantUnavailable
from hotline.messaging import inbound, turns
from hotline.messaging.assistant import Assistant
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.messaging.turns import DONE, NEW, RUNNING, RUNNING_MARK, TurnStore
from hotline.runtime import Runtime
from support import SMS_NUMBER

rasa_turns = pytest.importorskip("rasa_ext.turns")


class Collector:
    def __init__(self):
        self.messages = []


class Message:
    def __init__(self, sender_id, text, sid):
        self.sender_id, self.text = sender_id, text
        self.metadata = {"message_sid": sid} if sid else {}
        self.output_channel = Collector()


class Form:
    """Rasa stand-in: each turn fills the next question of a form (and says which)."""

    def __init__(self, delay: float = 0, fail: bool = False):
        self.step = 0
        self.delay = delay
        self.fail = fail

    async def __call__(self, message):
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("Rasa broke mid-turn")
        self.step += 1
        message.output_channel.messages.append({"text": f"pregunta {self.step + 1}"})


def run(handler, sender, text, sid):
    message = Message(sender, text, sid)
    asyncio.run(handler(message))
    return message.output_channel.messages


@pytest.fixture
def store(rt):
    return TurnStore(rt.redis, rt.vault)


def test_a_repeated_sid_gets_the_first_answer_and_the_form_moves_once(store):
    form = Form()
    handler = rasa_turns.once(store, form)
    first = run(handler, "c1", "Ana", "SM1")
    again = run(handler, "c1", "Ana", "SM1")
    assert first == again == [{"text": "pregunta 2"}]
    assert form.step == 1
    # Another message is another turn.
    assert run(handler, "c1", "1990", "SM2") == [{"text": "pregunta 3"}] and form.step == 2


def test_a_repeat_while_the_first_still_runs_is_told_to_come_back(store):
    form = Form(delay=0.3)
    handler = rasa_turns.once(store, form)

    async def both():
        first, second = Message("c1", "Ana", "SM1"), Message("c1", "Ana", "SM1")
        await asyncio.gather(handler(first), _later(handler(second)))
        return first.output_channel.messages, second.output_channel.messages

    async def _later(coro):
        await asyncio.sleep(0.05)
        await coro

    first, second = asyncio.run(both())
    assert first == [{"text": "pregunta 2"}] and second == [RUNNING_MARK]
    assert form.step == 1


def test_a_turn_that_failed_or_said_nothing_may_run_again(store):
    broken = Form(fail=True)
    with pytest.raises(RuntimeError):
        run(rasa_turns.once(store, broken), "c1", "Ana", "SM1")
    assert store.begin("c1", "SM1")[0] == NEW  # not left "running" for the lease

    async def silent(message):
        return None

    assert run(rasa_turns.once(store, silent), "c1", "x", "SM2") == []
    assert store.begin("c1", "SM2")[0] == NEW


def test_a_lease_that_ran_out_lets_the_turn_run_again(rt):
    store = TurnStore(rt.redis, rt.vault, lease=0.2)
    state, token = store.begin("c1", "SM1")
    assert state == NEW
    assert store.begin("c1", "SM1") == (RUNNING, "")
    assert store.renew("c1", "SM1", token)
    time.sleep(0.3)  # the Rasa process died mid-turn: nothing saved, the turn runs again
    assert store.begin("c1", "SM1")[0] == NEW
    assert not store.renew("c1", "SM1", token)  # the dead run's lease is not its own any more


def test_kept_answers_are_encrypted_and_forgotten_with_the_person(store, rt):
    state, _ = store.begin("c1", "SM1")
    store.finish("c1", "SM1", [{"text": "Ana Lucía, 1990-01-02"}])
    assert store.begin("c1", "SM1") == (DONE, [{"text": "Ana Lucía, 1990-01-02"}])
    raw = rt.redis.hget(turns.TURNS_KEY.format("c1"), "SM1")
    assert "Ana" not in raw
    assert turns.forget(rt.redis, "c1") == 1 and rt.redis.keys("hl:turns:*") == []


def test_the_gateway_reads_a_running_turn_as_not_yet(monkeypatch):
    assistant = Assistant("http://127.0.0.1:9", "http://127.0.0.1:9")
    monkeypatch.setattr(assistant, "ensure_available", lambda: None)

    class Response:
        status_code = 200

        def raise_for_status(self):
            pass

        def json(self):
            return [RUNNING_MARK]

    monkeypatch.setattr(assistant.session, "post", lambda *a, **k: Response())
    with pytest.raises(AssistantUnavailable):
        assistant.send("c1", "hola", {"message_sid": "SM1"})


def test_a_gateway_retry_after_rasa_acted_does_not_move_the_form_again(settings, redis):
    """End to end through `inbound.handle`: Rasa runs the turn, the gateway times out (as if
    the answer was lost), the message is handled again: one form step, the first answer."""
    rt = Runtime(dataclasses.replace(settings, inbound_turns_per_minute=0))
    store = TurnStore(rt.redis, rt.vault)
    form = Form()
    channel = rasa_turns.once(store, form)

    class TimingOut:
        calls = 0

        def send(self, contact_id, text, metadata):
            self.calls += 1
            message = Message(contact_id, text, metadata["message_sid"])
            asyncio.run(channel(message))
            if self.calls == 1:
                raise AssistantUnavailable("Rasa request failed: ReadTimeout")
            return message.output_channel.messages

    rt.__dict__["assistant"] = TimingOut()
    number = "+5215512349999"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(contact_id, "es", chosen=True)
    msg = Inbound(sid="SM" + "9" * 32, contact_id=contact_id, channel="sms", sender=number,
                  to=SMS_NUMBER, body="Ana Lucía", num_media=0, received_at=time.time())
    inbound.accept(rt, msg)
    rt.redis.set(f"hl:holding:{contact_id}", 1)  # no holding notice in this test
    with pytest.raises(AssistantUnavailable):
        inbound.handle(rt, msg.sid)
    inbound.handle(rt, msg.sid)
    assert form.step == 1
    assert rt.messages.load_inbound(msg.sid).replies[0]["text"] == "pregunta 2"
