"""Messages sent are counted by channel, kind and the person's language (never the person)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from hotline import metrics
from hotline.messaging import outbound
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Outbound
from support import SMS_NUMBER


def sent(kind: str, language: str) -> float:
    for family in text_string_to_metric_families(metrics.exposition()[0].decode()):
        for s in family.samples:
            if s.name == "hotline_messages_out_total" and s.labels == {
                    "channel": "sms", "kind": kind, "language": language}:
                return s.value
    return 0.0


def test_a_reply_sent_counts_under_the_persons_language(sandbox_rt):
    contact_id = sandbox_rt.contacts.touch_inbound(parse_address("+5215511119001"))
    sandbox_rt.contacts.set_language(contact_id, "en", chosen=True)
    before_en, before_es = sent("reply", "en"), sent("reply", "es")
    sandbox_rt.messages.create_outbound(Outbound(
        id="SMm-0", contact_id=contact_id, to="+5215511119001", sender=SMS_NUMBER,
        body="Your answer", kind=outbound.REPLY))
    assert outbound.send_one(sandbox_rt, "SMm-0") == "queued"
    assert sent("reply", "en") == before_en + 1
    assert sent("reply", "es") == before_es


def test_a_person_with_no_language_yet_counts_as_unknown(sandbox_rt):
    contact_id = sandbox_rt.contacts.touch_inbound(parse_address("+5215511119002"))
    before = sent("reply", "unknown")
    sandbox_rt.messages.create_outbound(Outbound(
        id="SMm-1", contact_id=contact_id, to="+5215511119002", sender=SMS_NUMBER,
        body="Hola", kind=outbound.REPLY))
    assert outbound.send_one(sandbox_rt, "SMm-1") == "queued"
    assert sent("reply", "unknown") == before + 1
