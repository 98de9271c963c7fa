"""AVISAME / AVÍSEME / NOTIFY ME, decided before the assistant: "tell me when registration
opens" is remembered on the contact, answered once, and erased with the contact."""

from __future__ import annotations

import time
from datetime import date

import pytest

from hotline import contacts
from hotline.content import answers, program_status
from hotline.content.program_status import Intake, Organization
from hotline.messaging import inbound, keywords
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from support import SMS_NUMBER


@pytest.mark.parametrize("body", [
    "AVISAME", "avisame", "Avísame", "AVÍSAME", "aviseme", "AVÍSEME", "Avísenme", "avísame!",
    "¡Avísame!", " avisame. ", "avisame cuando abra", "Avísame cuando abra el registro",
    "avíseme si abren el registro por favor", "avisame porfa", "me avisan cuando abra",
    "NOTIFY ME", "notify me", "Notify me!", "notifyme", "notify me when it opens",
    "Notify me when registration opens, thanks", "notify me please",
])
def test_notify_me_in_its_many_forms(body):
    assert keywords.match(body) == keywords.NOTIFY_ME


@pytest.mark.parametrize("body,lang", [
    ("AVÍSAME", "es"), ("aviseme cuando abra", "es"), ("NOTIFY ME", "en"),
    ("notify me when it opens", "en"),
])
def test_the_keyword_says_its_language(body, lang):
    assert keywords.keyword_language(body) == lang


@pytest.mark.parametrize("body", [
    # More than the request: a danger, a question, a story go to the assistant.
    "avisame si me quieren hacer daño", "avísame, me están siguiendo", "avisame que hago",
    "notify me about my court date", "notify me if someone is looking for me",
    "me avisa mi hermana que ya abrieron?", "avisos", "aviso", "no me avisaron",
    "avisame cuando abra la frontera para cruzar con mis hijos",
])
def test_more_than_the_request_is_not_the_keyword(body):
    assert keywords.match(body) is None


def handle(rt, number: str, body: str, sid: str) -> list[str]:
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.messages.save_inbound(Inbound(sid, contact_id, "sms", number, SMS_NUMBER, body, 0,
                                     time.time()), 3600)
    inbound.handle(rt, sid)
    return [r["text"] for r in rt.messages.load_inbound(sid).replies or []]


def said(rt, key: str, lang: str) -> str:
    status = program_status.load(rt.settings.program_status_file, rt.redis)
    return answers.say(rt.catalogs, status, key, lang)


def test_avisame_subscribes_once_and_says_so(rt):
    number = "+5215544400001"
    assert handle(rt, number, "AVÍSAME", "SMnotify1") == [said(rt, "reg.notify_me_done", "es")]
    contact_id = rt.contacts.id_for(parse_address(number))
    assert rt.contacts.get(contact_id).subscriptions == {contacts.INTAKE}
    assert handle(rt, number, "avisame cuando abra", "SMnotify2") == [
        said(rt, "reg.notify_me_already", "es")]


def test_notify_me_in_english(rt):
    assert handle(rt, "+15005550101", "Notify me", "SMnotify3") == [
        said(rt, "reg.notify_me_done", "en")]


def test_while_intake_is_open_it_says_how_to_start_and_subscribes_nobody(rt):
    current = program_status.load(rt.settings.program_status_file, rt.redis)
    program_status.store_override(rt.redis, current.changed(
        intake=Intake(True, date.today(), date.today()),
        organizations=(Organization("Casa de Prueba", "+52 000 000 0000", ("registrations",)),)))
    reply = handle(rt, "+5215544400002", "AVISAME", "SMnotify4")
    assert reply == [said(rt, "reg.intake_closed", "es")]
    assert reply == [said(rt, "reg.intake_closed@intake_open", "es")]
    contact_id = rt.contacts.id_for(parse_address("+5215544400002"))
    assert rt.contacts.get(contact_id).subscriptions == frozenset()


def test_opted_out_gets_no_answer_and_no_subscription(rt):
    number = "+5215544400003"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_opted_out(contact_id, True)
    assert handle(rt, number, "AVISAME", "SMnotify5") == []
    assert rt.messages.load_inbound("SMnotify5").state == "done"
    assert rt.contacts.get(contact_id).subscriptions == frozenset()


def test_the_subscription_goes_with_the_contact(rt):
    number = "+5215544400004"
    handle(rt, number, "AVISAME", "SMnotify6")
    contact_id = rt.contacts.id_for(parse_address(number))
    assert rt.contacts.forget(contact_id) == 1
    assert rt.contacts.get(contact_id) is None
    rt.contacts.touch_inbound(parse_address(number))
    assert rt.contacts.get(contact_id).subscriptions == frozenset()


def test_an_unknown_topic_is_refused(rt):
    contact_id = rt.contacts.touch_inbound(parse_address("+5215544400005"))
    with pytest.raises(ValueError):
        rt.contacts.subscribe(contact_id, "appointments")
