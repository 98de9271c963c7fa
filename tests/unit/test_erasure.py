"""Erasing a person (`hotline.erasure`): with the real stores on real Redis, one person's data
written through every feature, a second person's beside it; after erasure nothing in Redis
leads back to the first, and everything of the second is still there."""

from __future__ import annotations

import asyncio
import contextlib
import re
import zlib
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
import yaml
from redis import Redis

from hotline import erasure
from hotline.config import PROJECT_ROOT
from hotline.content import corrections, told
from hotline.crypto import DecryptionError
from hotline.handoff import audit
from hotline.handoff import queue as escalations
from hotline.messaging import inbound, outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import FORGET_GRACE, Inbound, Outbound
from hotline.outreach import receipts
from hotline.outreach import runner as bc_runner
from hotline.outreach import spec as bc_spec
from hotline.outreach import store as bc_store
from hotline.registration import form_mark, notify
from rasa_ext import keys
from support import SMS_NUMBER, sandbox_records
from support.redis_scan import raw_values
from webhooks.nlg import Renderer

FERNET_TOKEN = re.compile(rb"gAAAAA[0-9A-Za-z_\-=]+")


class Person:
    """Everything one person tells the hotline, and the ids it is kept under."""

    def __init__(self, n: int, name: str, a_number: str, birth_date: str, note: str):
        self.number = f"+52155123400{n:02d}"
        self.name, self.a_number, self.birth_date, self.note = name, a_number, birth_date, note
        self.sid = f"SM{n:02d}" + "a" * 30  # the inbound MessageSid
        self.contact_id = self.reference = self.out_id = None
        self.twilio_sids: list[str] = []


def tracker_store(settings, monkeypatch):
    """Rasa's tracker store as bot/endpoints.yml configures it, on the test Redis."""
    from rasa.shared.core.domain import Domain

    from rasa_ext.tracker_store import EncryptedRedisTrackerStore

    monkeypatch.setenv("HOTLINE_SECRET", settings.secret)
    config = yaml.safe_load((PROJECT_ROOT / "bot" / "endpoints.yml").read_text())
    url = urlparse(settings.redis_url)
    return EncryptedRedisTrackerStore(
        domain=Domain.empty(), host=url.hostname, port=url.port, db=int(url.path.strip("/")),
        password=url.password,
        key_prefix=config["tracker_store"]["key_prefix"], record_exp=3600)


def save_tracker(store, contact_id: str, text: str) -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events(contact_id, [
        ActionExecuted("action_listen"), UserUttered(text, {"name": "registration"})])
    asyncio.run(store.save(tracker))


def live_through_everything(rt, person: Person, tracker) -> None:
    """One person's data written through every feature, with the real stores."""
    address = parse_address(person.number)
    person.contact_id = cid = rt.contacts.touch_inbound(address)
    rt.contacts.set_language(cid, "es", chosen=True)
    # A message in, answered, and the reply sent by Twilio (the sandbox).
    rt.messages.save_inbound(Inbound(
        sid=person.sid, contact_id=cid, channel="sms", sender=person.number, to=SMS_NUMBER,
        body=f"Me llamo {person.name}, mi A-number es {person.a_number}", num_media=0,
        received_at=0), 3600)
    rt.messages.save_answer(person.sid, [{"text": f"Gracias, {person.name}"}], "es")
    rt.messages.set_inbound_state(person.sid, "done")
    person.out_id = outbound.queue_message(rt, cid, to=person.number, sender=SMS_NUMBER,
                                           body=f"Gracias, {person.name}", kind=outbound.REPLY,
                                           out_id=f"{person.sid}-0")
    # Registration, the question mark of the form, the conversation in Rasa.
    form_mark.mark(rt.redis, cid, "reg_phone")
    save_tracker(tracker, cid, f"Me llamo {person.name}, nací el {person.birth_date}")
    person.reference = rt.registrations.create({
        "name": person.name, "birth_date": person.birth_date, "citizenship": "HN",
        "a_number": person.a_number, "case_situation": "pending", "enrolled": "2019-05",
        "location_country": "MX", "location_city": "Tijuana", "phone": person.number,
        "family": 2, "vulnerabilities": ["medical"]}, cid, "sms", "es").reference
    # An appointment: the notice now, the reminder scheduled for the day before.
    notify.status_changed(rt, person.reference, notify.APPOINTMENT, {
        "place": "Oficina de Tijuana", "date": (date.today() + timedelta(days=9)).isoformat(),
        "time": "10:30"}, actor="org:test")
    # An operator takes the conversation, writes a note, replies; all of it audited.
    escalations.escalate(rt.redis, cid, "asked", urgent=False, language="es")
    escalations.claim(rt.redis, cid, "ana")
    escalations.add_note(rt.redis, cid, "ana", person.note, rt.vault)
    audit.record(rt.redis, "ana", "claim", cid)
    audit.record(rt.redis, "ana", "reply", cid, vault=rt.vault, message_id=person.out_id)
    outbound.drain(rt, cid)
    person.twilio_sids = [m.twilio_sid for m in (rt.messages.load_outbound(i) for i in (
        person.out_id, f"{person.reference}-status-1")) if m]
    assert len(person.twilio_sids) == 2
    rt.messages.record_delivery(person.twilio_sids[0], "delivered", None)
    # An answer the assistant gave them, recorded as told; a correction sending names them.
    Renderer(rt).render("utter_program_status", {}, {"sender_id": cid, "slots": {},
                                                      "latest_message": {}})
    corrections.new_sending(rt.redis, [cid], 30)


