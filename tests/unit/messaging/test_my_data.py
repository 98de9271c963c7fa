"""MIS DATOS / MY DATA (the right of access): a short summary of what the hotline keeps about
the person, in their language, answered before the assistant; never the whole number or
A-number, no health details by message."""

from __future__ import annotations

import time

import pytest

from hotline.messaging import inbound, keywords
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.registration import rights
from support import SMS_NUMBER
from support.people import values

NUMBER = "+5215512345678"


def write(rt, body: str, sid: str = "SM" + "9" * 32, number: str = NUMBER) -> list[str]:
    cid = rt.contacts.touch_inbound(parse_address(number))
    rt.messages.save_inbound(Inbound(sid, cid, "sms", number, SMS_NUMBER, body, 0, time.time()),
                             3600)
    inbound.handle(rt, sid)
    return [r["text"] for r in rt.messages.load_inbound(sid).replies or []]


@pytest.mark.parametrize("body", ["MIS DATOS", "mis datos", "Mis Datos.", "MY DATA", "my data!",
                                  "misdatos", " MIS  DATOS "])
def test_the_keyword_in_its_forms(body):
    assert keywords.match(body) == keywords.MY_DATA


@pytest.mark.parametrize("body", ["borrar mis datos", "mis datos estan mal", "data", "datos",
                                  "delete my data", "¿qué hacen con mis datos?"])
def test_other_sentences_are_not_the_keyword(body):
    assert keywords.match(body) != keywords.MY_DATA


def test_a_registered_person_gets_their_summary_masked(rt):
    cid = rt.contacts.touch_inbound(parse_address(NUMBER))
    rt.contacts.set_language(cid, "es", chosen=True)
    reg = rt.registrations.create(values(name="Ana Lucia Perez", a_number="012345678",
                                         vulnerabilities=["pregnancy"]), cid, "sms", "es")
    [text] = write(rt, "MIS DATOS")
    assert reg.reference in text and "Ana" in text and "***678" in text and "***5678" in text
    assert "012345678" not in text and "5512345678" not in text and "Perez" not in text
    assert "pregnancy" not in text and rt.catalogs.text("reg.vulnerability.pregnancy", "es") \
        not in text
    assert "BORRAR MIS DATOS" in text and "90" in text
    assert len(text) <= 3 * 153  # a few SMS segments at most


def test_in_english_for_someone_who_asks_in_english(rt):
    [text] = write(rt, "MY DATA")
    assert text.startswith("MPP hotline") and "no registration" in text and "DELETE MY DATA" in text


def test_someone_else_learns_nothing_about_another_person(rt):
    owner = rt.contacts.touch_inbound(parse_address(NUMBER))
    rt.registrations.create(values(), owner, "sms", "es")
    [text] = write(rt, "MIS DATOS", number="+5215500001111")
    assert "Ana" not in text and rt.catalogs.text("mydata.no_registration", "es").strip() in text


def test_mask_never_shows_the_whole_value():
    for value in ("1", "12", "123", "1234", "A012345678"):
        assert value not in rights.mask(value, 3) or len(value) > 3
    assert rights.mask("A012345678", 3) == "***678"
