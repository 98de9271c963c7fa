"""Sensitive personal data is encrypted at rest: vulnerabilities, the free-text place, the
appointment, audit details and operators' notes never appear in Redis in the clear (every key
and value scanned), filters keep working through fields that say nothing about one person, and
erasure takes the encrypted details too."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date, timedelta

import pytest
from redis import Redis

from hotline import erasure
from hotline.crypto import DecryptionError
from hotline.handoff import queue as escalations
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import FORGET_GRACE
from hotline.outreach import audience
from hotline.registration import notify
from support.people import values
from support.redis_scan import raw_values

FERNET = re.compile(rb"gAAAAA[0-9A-Za-z_\-]+=*")
SECRETS = ("Colonia Libertad calle 5", "pregnancy", "illness", "Albergue Juventud 2000",
           "traer acta de nacimiento", "dijo que su esposo la amenaza")


def plain_text(settings, lasting: bool = False) -> bytes:
    """Every key and value; `lasting`: leave out what erasure set to expire within its grace
    (a message still on its way to Twilio)."""
    raw = Redis.from_url(settings.redis_url)
    return b"\n".join(v for key, values_ in raw_values(raw) for v in values_
                      if not (lasting and 0 < raw.ttl(key) <= FORGET_GRACE))


def decrypted_text(settings, vault, lasting: bool = False) -> bytes:
    found = []
    for token in FERNET.findall(plain_text(settings, lasting)):
        with contextlib.suppress(DecryptionError):
            found.append(vault.decrypt(token.decode()).encode())
    return b"\n".join(found)


@pytest.fixture
def person(rt):
    cid = rt.contacts.touch_inbound(parse_address("+5215512345678"))
    rt.contacts.set_language(cid, "es", chosen=True)
    reg = rt.registrations.create(values(location_city="Colonia Libertad calle 5",
                                         vulnerabilities=["pregnancy", "illness"]),
                                  cid, "sms", "es")
    notify.status_changed(rt, reg.reference, notify.APPOINTMENT, {
        "place": "Albergue Juventud 2000", "date": (date.today() + timedelta(days=9)).isoformat(),
        "time": "10:30"}, actor="org:test")
    rt.registrations.set_status(reg.reference, "information_needed", "org:test",
                                what="traer acta de nacimiento")
    escalations.escalate(rt.redis, cid, "asked", urgent=False, language="es")
    escalations.add_note(rt.redis, cid, "ana", "dijo que su esposo la amenaza", rt.vault)
    return cid, reg.reference


def test_nothing_sensitive_is_stored_in_the_clear(rt, settings, person):
    stored = plain_text(settings)
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
    # ...and every one of them is there, encrypted.
    opened = decrypted_text(settings, rt.vault)
    for secret in SECRETS:
        assert secret.encode() in opened, secret


def test_the_owners_of_the_data_still_read_it(rt, person):
    cid, reference = person
    reg = rt.registrations.get(reference, actor=None)
    assert reg.vulnerabilities == ["pregnancy", "illness"]
    assert reg.location_city == "Colonia Libertad calle 5"
    assert reg.public()["vulnerable"] is True
    trail = rt.registrations.audit_trail(reference)
    assert {"status": "information_needed", "what": "traer acta de nacimiento"}.items() <= \
        trail[-1].items()
    assert escalations.notes(rt.redis, cid, rt.vault)[0]["text"] == "dijo que su esposo la amenaza"


def test_filters_work_on_fields_that_name_nobody(rt, person):
    cid, reference = person
    rt.registrations.create(values(a_number="099999999", phone="+5215500000000"), "c-other",
                            "sms", "es")
    rows = {r["reference"]: r for r in rt.registrations.summaries()}
    assert rows[reference]["vulnerable"] is True
    assert [r["vulnerable"] for k, r in rows.items() if k != reference] == [False]
    for row in rows.values():  # lists carry no health data and no free-text place
        assert "vulnerabilities" not in row and "location_city" not in row
    fields = rt.registrations.audience_fields([cid])
    assert audience.matches({"city": "libertad"}, "es", "sms", fields[cid])
    assert not audience.matches({"city": "Juárez"}, "es", "sms", fields[cid])


def test_the_reminder_still_finds_the_appointment(rt, person):
    _, reference = person
    rt.registrations.set_status(reference, notify.APPOINTMENT, "org:test")
    change, details = rt.registrations.appointment(reference)
    assert details["place"] == "Albergue Juventud 2000" and details["time"] == "10:30"


def test_records_written_before_encryption_still_read(rt, redis):
    reg = rt.registrations.create(values(), "c-old", "sms", "es")
    key = f"hl:reg:{reg.reference}"
    # As the previous version wrote them: list and place in the clear, no flag.
    redis.hset(key, mapping={"vulnerabilities": json.dumps(["medical"]),
                             "location_city": "Tijuana", "appointment": 3,
                             "appointment_place": "Oficina", "appointment_date": "2030-01-02",
                             "appointment_time": "09:00", "status": "appointment_scheduled"})
    redis.hdel(key, "vulnerable")
    old = rt.registrations.get(reg.reference, actor=None)
    assert (old.vulnerabilities, old.location_city) == (["medical"], "Tijuana")
    assert [r["vulnerable"] for r in rt.registrations.summaries()] == [True]
    assert rt.registrations.appointment(reg.reference)[1]["place"] == "Oficina"
    redis.rpush("hl:escalation:notes:c-old", json.dumps({"at": 0, "by": "ana", "text": "vieja"}))
    assert escalations.notes(redis, "c-old", rt.vault)[0]["text"] == "vieja"


def test_hostile_values_are_kept_exactly_and_encrypted(rt, settings):
    hostile = ['gAAAAAfake"}', "{\"calle\": 5}", "=cmd|' /C calc'!A0", "\x00\u202enull", "ñ" * 500]
    for n, text in enumerate(hostile):
        reg = rt.registrations.create(values(a_number=f"0{n:08d}", location_city=text,
                                             vulnerabilities=["illness"]), f"c{n}", "sms", "es")
        rt.registrations.audit(reg.reference, "org:x", "status", status="closed", what=text)
        assert rt.registrations.get(reg.reference, actor=None).location_city == text
        assert rt.registrations.audit_trail(reg.reference)[-1]["what"] == text
    stored = plain_text(settings)
    assert b"calc" not in stored and "ñ".encode() * 500 not in stored


def test_erasure_takes_the_encrypted_details_too(rt, settings, person):
    cid, _ = person
    erasure.erase(rt, cid)
    opened = decrypted_text(settings, rt.vault, lasting=True) + plain_text(settings, True)
    for secret in SECRETS:
        assert secret.encode() not in opened, secret