def broadcast(rt) -> str:
    """A broadcast to everyone, sent through the sandbox."""
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "News", "es": "Noticias"}}, "t"))
    for _ in range(100):
        bc_runner.run(rt, bc.id)
        if bc_store.load(rt.redis, bc.id).state != "sending":
            return bc.id
    raise AssertionError("the broadcast did not finish")


def everything_in_redis(settings, vault) -> list[tuple[bytes, bytes]]:
    """(key, text) for every key name and every value of every type, with each encrypted value
    also decrypted and RQ's compressed job data also decompressed."""
    raw = Redis.from_url(settings.redis_url)  # bytes: RQ keeps binary job data
    found = []
    for key, values in raw_values(raw):
        for value in values:
            found.append((key, value))
            with contextlib.suppress(zlib.error):
                found.append((key, zlib.decompress(value)))
            for token in FERNET_TOKEN.findall(value):
                with contextlib.suppress(DecryptionError):
                    found.append((key, vault.decrypt(token.decode()).encode()))
    return found


def traces(settings, vault, person: Person) -> dict[bytes, set[bytes]]:
    """Key -> what in it leads back to `person`."""
    needles = {person.contact_id, vault.pseudonym(person.a_number, prefix="a"), person.name,
               person.name.split()[0], person.a_number, person.number.lstrip("+"),
               person.birth_date, person.note, person.sid, *person.twilio_sids,
               person.reference}
    hits: dict[bytes, set[bytes]] = {}
    for key, text in everything_in_redis(settings, vault):
        for needle in needles:
            if needle.encode() in text:
                hits.setdefault(key, set()).add(needle.encode())
    return hits


