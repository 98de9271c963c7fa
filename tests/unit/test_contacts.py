"""One person, one contact: channel identities linked to one contact id, ids kept stable for
what is already stored, opting out per channel, and erasure taking the links."""

import pytest

from hotline import erasure
from hotline.contacts import Sender
from hotline.messaging import phones
from hotline.messaging.channels import Address, parse_address
from hotline.registration.store import RegistrationStore  # noqa: F401 (the store rt builds)
from support.people import values

SMS_FORM, WA_FORM = "+525512345601", "+5215512345601"  # one Mexican handset


def test_sms_then_whatsapp_from_one_handset_is_one_contact_that_keeps_everything(rt):
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    rt.contacts.set_language(cid, "en", chosen=True)
    rt.registrations.create(values(), cid, "sms", "en")
    rt.messages.append_transcript(cid, "in", "hello")

    assert rt.contacts.touch_inbound(parse_address(f"whatsapp:{WA_FORM}")) == cid
    contact = rt.contacts.get(cid)
    assert (contact.language, contact.language_chosen, contact.last_channel) == (
        "en", True, "whatsapp")
    assert rt.registrations.latest_for_contact(cid) is not None
    assert [e["text"] for e in rt.messages.transcript(cid)] == ["hello"]
    # Replies and notices still go to the number as the first channel wrote it.
    assert contact.number == SMS_FORM


def test_whatsapp_first_then_sms_is_one_contact_too(rt):
    cid = rt.contacts.touch_inbound(parse_address(f"whatsapp:{WA_FORM}"))
    assert rt.contacts.touch_inbound(parse_address(SMS_FORM)) == cid
    assert rt.contacts.lookup(SMS_FORM) == rt.contacts.lookup(WA_FORM) == cid


def test_the_id_of_an_sms_number_is_what_it_always_was(rt):
    # Trackers, registrations and transcripts already stored are keyed by it.
    assert rt.contacts.touch_inbound(parse_address(SMS_FORM)) == rt.vault.pseudonym(SMS_FORM)
    assert rt.contacts.touch_inbound(parse_address("+19155550101")) == rt.vault.pseudonym(
        "+19155550101")


def test_a_contact_stored_under_the_old_whatsapp_form_is_found_not_orphaned(rt):
    # Before numbers were folded, +521… had its own contact id; its record must stay theirs.
    legacy = rt.vault.pseudonym(WA_FORM)
    rt.redis.hset(f"hl:contact:{legacy}", mapping={"language": "en",
                                                   "number": rt.vault.encrypt(WA_FORM)})
    assert rt.contacts.lookup(SMS_FORM) == legacy
    assert rt.contacts.touch_inbound(parse_address(SMS_FORM)) == legacy
    assert rt.contacts.touch_inbound(parse_address(f"whatsapp:{WA_FORM}")) == legacy
    assert rt.contacts.get(legacy).language == "en"


def test_a_whatsapp_user_id_without_a_number_is_a_contact_of_its_own(rt):
    cid = rt.contacts.touch_inbound(Address("whatsapp", "US.13491208655302741918"))
    contact = rt.contacts.get(cid)
    assert contact.number is None and contact.last_channel == "whatsapp"
    assert rt.contacts.touch_inbound(Sender("whatsapp", user_id="US.13491208655302741918")) == cid
    assert rt.contacts.lookup_user("US.13491208655302741918") == cid
    assert cid != rt.contacts.touch_inbound(Sender("whatsapp", user_id="US.99"))


def test_a_user_id_that_comes_with_the_number_joins_the_numbers_contact(rt):
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    rt.contacts.set_opted_out(cid, True, channel="sms")
    assert rt.contacts.touch_inbound(Sender("whatsapp", number=WA_FORM, user_id="MX.111")) == cid
    # Later the same user id alone (no number) still finds them.
    assert rt.contacts.touch_inbound(Sender("whatsapp", user_id="MX.111")) == cid
    assert rt.contacts.is_opted_out(cid, "sms") and not rt.contacts.is_opted_out(cid, "whatsapp")


def test_a_changed_user_id_is_linked_through_the_number_it_comes_with(rt):
    cid = rt.contacts.touch_inbound(Sender("whatsapp", number=WA_FORM, user_id="MX.111"))
    assert rt.contacts.touch_inbound(Sender("whatsapp", number=WA_FORM, user_id="MX.222")) == cid
    assert rt.contacts.touch_inbound(Sender("whatsapp", user_id="MX.222")) == cid
    assert rt.contacts.touch_inbound(Sender("whatsapp", user_id="MX.111")) == cid


