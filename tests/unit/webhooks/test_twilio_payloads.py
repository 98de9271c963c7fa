"""Real-shaped Twilio inbound payloads, replayed through the webhook and one assistant turn.

Written from Twilio's documentation of its request to the incoming-message webhook (SMS, MMS,
WhatsApp: media, a shared location, a tapped button, a quoted reply, a sender known only by a
business-scoped user id, Advanced Opt-Out's OptOutType) and shaped like the Twilio handler cases
of a widely used open-source messaging gateway. Each case says what should happen: refused or
accepted, on which channel, what the assistant reads (or which fixed answer is given), and
from which of the hotline's numbers to which address the reply leaves.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field

import pytest

from hotline.messaging import inbound
from hotline.messaging.twilio_client import sign
from support import ACCOUNT_SID, AUTH_TOKEN, SMS_NUMBER, WHATSAPP_NUMBER

URL = "http://localhost/twilio/messages"
PERSON = "+5215512345678"
BSUID = "US.13491208655302741918"
MEDIA = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME"
SPANISH = ("¿Dónde puedo encontrar ayuda legal gratis en Matamoros? Tengo mi audiencia el mes que "
           "viene y no tengo abogado.")


class Assistant:
    """Stands in for Rasa: records what it was given, answers one line."""

    def __init__(self):
        self.seen: list[str] = []

    def send(self, contact_id, text, metadata):
        self.seen.append(text)
        return [{"text": "respuesta"}]


def twilio_sms(**extra) -> dict:
    """What Twilio posts for an SMS to a long code (fields as in its documentation)."""
    sid = extra.pop("sid", "SM" + "a" * 32)
    form = {"ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0",
            "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
            "FromCity": "", "Body": "Hola", "FromCountry": "MX", "To": SMS_NUMBER, "ToZip": "",
            "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": PERSON,
            "ApiVersion": "2010-04-01"}
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


def twilio_whatsapp(**extra) -> dict:
    """What Twilio posts for a WhatsApp message (no carrier fields; WaId and ProfileName)."""
    sid = extra.pop("sid", "SM" + "b" * 32)
    form = {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "María", "MessageType": "text",
            "SmsSid": sid, "WaId": PERSON[1:], "SmsStatus": "received", "Body": "Hola",
            "To": WHATSAPP_NUMBER, "NumSegments": "1", "ReferralNumMedia": "0",
            "MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": "whatsapp:" + PERSON,
            "ApiVersion": "2010-04-01"}
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


@dataclass
class Case:
    name: str
    form: dict
    status: int = 200
    channel: str | None = None
    reads: str | None = None  # what the assistant is given
    answer: str | None = None  # a fixed answer's catalog id, instead of the assistant
    also: str | None = None  # a catalog id said before the assistant's answer
    reply_to: str | None = None
    reply_from: str | None = None
    silent: bool = False  # accepted, no reply (Twilio already answered, or told today)
    media: int = 0
    extra: dict = field(default_factory=dict)


WA_FROM = "whatsapp:" + PERSON
CASES = [
    Case("sms text", twilio_sms(), channel="sms", reads="Hola", reply_to=PERSON,
         reply_from=SMS_NUMBER),
    Case("sms from a Messaging Service", twilio_sms(MessagingServiceSid="MG" + "c" * 32),
         channel="sms", reads="Hola", reply_to=PERSON, reply_from=SMS_NUMBER),
    Case("mms picture without a caption has no Body",
         twilio_sms(Body=None, NumMedia="1", MediaUrl0=MEDIA + "1",
                    MediaContentType0="image/jpeg"),
         channel="sms", answer="media_only_text", reply_to=PERSON, reply_from=SMS_NUMBER,
         media=1),
    Case("mms text and two pictures: text answered, pictures said unseen",
         twilio_sms(Body="Mi cita", NumMedia="2", MediaUrl0=MEDIA + "1",
                    MediaContentType0="image/jpeg", MediaUrl1=MEDIA + "2",
                    MediaContentType1="image/png"),
         channel="sms", reads="Mi cita", also="media_not_seen", reply_to=PERSON,
         reply_from=SMS_NUMBER, media=2),
    Case("base64 body (a long concatenated SMS) is decoded",
         twilio_sms(Body=base64.b64encode(SPANISH.encode()).decode()),
         channel="sms", reads=SPANISH, reply_to=PERSON, reply_from=SMS_NUMBER),
    Case("whatsapp text", twilio_whatsapp(), channel="whatsapp", reads="Hola", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER),
    Case("whatsapp whose To lacks the prefix is still whatsapp",
         twilio_whatsapp(To=WHATSAPP_NUMBER.removeprefix("whatsapp:")), channel="whatsapp",
         reads="Hola", reply_to=WA_FROM, reply_from=WHATSAPP_NUMBER),
    Case("whatsapp known by WaId alone (no prefix anywhere)",
         twilio_whatsapp(From=PERSON, To=WHATSAPP_NUMBER.removeprefix("whatsapp:")),
         channel="whatsapp", reads="Hola", reply_to=WA_FROM, reply_from=WHATSAPP_NUMBER),
    Case("whatsapp user known only by a business-scoped id",
         twilio_whatsapp(From="whatsapp:" + BSUID, WaId=None, ExternalUserId=BSUID),
         channel="whatsapp", reads="Hola", reply_to="whatsapp:" + BSUID,
         reply_from=WHATSAPP_NUMBER),
    Case("whatsapp picture with caption",
         twilio_whatsapp(Body="Esta es mi hoja", NumMedia="1", MessageType="image",
                         MediaUrl0=MEDIA + "3", MediaContentType0="image/jpeg"),
         channel="whatsapp", reads="Esta es mi hoja", also="media_not_seen", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER, media=1),
    Case("whatsapp voice note",
         twilio_whatsapp(Body="", NumMedia="1", MessageType="audio", MediaUrl0=MEDIA + "4",
                         MediaContentType0="audio/ogg"),
         channel="whatsapp", answer="media_only_text", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER, media=1),
    Case("whatsapp shared location outside the registration",
         twilio_whatsapp(Body="", MessageType="location", Latitude="26.0508",
                         Longitude="-98.2979", Address="Calle Hidalgo, Reynosa",
                         Label="Casa del Migrante"),
         channel="whatsapp", answer="location_outside_form", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER),
    Case("whatsapp quick-reply button is read as its payload",
         twilio_whatsapp(Body="Registrarme", MessageType="button", ButtonText="Registrarme",
                         ButtonPayload="REGISTRO"),
         channel="whatsapp", reads="REGISTRO", reply_to=WA_FROM, reply_from=WHATSAPP_NUMBER),
    Case("whatsapp button without a payload is read as its text",
         twilio_whatsapp(Body="", MessageType="button", ButtonText="Más información"),
         channel="whatsapp", reads="Más información", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER),
    Case("whatsapp quoted reply", twilio_whatsapp(Body="Sí, esa", OriginalRepliedMessageSid="SM"
                                                  + "d" * 32,
                                                  OriginalRepliedMessageSender=WHATSAPP_NUMBER),
         channel="whatsapp", reads="Sí, esa", reply_to=WA_FROM, reply_from=WHATSAPP_NUMBER),
    Case("Advanced Opt-Out STOP: honoured, Twilio already confirmed",
         twilio_sms(Body="PARAR", OptOutType="STOP", MessagingServiceSid="MG" + "c" * 32),
         channel="sms", silent=True, extra={"opted_out": True}),
    Case("Advanced Opt-Out HELP: Twilio answered it", twilio_sms(Body="INFO", OptOutType="HELP"),
         channel="sms", silent=True, extra={"opted_out": False}),
    Case("To another number of the account is refused", twilio_sms(To="+15005550999"),
         status=421),
    Case("WhatsApp to a number that is not the hotline's is refused",
         twilio_whatsapp(To="whatsapp:+15005550999"), status=421),
    Case("a short code that is not the hotline's is refused", twilio_sms(To="384387"),
         status=421),
    # Malformed and hostile values (signed, so only a forgery with our token or a bug).
    Case("NumMedia is not a number", twilio_sms(NumMedia="abc"), status=400),
    Case("NumMedia is negative", twilio_sms(NumMedia="-1"), status=400),
    Case("99 media declared, two listed: two kept",
         twilio_sms(Body="fotos", NumMedia="99", MediaUrl0=MEDIA + "1",
                    MediaContentType0="image/jpeg", MediaUrl1=MEDIA + "2",
                    MediaContentType1="image/jpeg"),
         channel="sms", reads="fotos", also="media_not_seen", reply_to=PERSON,
         reply_from=SMS_NUMBER, media=2),
    Case("99 media listed: at most ten kept",
         twilio_sms(Body="", NumMedia="99", **{f"MediaUrl{i}": f"{MEDIA}{i}" for i in range(99)}),
         channel="sms", answer="media_only_text", reply_to=PERSON, reply_from=SMS_NUMBER,
         media=10),
    Case("a media URL that is not http(s) is dropped",
         twilio_sms(Body="", NumMedia="1", MediaUrl0="file:///etc/passwd"),
         channel="sms", answer="media_only_text", reply_to=PERSON, reply_from=SMS_NUMBER,
         media=0),
    Case("latitude 999 is no location", twilio_whatsapp(Body="", Latitude="999",
                                                        Longitude="-98.3"),
         channel="whatsapp", answer="unreadable.empty", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER),
    Case("latitude NaN is no location", twilio_whatsapp(Body="", Latitude="nan",
                                                        Longitude="nan"),
         channel="whatsapp", answer="unreadable.empty", reply_to=WA_FROM,
         reply_from=WHATSAPP_NUMBER),
    Case("base64 garbage stays as typed",
         twilio_sms(Body="QUJD" * 20), channel="sms", reads="QUJD" * 20, reply_to=PERSON,
         reply_from=SMS_NUMBER),
    Case("a huge body is kept short and answered as too long", twilio_sms(Body="a b " * 50_000),
         channel="sms", answer="unreadable.too_long", reply_to=PERSON, reply_from=SMS_NUMBER),
    Case("control characters are dropped", twilio_sms(Body="Ho\x00la\x1b"), channel="sms",
         reads="Hola", reply_to=PERSON, reply_from=SMS_NUMBER),
    Case("a WhatsApp sender that is neither number nor user id",
         twilio_whatsapp(From="whatsapp:<script>", WaId=None), status=400),
    Case("an SMS sender that is not a number", twilio_sms(From="MPPINFO"), status=400),
    Case("no MessageSid", twilio_sms(MessageSid=None, SmsSid=None, SmsMessageSid=None),
         status=400),
]


def post_signed(client, params):
    return client.post(URL, data=params, headers={"X-Twilio-Signature": sign(AUTH_TOKEN, URL,
                                                                               params)})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_payload(case: Case, client, app, redis):
    rt = app.extensions["hotline"]
    response = post_signed(client, case.form)
    assert response.status_code == case.status, response.get_data(as_text=True)
    if case.status != 200:
        assert not redis.keys("hl:in:*") and not redis.keys("hl:contact:*")
        return
    sid = case.form["MessageSid"]
    msg = rt.messages.load_inbound(sid)
    assert msg.channel == case.channel
    assert len(msg.media) == case.media
    assert len(msg.body) <= 5000
    assistant = Assistant()
    rt.assistant = assistant
    inbound.handle(rt, sid)
    if case.reads is not None:
        assert assistant.seen == [case.reads]
    else:
        assert assistant.seen == []
    if "opted_out" in case.extra:
        assert rt.contacts.is_opted_out(msg.contact_id) is case.extra["opted_out"]
    reply = rt.messages.load_outbound(f"{sid}-0")
    if case.silent:
        assert reply is None
        return
    assert (reply.to, reply.sender) == (case.reply_to, case.reply_from)
    lang = rt.messages.load_inbound(sid).language
    if case.answer:
        assert reply.body == rt.catalogs.text(case.answer, lang)
    if case.also:
        assert reply.body.startswith(rt.catalogs.text(case.also, lang))
        assert reply.body.endswith("respuesta")
    elif case.reads is not None:
        assert reply.body == "respuesta"


def test_refused_to_is_logged_by_hash_only(client, redis, caplog):
    caplog.set_level(logging.INFO, "webhooks.twilio")
    form = twilio_sms(To="+15005550999", Body="mi número es 5512345678")
    assert post_signed(client, form).status_code == 421
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "refused" in logged and form["MessageSid"] in logged
    assert "5550999" not in logged and "5512345678" not in logged and "número" not in logged


def test_scoped_id_and_its_phone_are_one_person(client, app):
    """A WhatsApp user id that comes with WaId joins the phone's contact, and later comes alone
    to the same person; a user id never seen with a number is a contact of its own. Neither
    appears in a key."""
    rt = app.extensions["hotline"]
    post_signed(client, twilio_sms(sid="SM" + "1" * 32))
    post_signed(client, twilio_whatsapp(sid="SM" + "2" * 32, From="whatsapp:" + BSUID,
                                        ExternalUserId=BSUID))
    post_signed(client, twilio_whatsapp(sid="SM" + "3" * 32, From="whatsapp:" + BSUID,
                                        WaId=None, ExternalUserId=BSUID))
    stranger = "MX.98765432109876543210"
    post_signed(client, twilio_whatsapp(sid="SM" + "4" * 32, From="whatsapp:" + stranger,
                                        WaId=None, ExternalUserId=stranger))
    sms, with_phone, alone, other = (rt.messages.load_inbound("SM" + c * 32) for c in "1234")
    assert sms.contact_id == with_phone.contact_id == alone.contact_id != other.contact_id
    assert alone.sender == "whatsapp:" + BSUID and other.sender == "whatsapp:" + stranger
    assert not any(BSUID in k or stranger in k for k in rt.redis.keys("*"))


def test_each_message_is_one_record_when_twilio_retries(client, app):
    rt = app.extensions["hotline"]
    form = twilio_sms(Body=None, NumMedia="1", MediaUrl0=MEDIA + "1",
                      MediaContentType0="image/jpeg")
    for _ in range(3):
        assert post_signed(client, form).status_code == 200
    assert len(rt.messages.load_inbound(form["MessageSid"]).media) == 1