@pytest.mark.rasa_env  # writes trackers with Rasa's own tracker store
def test_erasure_leaves_nothing_of_the_person_and_everything_of_the_others(
        sandbox_rt, settings, monkeypatch):
    rt = sandbox_rt
    tracker = tracker_store(settings, monkeypatch)
    first = Person(1, "Zoila Marisol Canales", "012345671", "1988-03-15",
                   "Zoila necesita abogada antes del 12")
    second = Person(2, "Benito Araujo Reyes", "098765432", "1975-11-02",
                    "Benito vuelve a llamar el lunes")
    live_through_everything(rt, first, tracker)
    live_through_everything(rt, second, tracker)
    bc_id = broadcast(rt)
    first.twilio_sids += [s.split(":")[1] for s in bc_store_states(rt, bc_id, first.contact_id)]
    assert keys.tracker_key(first.contact_id).encode() in traces(settings, rt.vault, first)
    assert len(first.twilio_sids) == 3

    counts = erasure.erase(rt, first.contact_id, during_turn=True)
    # Rasa saves the conversation again after the action; the gateway then finishes.
    save_tracker(tracker, first.contact_id, "borrar")
    assert erasure.finish_erasure(rt, first.contact_id)
    assert not erasure.finish_erasure(rt, first.contact_id)  # once

    assert counts["registrations"] == 1 and counts["contact"] == 1 and counts["tracker"] == 1
    assert counts["messages"] == 3 and counts["audit_entries"] == 2
    assert counts["broadcast_recipients"] == 1
    hits = traces(settings, rt.vault, first)
    reference = first.reference.encode()
    # What may still name the registration's reference, which leads to nothing now: its audit
    # trail (who did what when, and that it was erased) and RQ's job records (jobs take plain
    # ids; the reminder finds nothing to send, see below), which also name the contact id.
    kept = {f"hl:reg:audit:{first.reference}".encode(): {reference}}
    for key in [k for k in hits if k.startswith(b"rq:")]:
        kept[key] = hits[key] & {reference, first.contact_id.encode()}
    assert hits == {k: v for k, v in kept.items() if k in hits}
    assert [e["action"] for e in rt.registrations.audit_trail(first.reference)][-1] == "erased"
    assert all(set(e) <= {"at", "actor", "action"} for e in
               rt.registrations.audit_trail(first.reference))
    # The reminder for the forgotten registration sends nothing.
    assert notify.remind(rt, first.reference, 1) is None
    assert outbound.drain(rt, first.contact_id) == 0
    # Operators' actions stay audited, without the person.
    assert [(e["action"], e["contact_id"], "message_id" in e or "sealed" in e)
            for e in audit.recent(rt.redis)
            if e["contact_id"] != second.contact_id] == [("reply", None, False),
                                                         ("claim", None, False)]

    # Everything of the second person is still there.
    cid = second.contact_id
    assert rt.contacts.get(cid).number == second.number
    assert rt.registrations.get(second.reference, actor=None).name == second.name
    assert rt.messages.load_inbound(second.sid).body.startswith("Me llamo Benito")
    assert rt.messages.load_outbound(second.out_id).twilio_sid == second.twilio_sids[0]
    assert [e["text"] for e in rt.messages.transcript(cid)][0].startswith("Me llamo Benito")
    assert rt.messages.status_of(second.twilio_sids[0]) == "delivered"
    assert escalations.get(rt.redis, cid)["claimed_by"] == "ana"
    assert escalations.notes(rt.redis, cid, rt.vault)[0]["text"] == second.note
    assert form_mark.open_question(rt.redis, cid) == "reg_phone"
    assert rt.redis.exists(keys.tracker_key(cid))
    assert [e["contact_id"] for e in audit.recent(rt.redis)].count(cid) == 2
    assert bc_store_states(rt, bc_id, cid)
    assert notify.remind(rt, second.reference, 1) is not None
    sent = traces(settings, rt.vault, second)
    assert {k for k in sent if not k.startswith((b"rq:", b"tw:"))} >= {
        f"hl:contact:{cid}".encode(), f"hl:reg:{second.reference}".encode(),
        f"hl:escalation:notes:{cid}".encode(), f"hl:in:{second.sid}".encode(),
        keys.tracker_key(cid).encode(), f"hl:told:c:{cid}".encode()}
    assert [t.answer for t in told.of_contact(rt.redis, cid)] == ["status_reinstated"]


def bc_store_states(rt, bc_id: str, contact_id: str) -> list[str]:
    """This person's send state in a broadcast ("sent:<sid>:<via>"), if any."""
    return [s for s in receipts.states_of(rt.redis, bc_id, [contact_id]) if s]


@pytest.mark.rasa_env  # writes trackers with Rasa's own tracker store
def test_the_tracker_key_is_the_one_rasa_writes(settings, redis, monkeypatch):
    save_tracker(tracker_store(settings, monkeypatch), "c0ffee", "hola")
    assert redis.keys("*") == [keys.tracker_key("c0ffee")]
    assert keys.forget(redis, "c0ffee") == 1 and not redis.keys("*")


class ErasingAssistant:
    """Rasa at our seam: the delete form's action erases the person, then Rasa saves the
    conversation again and answers."""

    def __init__(self, rt, tracker):
        self.rt, self.tracker = rt, tracker

    def send(self, contact_id: str, text: str, metadata: dict) -> list[dict]:
        erasure.erase(self.rt, contact_id, during_turn=True)
        save_tracker(self.tracker, contact_id, text)
        return [{"text": "Borramos sus datos."}]