def test_an_identity_linked_to_someone_else_is_never_taken_over(rt):
    # Two contacts already exist; a message naming both does not merge them on a guess.
    by_id = rt.contacts.touch_inbound(Sender("whatsapp", user_id="MX.333"))
    by_number = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    assert rt.contacts.touch_inbound(Sender("whatsapp", number=WA_FORM, user_id="MX.333")) == \
        by_number
    assert rt.contacts.lookup_user("MX.333") == by_id


def test_the_same_new_person_twice_at_once_is_one_contact(rt):
    first = rt.contacts.resolve(Sender("sms", number=SMS_FORM))
    assert rt.contacts.resolve(Sender("whatsapp", number=WA_FORM)) == first


@pytest.mark.parametrize("bad", [
    dict(channel="sms"), dict(channel="fax", number=SMS_FORM),
    dict(channel="whatsapp", user_id="US.1234\nX"), dict(channel="whatsapp", user_id="*"),
    dict(channel="whatsapp", user_id="US." + "1" * 65)])
def test_a_sender_is_refused_when_it_names_nobody_or_nonsense(bad):
    with pytest.raises(ValueError):
        Sender(**bad)


def test_lookup_of_someone_never_seen_or_erased_finds_nobody(rt):
    assert rt.contacts.lookup("+525500000000") is None
    assert rt.contacts.lookup_user("not an id") is None


# Opting out, per channel ---------------------------------------------------------------------
def test_stop_on_sms_leaves_whatsapp_open_and_start_reopens_only_its_channel(rt):
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    rt.contacts.set_opted_out(cid, True, channel="sms")
    contact = rt.contacts.get(cid)
    assert contact.opted_out_on("sms") and not contact.opted_out_on("whatsapp")
    assert rt.contacts.is_opted_out(cid) and not rt.contacts.is_opted_out(cid, "whatsapp")
    rt.contacts.set_opted_out(cid, True, channel="whatsapp")
    rt.contacts.set_opted_out(cid, False, channel="sms")
    contact = rt.contacts.get(cid)
    assert not contact.opted_out_on("sms") and contact.opted_out_on("whatsapp")


def test_an_opt_out_from_before_channels_covers_both_until_one_is_started_again(rt):
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    rt.redis.hset(f"hl:contact:{cid}", "opted_out", "1")  # as stored before this change
    assert rt.contacts.is_opted_out(cid, "sms") and rt.contacts.is_opted_out(cid, "whatsapp")
    rt.contacts.set_opted_out(cid, False, channel="whatsapp")
    assert rt.contacts.is_opted_out(cid, "sms") and not rt.contacts.is_opted_out(cid, "whatsapp")


def test_an_unknown_channel_is_refused(rt):
    cid = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    with pytest.raises(ValueError):
        rt.contacts.set_opted_out(cid, True, channel="email")


# Erasure -------------------------------------------------------------------------------------
def test_erasure_forgets_the_links_and_the_person_comes_back_as_a_new_contact(rt):
    cid = rt.contacts.touch_inbound(Sender("whatsapp", number=WA_FORM, user_id="MX.444"))
    rt.contacts.set_language(cid, "en", chosen=True)
    keep = rt.contacts.touch_inbound(parse_address("+525512345699"))
    erasure.erase(rt, cid)
    assert rt.contacts.lookup(SMS_FORM) is None and rt.contacts.lookup_user("MX.444") is None
    assert not [k for k in rt.redis.scan_iter("hl:ident:*") if rt.redis.get(k) == cid]
    assert not rt.redis.exists(f"hl:contact:{cid}:idents")
    assert rt.contacts.lookup("+525512345699") == keep
    again = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    assert rt.contacts.get(again).language is None  # nothing of before


def test_erasure_leaves_a_link_that_now_points_to_someone_else(rt):
    cid = rt.contacts.touch_inbound(Sender("whatsapp", user_id="MX.555"))
    other = rt.contacts.touch_inbound(parse_address(SMS_FORM))
    # Its index entry was re-pointed (an operator merged them by hand, say).
    ident = next(iter(rt.redis.smembers(f"hl:contact:{cid}:idents")))
    rt.redis.set(f"hl:ident:{ident}", other)
    rt.contacts.forget(cid)
    assert rt.redis.get(f"hl:ident:{ident}") == other


def test_numbers_are_folded_before_the_pseudonym_is_computed(rt):
    assert rt.contacts.id_for(parse_address(WA_FORM)) == rt.vault.pseudonym(
        phones.canonical(WA_FORM)) == rt.vault.pseudonym(SMS_FORM)
