"""SMS folding: Spanish costs GSM-7 segments when that is cheaper, WhatsApp gets the text as
written, and our records keep what the hotline wrote."""

import pytest

from hotline.messaging import delivery, outbound, sms
from hotline.messaging.channels import parse_address
from support import SMS_NUMBER, WHATSAPP_NUMBER, sandbox_records

LONG_ES = ("Revisado el 22 de enero de 2025: el MPP (Quédate en México) volvió el 21 de enero de "
           "2025. Quien pide asilo puede tener que esperar en México. No vaya a la frontera sin "
           "una cita oficial o instrucciones por escrito.")


@pytest.mark.parametrize("char", list("éÉñÑüÜ¿¡àèìòùÇäöÄÖ"))
def test_gsm_letters_stay_as_written(char):
    assert sms.fold_for_gsm(char) == char


@pytest.mark.parametrize("char,plain", [
    ("á", "a"), ("í", "i"), ("ó", "o"), ("ú", "u"), ("Á", "A"), ("Í", "I"), ("Ó", "O"),
    ("Ú", "U"), ("\u00a0", " "), ("\u202f", " "), ("‘", "'"), ("’", "'"), ("“", '"'),
    ("”", '"'), ("–", "-"), ("…", "..."), ("ç", "c"),
])
def test_letters_outside_gsm_fold_to_their_plain_form(char, plain):
    assert sms.fold_for_gsm(char) == plain and sms.is_gsm7(plain)


def test_folding_makes_our_spanish_gsm7():
    assert not sms.is_gsm7(LONG_ES) and sms.is_gsm7(sms.fold_for_gsm(LONG_ES))
    assert sms.segments(LONG_ES) == 4 and sms.segments(sms.for_sms(LONG_ES)) == 2


def test_folding_happens_only_when_it_saves_segments():
    assert sms.for_sms("¿Sí? Gracias.") == "¿Sí? Gracias."
    assert sms.for_sms("Información 🙏 " * 6) == "Información 🙏 " * 6  # emoji: UCS-2 anyway
    assert sms.for_sms(LONG_ES) == sms.fold_for_gsm(LONG_ES)


def test_wire_body_folds_sms_only():
    assert delivery.wire_body("+5215500000000", LONG_ES) == sms.fold_for_gsm(LONG_ES)
    assert delivery.wire_body("whatsapp:+5215500000000", LONG_ES) == LONG_ES


@pytest.mark.parametrize("to,sender,folded", [
    ("+5215544400001", SMS_NUMBER, True),
    ("whatsapp:+5215544400002", WHATSAPP_NUMBER, False),
])
def test_replies_are_folded_at_the_last_moment_and_recorded_as_written(sandbox_rt, redis, to,
                                                                       sender, folded):
    rt = sandbox_rt
    contact_id = rt.contacts.touch_inbound(parse_address(to))
    out_id = outbound.queue_message(rt, contact_id, to, sender, LONG_ES, outbound.REPLY)
    outbound.drain(rt, contact_id)
    [record] = sandbox_records(redis)
    assert record["body"] == (sms.fold_for_gsm(LONG_ES) if folded else LONG_ES)
    assert rt.messages.load_outbound(out_id).body == LONG_ES
    assert rt.messages.transcript(contact_id)[-1]["text"] == LONG_ES


def test_an_interrupted_folded_sms_is_not_sent_twice(sandbox_rt, redis):
    rt = sandbox_rt
    to = "+5215544400003"
    contact_id = rt.contacts.touch_inbound(parse_address(to))
    out_id = outbound.queue_message(rt, contact_id, to, SMS_NUMBER, LONG_ES, outbound.REPLY)
    accepted = rt.twilio.messages.create(to=to, from_=SMS_NUMBER, body=sms.for_sms(LONG_ES))
    rt.messages.mark_outbound(out_id, "sending")
    outbound.drain(rt, contact_id)
    assert rt.messages.load_outbound(out_id).twilio_sid == accepted.sid
    assert len(sandbox_records(redis)) == 1


def test_the_one_send_path_folds_sms_and_leaves_whatsapp_as_written(sandbox_rt, redis):
    # Replies and broadcasts both hand their words to Twilio through delivery.create.
    rt = sandbox_rt
    contact_id = rt.contacts.touch_inbound(parse_address("+5215544400004"))
    delivery.create(rt, contact_id, "+5215544400004", SMS_NUMBER, LONG_ES, callback=False)
    delivery.create(rt, contact_id, "whatsapp:+5215544400004", WHATSAPP_NUMBER, LONG_ES,
                    callback=False)
    bodies = {r["to"]: r["body"] for r in sandbox_records(redis)}
    assert bodies == {"+5215544400004": sms.fold_for_gsm(LONG_ES),
                      "whatsapp:+5215544400004": LONG_ES}