@pytest.mark.rasa_env  # writes trackers with Rasa's own tracker store
def test_erasure_asked_in_a_turn_finishes_once_the_turn_is_answered(sandbox_rt, settings,
                                                                    monkeypatch):
    rt = sandbox_rt
    rt.assistant = ErasingAssistant(rt, tracker_store(settings, monkeypatch))
    number = "+5215512349876"
    cid = rt.contacts.touch_inbound(parse_address(number))
    sid = "SM" + "e" * 32
    inbound.accept(rt, Inbound(sid=sid, contact_id=cid, channel="sms", sender=number,
                               to=SMS_NUMBER, body="BORRAR", num_media=0, received_at=0))
    assert inbound.drain(rt, cid) == 1
    # The turn is answered and the conversation is gone; only the reply waits to leave.
    assert not rt.redis.exists(keys.tracker_key(cid), f"hl:contact:{cid}", f"hl:in:{sid}",
                               f"hl:transcript:{cid}")
    assert rt.messages.load_outbound(f"{sid}-0").status == "pending"
    assert outbound.drain(rt, cid) == 1
    assert [r["body"] for r in sandbox_records(rt.redis)] == ["Borramos sus datos."]
    # The reply, its Twilio index entry and the transcript line it added expire within a day.
    twilio_sid = rt.messages.load_outbound(f"{sid}-0").twilio_sid
    left = [k for k in rt.redis.keys("hl:*") if cid in k or sid in k or twilio_sid in k]
    assert left and all(0 < rt.redis.ttl(k) <= FORGET_GRACE for k in left), left
    ours = [k for k in rt.redis.keys("hl:*") if k not in left]
    assert not [k for k in ours if any(cid in v or sid in v for v in values(rt.redis, k))]


def values(redis, key: str) -> list[str]:
    kind = redis.type(key)
    if kind == "string":
        return [redis.get(key)]
    if kind == "hash":
        return [v for pair in redis.hgetall(key).items() for v in pair]
    if kind == "list":
        return redis.lrange(key, 0, -1)
    return list(redis.smembers(key) if kind == "set" else redis.zrange(key, 0, -1))


def test_a_record_in_flight_is_kept_to_finish_and_expires(rt):
    rt.messages.create_outbound(Outbound(id="o1", contact_id="c1", to="+5215500000001",
                                         sender=SMS_NUMBER, body="hola", kind="reply"))
    rt.messages.create_outbound(Outbound(id="o2", contact_id="c1", to="+5215500000001",
                                         sender=SMS_NUMBER, body="adios", kind="reply"))
    rt.messages.mark_outbound("o2", "delivered", twilio_sid="SM" + "2" * 32)
    assert rt.messages.forget("c1") == 1
    assert rt.messages.load_outbound("o2") is None
    assert rt.messages.status_of("SM" + "2" * 32) is None
    assert rt.messages.load_outbound("o1").status == "pending"
    assert 0 < rt.redis.ttl("hl:out:o1") <= FORGET_GRACE
    assert rt.messages.forget("nobody") == 0


@pytest.mark.parametrize("erase_twice", [False, True])
def test_erasing_someone_unknown_or_already_erased_changes_nothing(rt, erase_twice):
    cid = rt.contacts.touch_inbound(parse_address("+5215512340077"))
    if erase_twice:
        erasure.erase(rt, cid)
    rt.contacts.touch_inbound(parse_address("+5215512340078"))
    before = sorted(rt.redis.keys("*"))
    counts = erasure.erase(rt, "c-nobody")
    assert sorted(rt.redis.keys("*")) == before and not any(counts.values())
    assert not erasure.finish_erasure(rt, "c-nobody")


def test_a_broadcast_under_way_skips_someone_erased_meanwhile(sandbox_rt):
    rt = sandbox_rt
    erased, kept = (rt.contacts.touch_inbound(parse_address(f"+52155123401{n}")) for n in "12")
    bc = bc_runner.submit(rt, bc_spec.build(rt, {"text": {"en": "News", "es": "Noticias"}}, "t"))
    erasure.erase(rt, erased)
    for _ in range(100):
        bc_runner.run(rt, bc.id)
        if bc_store.load(rt.redis, bc.id).state != "sending":
            break
    assert [r["to"] for r in sandbox_records(rt.redis)] == ["+521551234012"]
    assert receipts.states_of(rt.redis, bc.id, [kept])[0].startswith("sent:")
    assert not [k for k in rt.redis.keys("hl:*") if erased in k
                or any(erased in v for v in values(rt.redis, k))]
