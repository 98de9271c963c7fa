"""`./hotline.sh keys encrypt-legacy` (run first by `keys rotate`): what was stored in plain
text before it was encrypted (a registration's vulnerabilities, free-text place, appointment and
audit details, operators' notes, console audit details) is encrypted in place, still reads the
same, and a second run changes nothing."""

from __future__ import annotations

import dataclasses
import json

import pytest
from redis import ConnectionPool, Redis

from hotline.handoff import audit
from hotline.handoff import queue as escalations
from hotline.ops import cli, keys
from hotline.registration import notify
from hotline.registration import store as registration_store
from hotline.registration.store import AUDIT, RECORD
from hotline.runtime import Runtime
from support.redis_scan import raw_values

VALUES = {"name": "Ana Ruiz", "birth_date": "1988-03-15", "citizenship": "HN",
          "a_number": "012345678", "case_situation": "pending", "enrolled": "2019-03",
          "location_country": "MX", "location_city": "Colonia Libertad", "phone": "+528991234567",
          "family": 1, "vulnerabilities": ["pregnant"]}
# Each would identify the person or say something about them that is theirs.
SECRETS = ["Colonia Libertad junto al río", "pregnant", "violence", "Oficina del Chaparral",
           "07:45", "carta de la clínica", "tiene miedo de su expareja", "OUT-legacy-77",
           "DL-legacy-5"]


@pytest.fixture
def krt(settings, redis, tmp_path) -> Runtime:
    return Runtime(dataclasses.replace(settings, keyring_file=tmp_path / "keyring.json"))


def write_the_old_way(rt: Runtime) -> tuple[str, str]:
    """A registration, a note and console audit entries as they were stored before encryption."""
    reg = rt.registrations.create(VALUES, "c-old", "sms", "es")
    key = RECORD.format(reg.reference)
    rt.redis.hset(key, mapping={
        "vulnerabilities": json.dumps(["pregnant", "violence"]),
        "location_city": "Colonia Libertad junto al río", "status": notify.APPOINTMENT,
        "appointment": 1, "appointment_place": "Oficina del Chaparral",
        "appointment_date": "2030-01-02", "appointment_time": "07:45"})
    rt.redis.hdel(key, "vulnerable")  # the flag did not exist yet either
    rt.redis.rpush(AUDIT.format(reg.reference), json.dumps({
        "at": 1.0, "actor": "org:casa", "action": "status", "status": "information_needed",
        "needed": "carta de la clínica"}))
    rt.redis.rpush(escalations.NOTES.format("c-old"), json.dumps(
        {"at": 1.0, "by": "ana", "text": "tiene miedo de su expareja"}))
    rt.redis.lpush(audit.KEY, json.dumps({"at": 1.0, "operator": "ana", "action": "reply",
                                          "contact_id": "c-old", "message_id": "OUT-legacy-77"}))
    rt.redis.lpush(audit.KEY, json.dumps({"at": 2.0, "operator": "jefa", "action":
                                          "dead_letter_retry", "contact_id": "c-old",
                                          "entry": "DL-legacy-5", "kind": "outbound"}))
    return reg.reference, "c-old"


def plain_secrets(redis) -> set[str]:
    raw = Redis(connection_pool=ConnectionPool(**{
        **redis.connection_pool.connection_kwargs, "decode_responses": False}))
    found = set()
    for _, values in raw_values(raw):
        for value in values:
            found |= {s for s in SECRETS if s.encode() in value
                      or json.dumps(s).encode()[1:-1] in value}
    return found


def snapshot(redis) -> dict:
    return {k: redis.hgetall(k) if redis.type(k) == "hash" else redis.lrange(k, 0, -1)
            for k in redis.scan_iter() if redis.type(k) in ("hash", "list")}


def test_plain_values_from_before_are_encrypted_in_place_and_still_read(krt, redis):
    reference, cid = write_the_old_way(krt)
    assert plain_secrets(redis) == set(SECRETS)  # the test writes what it means to
    counts = keys.encrypt_legacy(krt)
    assert counts == {"registrations": 2, "notes": 1, "console_audit": 2}
    assert plain_secrets(redis) == set()
    fresh = Runtime(krt.settings)  # another process reads it all back
    reg = fresh.registrations.get(reference, actor=None)
    assert reg.vulnerabilities == ["pregnant", "violence"]
    assert reg.location_city == "Colonia Libertad junto al río"
    assert fresh.registrations.appointment(reference) == (1, {
        "place": "Oficina del Chaparral", "date": "2030-01-02", "time": "07:45"})
    assert [r["vulnerable"] for r in fresh.registrations.summaries()] == [True]
    legacy_entry = fresh.registrations.audit_trail(reference)[-1]
    assert (legacy_entry["status"], legacy_entry["needed"]) == (
        "information_needed", "carta de la clínica")
    assert escalations.notes(redis, cid, fresh.vault)[0]["text"] == "tiene miedo de su expareja"
    retry, reply = audit.recent(redis)
    assert audit.details(reply, fresh.vault) == {"message_id": "OUT-legacy-77"}
    assert audit.details(retry, fresh.vault) == {"entry": "DL-legacy-5"}
    assert retry["kind"] == "outbound" and reply["contact_id"] == cid
    # Run again: nothing is plain, nothing changes, nothing is encrypted twice.
    before = snapshot(redis)
    assert keys.encrypt_legacy(krt) == {"registrations": 0, "notes": 0, "console_audit": 0}
    assert snapshot(redis) == before
    # Erasure still takes the person out of the console audit, sealed details included.
    assert audit.forget(redis, cid) == 2
    assert all("sealed" not in e and e["contact_id"] is None for e in audit.recent(redis))


def test_a_value_the_hotline_rewrote_meanwhile_is_not_overwritten(krt, redis):
    reference, cid = write_the_old_way(krt)
    store = krt.registrations
    data = redis.hgetall(RECORD.format(reference))
    _, new, drop = store._legacy_fields(data)
    # The person corrects their place between the read and the write: theirs stays.
    redis.hset(RECORD.format(reference), "location_city", store.vault.encrypt("Tijuana centro"))
    script = redis.register_script(registration_store._CAS_HASH_FIELDS)
    old = {k: data[k] for k in (*new, *drop) if k in data}
    args = [len(old), *(x for kv in old.items() for x in kv),
            len(new), *(x for kv in new.items() for x in kv), *drop]
    assert script(keys=[RECORD.format(reference)], args=args) == 0
    assert store.get(reference, actor=None).location_city == "Tijuana centro"
    # The next run encrypts what is still plain around it.
    keys.encrypt_legacy(krt)
    reg = store.get(reference, actor=None)
    assert reg.location_city == "Tijuana centro" and reg.vulnerabilities == ["pregnant",
                                                                            "violence"]
    assert plain_secrets(redis) == set()


def test_keys_rotate_encrypts_legacy_values_first(krt, redis, monkeypatch, capsys):
    write_the_old_way(krt)
    monkeypatch.setenv("REDIS_URL", krt.settings.redis_url)
    monkeypatch.setenv("HOTLINE_SECRET", krt.settings.secret)
    monkeypatch.setenv("HOTLINE_KEYRING_FILE", str(krt.settings.keyring_file))
    assert cli.main(["keys", "encrypt-legacy"]) == 0
    assert "registrations 2, notes 1, console_audit 2" in capsys.readouterr().out
    assert not krt.settings.keyring_file.exists()  # encrypt-legacy alone adds no key
    assert cli.main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "registrations 0, notes 0, console_audit 0" in out and "data key 2" in out
    assert plain_secrets(redis) == set()
