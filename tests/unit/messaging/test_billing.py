"""What each message costs: its billing class (SMS segments and encoding, WhatsApp category),
priced at the operator's prices, recorded with the message, and shown to supervisors."""

import dataclasses
from decimal import Decimal

import pytest

from hotline.messaging import billing, outbound
from hotline.messaging.channels import parse_address
from support import SMS_NUMBER, WHATSAPP_NUMBER
from support.console import sign_in
from support.people import person

TO_SMS, TO_WA = "+525512345621", "whatsapp:+5215512345621"


@pytest.mark.parametrize("body, encoding, units", [
    ("", "GSM-7", 1),
    ("x" * 160, "GSM-7", 1), ("x" * 161, "GSM-7", 2),
    ("x" * 306, "GSM-7", 2), ("x" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1), ("€" * 81, "GSM-7", 2),        # extension characters count twice
    ("ñ¿¡é" * 40, "GSM-7", 1),                               # Spanish letters GSM-7 has
    ("🙏" * 35, "UCS-2", 1), ("🙏" * 36, "UCS-2", 2),        # an emoji is two UTF-16 units
    ("你" * 70, "UCS-2", 1), ("你" * 71, "UCS-2", 2),
    ("你" * 134, "UCS-2", 2), ("你" * 135, "UCS-2", 3),
    # Folded on the wire where that saves segments: billed as folded.
    ("información " * 14, "GSM-7", 2),
    ("Información 🙏", "UCS-2", 1),
])
def test_an_sms_is_billed_by_segments_of_its_encoding_on_the_wire(body, encoding, units):
    bclass = billing.classify(TO_SMS, body)
    assert (bclass.channel, bclass.category, bclass.encoding, bclass.units) == (
        "sms", "sms", encoding, units)


@pytest.mark.parametrize("to, content_sid, template_category, category", [
    (TO_WA, None, "utility", "service"),               # a free-form reply in the window
    ("whatsapp:US.13491208655302741918", None, "utility", "service"),
    (TO_WA, "HX1", "utility", "utility"),              # the approved template outside it
    (TO_WA, "HX1", "marketing", "marketing"),
    (TO_WA, "HX1", "nonsense", "utility"),             # a misconfigured category
    ("WhatsApp:+5215512345621", None, "utility", "service"),
])
def test_a_whatsapp_message_is_billed_by_category(to, content_sid, template_category, category):
    bclass = billing.classify(to, "x" * 500, content_sid, template_category)
    assert (bclass.channel, bclass.category, bclass.units, bclass.encoding) == (
        "whatsapp", category, 1, None)


def test_prices_are_the_operators_and_a_missing_one_is_unknown_not_free():
    prices = billing.Prices.parse("sms=0.0079, whatsapp_utility=0.0085", "USD")
    assert billing.cost(billing.classify(TO_SMS, "x" * 161), prices) == Decimal("0.0158")
    assert billing.cost(billing.classify(TO_WA, "hi", "HX1"), prices) == Decimal("0.0085")
    assert billing.cost(billing.classify(TO_WA, "hi"), prices) is None
    assert billing.Prices.parse("").by_key == {}  # the default: nothing invented


@pytest.mark.parametrize("text, currency", [
    ("sms=abc", "USD"), ("sms=-0.01", "USD"), ("sms=1e3", "USD"), ("sms=0,01", "USD"),
    ("mms=0.02", "USD"), ("sms", "USD"), ("=0.1", "USD"), ("sms=0.1;rm -rf", "USD"),
    ("sms=1234567.0", "USD"), ("sms=0.000000001", "USD"), ("sms=0.01", "dollars"),
    ("sms=0.01", ""), ("sms=NaN", "USD"), ("sms=Infinity", "USD"),
])
def test_unreadable_prices_are_refused_with_what_to_fix(text, currency):
    with pytest.raises(billing.PriceError):
        billing.Prices.parse(text, currency)


@pytest.mark.parametrize("fields", [
    {}, {"bill_channel": "sms"}, {"bill_channel": "fax", "bill_category": "sms", "bill_units": "1"},
    {"bill_channel": "sms", "bill_category": "sms", "bill_units": "0"},
    {"bill_channel": "sms", "bill_category": "sms", "bill_units": "many"},
])
def test_a_damaged_stored_class_is_skipped_not_guessed(fields):
    assert billing.BillingClass.from_fields(fields) is None
    assert billing.tally([fields | {"bill_cost": "1"}], "USD").messages == 0


