"""A request to stop that no keyword matched, read by the model: from HOTLINE_STOP_CONFIDENCE
up it is a STOP like any other (opted out on that channel, one confirmation); below it the person
is asked to reply STOP, and nothing changes. The action that reports it:
tests/unit/actions/test_opt_out.py."""

from __future__ import annotations

import time

import pytest

from hotline.config import ConfigError, Settings
from hotline.messaging import inbound
from hotline.messaging.channels import Address
from hotline.messaging.keywords import STOP_REQUEST
from hotline.messaging.messages import Inbound
from hotline.messaging.outbound import COMPLIANCE
from support import SMS_NUMBER, WHATSAPP_NUMBER

PERSON = "+5215599887700"


class Assistant:
    """Rasa as the gateway hears it: the action's report, or an answer."""

    def __init__(self):
        self.replies: list[dict] = [{"text": "respuesta"}]
        self.seen: list[str] = []

    def send(self, contact_id, text, metadata):
        self.seen.append(text)
        return self.replies


@pytest.fixture
def write(rt):
    rt.assistant = Assistant()
    count = iter(range(1, 1000))

    def send(body: str, read: float | None = None, channel: str = "whatsapp",
             lang: str = "es") -> Inbound:
        address = Address(channel, PERSON)
        person = rt.contacts.touch_inbound(address)
        rt.contacts.set_language(person, lang, chosen=True)
        rt.assistant.replies = ([{"recipient_id": person, "custom": {STOP_REQUEST: read}}]
                                if read is not None else [{"text": "respuesta"}])
        sid = f"SM{next(count):032d}"
        sender = f"whatsapp:{PERSON}" if channel == "whatsapp" else PERSON
        rt.messages.save_inbound(Inbound(sid, person, channel, sender,
                                         WHATSAPP_NUMBER if channel == "whatsapp" else SMS_NUMBER,
                                         body, 0, time.time()), 3600)
        inbound.handle(rt, sid)
        return rt.messages.load_inbound(sid)

    return send


def contact(rt, channel="whatsapp"):
    return rt.contacts.get(rt.contacts.touch_inbound(Address(channel, PERSON)))


def test_sure_enough_it_is_a_stop_with_one_confirmation(rt, write):
    msg = write("ya estuvo con tanto mensaje compa", read=0.93)
    assert rt.contacts.get(msg.contact_id).opted_out_on("whatsapp")
    assert not rt.contacts.get(msg.contact_id).opted_out_on("sms")  # only where they wrote
    assert [r["text"] for r in msg.replies] == [rt.catalogs.text("keyword.stopped.whatsapp",
                                                                 "es")]
    assert msg.replies[0]["kind"] == COMPLIANCE
    # Stopped: the next message is kept, never read by the assistant, never answered.
    rt.assistant.seen.clear()
    again = write("que no me escriban dije", read=0.97)
    assert rt.assistant.seen == [] and not again.replies


def test_the_threshold_itself_opts_out_in_the_persons_language(rt, write):
    msg = write("y'all can quit messaging me now", read=rt.settings.stop_confidence,
                channel="sms", lang="en")
    assert rt.contacts.get(msg.contact_id).opted_out_on("sms")
    assert [r["text"] for r in msg.replies] == [rt.catalogs.text("keyword.stopped.sms", "en")]


def test_unsure_it_asks_and_changes_nothing(rt, write):
    msg = write("ya no quiero saber nada", read=rt.settings.stop_confidence - 0.01)
    assert not rt.contacts.get(msg.contact_id).opted_out
    assert [r["text"] for r in msg.replies] == [rt.catalogs.text("stop.ask", "es")]
    # The person is told how to stop for good, in their language.
    assert "ALTO" in msg.replies[0]["text"]
    # And an ordinary answer afterwards still reaches them.
    assert [r["text"] for r in write("y donde me registro?").replies] == ["respuesta"]


@pytest.mark.parametrize("body", ["no dejen de escribirme, ya no tengo a nadie aquí",
                                  "why did you stop texting me", "write to me in english"])
def test_words_the_rules_know_only_look_like_stopping_are_asked_about_however_sure(rt, write,
                                                                                   body):
    msg = write(body, read=0.99)
    assert not rt.contacts.get(msg.contact_id).opted_out
    assert [r["text"] for r in msg.replies] == [rt.catalogs.text("stop.ask", "es")]


@pytest.mark.parametrize("custom", [{STOP_REQUEST: "0.99"}, {STOP_REQUEST: True},
                                    {STOP_REQUEST: None}, "stop", {"other": 0.99}])
def test_a_malformed_report_never_opts_anyone_out(rt, write, custom):
    rt.assistant = Assistant()
    person = rt.contacts.touch_inbound(Address("whatsapp", PERSON))
    rt.contacts.set_language(person, "es", chosen=True)
    rt.messages.save_inbound(Inbound("SM" + "9" * 32, person, "whatsapp", "whatsapp:" + PERSON,
                                     WHATSAPP_NUMBER, "hola", 0, time.time()), 3600)
    rt.assistant.replies = [{"custom": custom}, {"text": "respuesta"}]
    inbound.handle(rt, "SM" + "9" * 32)
    assert not rt.contacts.get(person).opted_out


@pytest.mark.parametrize("value", ["0.3", "1.5", "muy alto"])
def test_a_confidence_setting_out_of_range_is_refused(value):
    with pytest.raises(ConfigError, match="HOTLINE_STOP_CONFIDENCE"):
        Settings.from_env({"HOTLINE_STOP_CONFIDENCE": value, "HOTLINE_SECRET": "x"}).require()
