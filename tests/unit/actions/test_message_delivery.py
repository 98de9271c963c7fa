"""'My messages stopped coming' / 'keep sending them': the answer says this number is still on
the list, names a channel the person stopped and how to start it again, and gives the
registration's status when there is one. No model: the intent is given."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.message_delivery import ActionMessageDelivery
from hotline.messaging import routing
from hotline.messaging.channels import parse_address
from support import SMS_NUMBER
from support.people import values

NUMBER = "+525512345677"


@pytest.fixture
def ask(rt, monkeypatch):
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)

    def make(contact_id: str, metadata: object = None) -> list[dict]:
        tracker = Tracker(
            sender_id=contact_id, slots={},
            latest_message={"text": "ya no me llegan sus mensajes",
                            "intent": {"name": "message_delivery", "confidence": 0.93},
                            "metadata": metadata},
            events=[], paused=False, followup_action=None, active_loop={},
            latest_action_name="action_listen")
        dispatcher = CollectingDispatcher()
        assert asyncio.run(ActionMessageDelivery().run(dispatcher, tracker, {})) == []
        return dispatcher.messages

    return make


def responses(messages: list[dict]) -> list[str]:
    return [m.get("response") for m in messages]


def test_nobody_stopped_and_nothing_registered_is_told_only_that_the_list_holds(ask, rt):
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    assert responses(ask(cid, {"channel": "sms"})) == ["utter_messages_on_list"]


def test_a_registration_follows_with_its_reference_and_status(ask, rt):
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    reg = rt.registrations.create(values(), cid, "sms", "es")
    messages = ask(cid, {"channel": "sms"})
    assert responses(messages) == ["utter_messages_on_list", "utter_reg_status"]
    assert messages[1]["reference"] == reg.reference
    assert messages[1]["message_key"] == "reg.status.received"


@pytest.mark.parametrize("stopped, writing_by, window", [
    # By WhatsApp with SMS stopped, news reaches them only inside WhatsApp's 24 hours: said.
    ("sms", "whatsapp", ["utter_messages_whatsapp_window"]),
    ("whatsapp", "sms", [])])
def test_the_channel_they_stopped_is_named_with_how_to_start_it(ask, rt, stopped, writing_by,
                                                                 window):
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    rt.contacts.set_opted_out(cid, True, channel=stopped)
    expected = ["utter_messages_on_list", *window, f"utter_messages_stopped_{stopped}"]
    assert responses(ask(cid, {"channel": writing_by})) == expected
    # Asked again, the same answer: nothing was changed by asking.
    assert responses(ask(cid, {"channel": writing_by})) == expected
    assert rt.contacts.get(cid).opted_out_on(stopped)


def test_after_start_the_channel_is_no_longer_named(ask, rt):
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    rt.contacts.set_opted_out(cid, True, channel="sms")
    rt.contacts.set_opted_out(cid, False, channel="sms")
    assert responses(ask(cid, {"channel": "whatsapp"})) == ["utter_messages_on_list"]


@pytest.mark.parametrize("metadata", [None, {}, {"channel": None}, {"channel": "fax"},
                                      {"channel": ["sms"]}, "sms"])
def test_malformed_metadata_still_answers_and_names_what_was_stopped(ask, rt, metadata):
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    rt.contacts.set_opted_out(cid, True, channel="whatsapp")
    assert responses(ask(cid, metadata)) == ["utter_messages_on_list",
                                             "utter_messages_stopped_whatsapp"]


def test_an_unknown_sender_is_told_only_that_the_list_holds(ask):
    assert responses(ask("c-never-wrote", {"channel": "sms"})) == ["utter_messages_on_list"]


WHATSAPP_ONLY = "whatsapp:+5215512345676"


def test_whatsapp_only_without_a_template_is_told_news_may_not_reach_them_and_how_sms_helps(
        ask, rt):
    """routing.choose: outside the 24 hours, no template and no SMS of theirs, news is not sent."""
    cid = rt.contacts.touch_inbound(parse_address(WHATSAPP_ONLY))
    messages = ask(cid, {"channel": "whatsapp"})
    assert responses(messages) == ["utter_messages_on_list", "utter_messages_whatsapp_window",
                                   "utter_messages_sms_instead"]
    assert messages[2]["sms_number"] == SMS_NUMBER
    # What the answer promises holds: once they write by SMS, news has a route a day later.
    later = rt.contacts.get(cid).last_inbound_at + 25 * 3600
    with pytest.raises(routing.NoRoute):
        routing.choose(rt.contacts.get(cid), rt.settings.hotline_numbers, None, now=later)
    rt.contacts.touch_inbound(parse_address(WHATSAPP_ONLY.replace("whatsapp:+521", "+52")))
    assert rt.contacts.sms_allowed(cid)
    contact = rt.contacts.get(cid)
    route = routing.choose(contact, rt.settings.hotline_numbers, None, channel="whatsapp",
                           now=contact.last_inbound_at + 25 * 3600)
    assert route.via == routing.VIA_SMS_FALLBACK
    assert responses(ask(cid, {"channel": "whatsapp"})) == ["utter_messages_on_list"]


def test_whatsapp_with_a_template_configured_needs_no_warning(ask, rt, monkeypatch):
    monkeypatch.setattr(rt, "settings", dataclasses.replace(rt.settings,
                                                            whatsapp_content_sid="HX" + "0" * 32))
    cid = rt.contacts.touch_inbound(parse_address(WHATSAPP_ONLY))
    assert responses(ask(cid, {"channel": "whatsapp"})) == ["utter_messages_on_list"]


def test_whatsapp_only_without_an_sms_number_is_told_only_of_the_window(ask, rt, monkeypatch):
    monkeypatch.setattr(rt, "settings", dataclasses.replace(
        rt.settings, hotline_numbers=tuple(n for n in rt.settings.hotline_numbers
                                           if n.startswith("whatsapp:"))))
    cid = rt.contacts.touch_inbound(parse_address(WHATSAPP_ONLY))
    assert responses(ask(cid, {"channel": "whatsapp"})) == ["utter_messages_on_list",
                                                            "utter_messages_whatsapp_window"]


def test_the_sms_number_is_rendered_in_both_languages(rt):
    for lang in ("en", "es"):
        text = rt.catalogs.text("utter_messages_sms_instead", lang, sms_number=SMS_NUMBER)
        assert SMS_NUMBER in text and "SMS" in text
