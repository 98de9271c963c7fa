"""The registration store: encrypted identity, one registration per A-number, references typed
any way."""

from __future__ import annotations

import pytest

from hotline.crypto import Vault
from hotline.registration.store import RegistrationStore, normalise_reference
from support.people import make, values


@pytest.fixture
def store(redis, settings):
    return RegistrationStore(redis, Vault(settings.secret))


def test_identity_fields_are_encrypted_and_the_a_number_is_not_a_readable_key(store, redis):
    reg = make(store, 7, name="Zoila Marisol Canales")
    raw = redis.hgetall(f"hl:reg:{reg.reference}")
    dump = " ".join(list(raw.values()) + list(redis.keys("*")))
    for secret in ("Zoila", "000000007", "1990-01-02", "5215512345678"):
        assert secret not in dump
    assert raw["citizenship"] == "HN" and raw["status"] == "received"
    assert store.get(reg.reference, actor=None).name == "Zoila Marisol Canales"


def test_one_a_number_registers_once_even_from_another_phone(store):
    first = store.create(values(), "c1", "sms", "es")
    second = store.create(values(name="Someone Else"), "c2", "sms", "es")
    assert (first.status, second.status, second.duplicate_of) == ("received", "duplicate",
                                                                    first.reference)
    assert [e["action"] for e in store.audit_trail(first.reference)] == [
        "created", "duplicate_attempt"]


def test_erasing_frees_the_a_number(store):
    reg = store.create(values(), "c1", "sms", "es")
    assert store.delete_for_contact("c1", actor="person") == [reg.reference]
    assert store.get(reg.reference, actor=None) is None
    again = store.create(values(), "c1", "sms", "es")
    assert again.status == "received"


def test_references_are_unambiguous_and_typed_any_way():
    from hotline.registration.store import REFERENCE_ALPHABET, new_reference

    for _ in range(200):
        ref = new_reference()
        assert len(ref) == 9 and ref[4] == "-"
        assert not set(ref.replace("-", "")) & set("0O1IL2Z5S8BG")
        assert normalise_reference(ref.lower().replace("-", " ")) == ref
    assert set(REFERENCE_ALPHABET) <= set("ACDEFHJKMNPRTUVWXY34679")
    assert normalise_reference("<script>") is None