def priced(rt, prices="sms=0.0079,whatsapp_service=0.005,whatsapp_utility=0.0085"):
    from hotline.runtime import Runtime
    return Runtime(dataclasses.replace(rt.settings, message_prices=prices, price_currency="USD"))


def test_every_sent_message_records_its_class_and_cost(sandbox_rt):
    rt = priced(sandbox_rt)
    cid = rt.contacts.touch_inbound(parse_address(TO_SMS))
    long_ucs2 = "¿Cuándo abre el registro? 🙏 " * 4  # UCS-2 (the emoji), 115 units: 2 segments
    outbound.queue_message(rt, cid, TO_SMS, SMS_NUMBER, long_ucs2, outbound.REPLY)
    outbound.queue_message(rt, cid, TO_WA, WHATSAPP_NUMBER, "hola", outbound.REPLY)
    outbound.queue_message(rt, cid, TO_WA, WHATSAPP_NUMBER, "noticias", outbound.NOTICE,
                           content_sid="HX" + "1" * 32)
    outbound.drain(rt, cid)
    rows = rt.messages.billing(cid)
    assert [(r["bill_channel"], r["bill_category"], r["bill_units"], r["bill_encoding"],
             r["bill_cost"]) for r in rows] == [
        ("sms", "sms", "2", "UCS-2", "0.0158"), ("whatsapp", "service", "1", "", "0.005"),
        ("whatsapp", "utility", "1", "", "0.0085")]
    total = billing.tally(rows, "USD").as_dict()
    assert (total["total"], total["messages"], total["unpriced"], total["sms_segments"]) == (
        "0.0293", 3, 0, 2)


def test_a_message_refused_before_twilio_costs_nothing(sandbox_rt):
    rt = priced(sandbox_rt)
    cid = rt.contacts.touch_inbound(parse_address(TO_SMS))
    rt.contacts.set_opted_out(cid, True, channel="sms")
    outbound.queue_message(rt, cid, TO_SMS, SMS_NUMBER, "hola", outbound.REPLY)
    outbound.drain(rt, cid)
    assert rt.messages.billing(cid) == []


def test_unreadable_prices_never_stop_a_message_its_cost_is_unknown(sandbox_rt):
    rt = priced(sandbox_rt, prices="sms=free")
    cid = rt.contacts.touch_inbound(parse_address(TO_SMS))
    out_id = outbound.queue_message(rt, cid, TO_SMS, SMS_NUMBER, "hola", outbound.REPLY)
    outbound.drain(rt, cid)
    assert rt.messages.load_outbound(out_id).twilio_sid
    assert billing.tally(rt.messages.billing(cid), "USD").as_dict()["unpriced"] == 1


def test_erasure_takes_the_billing_with_the_messages(sandbox_rt):
    from hotline import erasure
    rt = priced(sandbox_rt)
    cid = rt.contacts.touch_inbound(parse_address(TO_SMS))
    outbound.queue_message(rt, cid, TO_SMS, SMS_NUMBER, "hola", outbound.REPLY)
    outbound.drain(rt, cid)
    assert rt.messages.billing(cid)
    erasure.erase(rt, cid)
    assert rt.messages.billing(cid) == []


def test_supervisors_see_what_a_conversation_cost(redis, settings, sandbox):
    from webhooks import create_app
    app = create_app(dataclasses.replace(settings, message_prices="sms=0.0079",
                                         twilio_api_base_url=sandbox.url,
                                         broadcast_callbacks=False))
    app.config.update(TESTING=True)
    rt = app.extensions["hotline"]
    cid = person(rt, number=TO_SMS)
    outbound.queue_message(rt, cid, TO_SMS, SMS_NUMBER, "x" * 161, outbound.REPLY)
    outbound.queue_message(rt, cid, TO_WA, WHATSAPP_NUMBER, "hola", outbound.REPLY)
    outbound.drain(rt, cid)
    boss = sign_in(app, "jefa", role="supervisor", lang="en")
    page = boss.get(f"/console/c/{cid}").data.decode()
    assert 'id="cost"' in page and "0.0158 USD" in page
    assert "1 messages without a price set" in page  # WhatsApp's price is not configured
    ana = sign_in(app, "ana")
    ana.post(f"/console/c/{cid}/claim", data={"csrf_token": ana.csrf})
    assert 'id="cost"' not in ana.get(f"/console/c/{cid}").data.decode()  # operators do not
