"""What each person was told (`hotline.content.told`): written by the real NLG endpoint, kept
only for the retention period, and forgotten with the person."""

from __future__ import annotations

import time

from hotline import erasure
from hotline.content import corrections, program_status, told
from hotline.messaging.channels import parse_address


def nlg(client, response, sender):
    tracker = {"sender_id": sender, "slots": {}, "latest_message": {"metadata": {}}}
    answer = client.post("/nlg", headers={"Authorization": "Bearer nlg-token"}, json={
        "response": response, "arguments": {}, "tracker": tracker,
        "channel": {"name": "collector"}})
    assert answer.status_code == 200
    return answer.get_json()["text"]


def contact(rt, number="+5215512340001"):
    cid = rt.contacts.touch_inbound(parse_address(number))
    rt.contacts.set_language(cid, "es", chosen=True)
    return cid


def _status(rt):
    return program_status.load(rt.settings.program_status_file, rt.redis)


def everything_told(redis) -> list[tuple[str, str]]:
    """(key, content) of every key the told store and the corrections own."""
    found = []
    for key in redis.scan_iter("hl:told:*"):
        kind = redis.type(key)
        values = (redis.hgetall(key) if kind == "hash" else
                  dict.fromkeys(redis.zrange(key, 0, -1)) if kind == "zset" else {})
        found.append((key, repr(values)))
    for key in redis.scan_iter("hl:corr:*"):
        kind = redis.type(key)
        content = (redis.smembers(key) if kind == "set" else redis.zrange(key, 0, -1)
                   if kind == "zset" else redis.hgetall(key))
        found.append((key, repr(content)))
    return found


def test_the_nlg_endpoint_records_what_each_person_was_told(client, rt):
    cid = contact(rt)
    text = nlg(client, "utter_program_status", cid)
    nlg(client, "utter_cost_scam", cid)
    records = {t.answer: t for t in told.of_contact(rt.redis, cid)}
    assert set(records) == {"status_reinstated", "utter_cost_scam"}
    status = records["status_reinstated"]
    # The wording said (the intake variant), its version, and when.
    assert status.catalog_id == "status_reinstated@intake_closed"
    assert status.version == told.content_version(rt.catalogs, status.catalog_id)
    assert abs(status.at - time.time()) < 5 and status.corrected_at is None
    values = _status(rt).values("es", rt.catalogs)
    assert text == rt.catalogs.text(status.catalog_id, "es", **values)
    assert told.recipients(rt.redis, "status_reinstated", days=1) == 1
    assert told.recipients(rt.redis, "utter_greet", days=1) == 0
    # Nothing about the person but the pseudonymous id.
    assert all("+52" not in content for _, content in everything_told(rt.redis))


def test_a_content_version_changes_when_either_language_changes(rt):
    class Texts:
        languages = ("en", "es")

        def __init__(self, en, es):
            self.texts = {"en": en, "es": es}

        def has(self, key):
            return True

        def raw(self, key, lang):
            return self.texts[lang]

    same = told.content_version(Texts("Hi", "Hola"), "x")
    assert same == told.content_version(Texts("Hi", "Hola"), "x")
    assert same != told.content_version(Texts("Hi", "Hola!"), "x")
    assert same != told.content_version(Texts("Hi!", "Hola"), "x")


def test_records_are_bounded_by_the_retention_period(rt):
    days = rt.settings.told_days
    old = time.time() - (days + 1) * told.DAY
    told.record(rt.redis, "c-old", "utter_cost_scam", "v", days, at=old)
    told.record(rt.redis, "c-new", "utter_cost_scam", "v", days)
    assert rt.redis.zrange("hl:told:a:utter_cost_scam", 0, -1) == ["c-new"]
    for key in ("hl:told:a:utter_cost_scam", "hl:told:c:c-new"):
        assert 0 < rt.redis.ttl(key) <= days * told.DAY
    assert [t.contact_id for t in told.uncorrected(rt.redis, time.time() - told.DAY)] == ["c-new"]


def test_erasure_forgets_what_the_person_was_told_and_their_corrections(client, rt):
    first, second = contact(rt, "+5215512340001"), contact(rt, "+5215512340002")
    for cid in (first, second):
        nlg(client, "utter_program_status", cid)
        nlg(client, "utter_legal_help", cid)
    change = corrections.record_change(rt.redis, *(2 * [_status(rt)]), "t",
                                       corrections.today(rt.settings))
    corrections.claim(rt.redis, change.id, [first, second], 30)
    corrections.new_sending(rt.redis, [first, second], 30)

    counts = erasure.erase(rt, first)

    assert counts["told"] == 2 and counts["corrections"] == 2
    assert not [key for key, content in everything_told(rt.redis)
                if first in key or first in content]
    assert [t.answer for t in told.of_contact(rt.redis, second)] == ["status_reinstated",
                                                                     "utter_legal_help"]
    assert told.recipients(rt.redis, "utter_legal_help", days=1) == 1
