"""Twilio's inbound form read into one value: every documented field, nothing Twilio could not
have sent."""

from __future__ import annotations

import base64

import pytest

from hotline.messaging.payload import (
    MAX_BODY,
    MAX_MEDIA,
    PayloadError,
    decode_possible_base64,
    own_number,
    parse,
)

NUMBERS = ("+15005550006", "whatsapp:+14155238886")


def form(**extra):
    base = {"MessageSid": "SM" + "a" * 32, "From": "+5215512345678", "To": "+15005550006",
            "Body": "hola"}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def test_sms():
    p = parse(form())
    assert (p.channel, p.sender, p.to, p.number, p.scoped_id, p.text) == (
        "sms", "+5215512345678", "+15005550006", "+5215512345678", None, "hola")
    assert p.media == () and p.location is None and p.opt_out is None and not p.button


@pytest.mark.parametrize("fields", [
    {"From": "whatsapp:+5215512345678", "To": "whatsapp:+14155238886"},
    {"From": "whatsapp:+5215512345678", "To": "+14155238886"},
    {"From": "+5215512345678", "To": "+14155238886", "WaId": "5215512345678"},
    {"From": "WhatsApp:+5215512345678", "To": "+14155238886"},
])
def test_whatsapp_is_recognised_from_any_part(fields):
    p = parse(form(**fields))
    assert p.channel == "whatsapp"
    assert p.sender == "whatsapp:+5215512345678" and p.to == "whatsapp:+14155238886"
    assert own_number(p, NUMBERS) == "whatsapp:+14155238886"


def test_scoped_user_id_without_a_number():
    p = parse(form(From="whatsapp:US.13491208655302741918", To="whatsapp:+14155238886",
                   ExternalUserId="US.13491208655302741918"))
    assert (p.number, p.scoped_id, p.identity) == (None, "US.13491208655302741918",
                                                   "US.13491208655302741918")
    assert p.sender == "whatsapp:US.13491208655302741918"


def test_scoped_user_id_with_its_number_is_known_by_the_number():
    p = parse(form(From="whatsapp:US.13491208655302741918", To="whatsapp:+14155238886",
                   WaId="5215512345678", ExternalUserId="US.13491208655302741918"))
    assert p.identity == "+5215512345678" and p.scoped_id == "US.13491208655302741918"
    assert p.sender == "whatsapp:US.13491208655302741918"  # replied to as Twilio wrote it


def test_parent_scoped_id():
    assert parse(form(From="whatsapp:MX.ENT.a1B2c3", To="whatsapp:+14155238886")).scoped_id \
        == "MX.ENT.a1B2c3"


@pytest.mark.parametrize("sender", ["whatsapp:us.1234", "whatsapp:US.", "whatsapp:",
                                    "whatsapp:US.12 34", "+12", "abc", "<b>", ""])
def test_senders_twilio_could_not_have_sent(sender):
    with pytest.raises(PayloadError):
        parse(form(From=sender, To="whatsapp:+14155238886"))


def test_an_sms_scoped_id_is_not_a_sender():
    with pytest.raises(PayloadError):
        parse(form(From="US.1234"))


def test_media_with_and_without_a_body():
    p = parse(form(Body=None, NumMedia="2", MediaUrl0="https://api.twilio.com/m/0",
                   MediaContentType0="image/JPEG", MediaUrl1="https://api.twilio.com/m/1"))
    assert p.text == "" and p.declared_media == 2
    assert [(m.url, m.content_type) for m in p.media] == [
        ("https://api.twilio.com/m/0", "image/jpeg"),
        ("https://api.twilio.com/m/1", "application/octet-stream")]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "1e3"])
def test_num_media_must_be_a_count(value):
    with pytest.raises(PayloadError):
        parse(form(NumMedia=value))


def test_many_media_are_capped():
    fields = {f"MediaUrl{i}": f"https://api.twilio.com/m/{i}" for i in range(99)}
    p = parse(form(NumMedia="99", **fields))
    assert len(p.media) == MAX_MEDIA and p.declared_media == 99
    assert parse(form(NumMedia="100000000000000000000")).media == ()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x/y",
                                 "https://a b", "https://x/" + "y" * 2000])
def test_media_urls_must_be_http(url):
    assert parse(form(NumMedia="1", MediaUrl0=url)).media == ()


def test_location():
    p = parse(form(Body="", From="whatsapp:+5215512345678", Latitude="26.0508",
                   Longitude="-98.2979", Address="Calle Hidalgo", Label="Albergue"))
    assert p.location.as_dict() == {"latitude": 26.0508, "longitude": -98.2979,
                                    "address": "Calle Hidalgo", "label": "Albergue"}


@pytest.mark.parametrize("lat,lon", [("999", "0"), ("0", "-181"), ("nan", "1"), ("inf", "1"),
                                     ("", "1"), ("1", None), ("norte", "sur")])
def test_impossible_locations_are_none(lat, lon):
    assert parse(form(Latitude=lat, Longitude=lon)).location is None


def test_button_payload_then_text_then_body():
    assert parse(form(Body="Sí", ButtonText="Sí", ButtonPayload="REGISTRO")).text == "REGISTRO"
    assert parse(form(Body="", ButtonText="Más información")).text == "Más información"
    p = parse(form(Body="Sí", ButtonText="Sí"))
    assert p.button and p.body == "Sí"


def test_quoted_reply_and_profile_name_are_read():
    p = parse(form(OriginalRepliedMessageSid="SM" + "b" * 32, ProfileName="  María  "))
    assert p.replied_to == "SM" + "b" * 32 and p.profile_name == "María"


@pytest.mark.parametrize("value,expected", [("STOP", "STOP"), ("start", "START"),
                                            ("HELP", "HELP"), ("UNKNOWN", None), ("", None)])
def test_opt_out_type(value, expected):
    assert parse(form(OptOutType=value)).opt_out == expected


def test_huge_fields_are_cut():
    p = parse(form(Body="x" * 1_000_000, ProfileName="y" * 10_000, Address="z" * 10_000,
                   Latitude="1", Longitude="1"))
    assert len(p.body) == MAX_BODY and len(p.profile_name) <= 256
    assert len(p.location.address) <= 256


def test_sid_shapes():
    assert parse(form(MessageSid=None, SmsSid="SM" + "c" * 32)).sid == "SM" + "c" * 32
    for bad in ("SM/../x", "SM x", "<script>"):
        with pytest.raises(PayloadError):
            parse(form(MessageSid=bad))


def test_to_may_be_a_short_code_but_not_words():
    assert parse(form(To="384387")).to == "384387"
    assert own_number(parse(form(To="384387")), ("384387",)) == "384387"
    with pytest.raises(PayloadError):
        parse(form(To="hotline"))


def test_own_number():
    assert own_number(parse(form()), NUMBERS) == "+15005550006"
    assert own_number(parse(form(To="+15005550999")), NUMBERS) is None
    # Written to our WhatsApp number by SMS: still our number, answered on the channel used.
    assert own_number(parse(form(To="+14155238886")), NUMBERS) == "+14155238886"


@pytest.mark.parametrize("text", [
    "¿Cuándo es mi audiencia? Me dijeron que en Matamoros pero no tengo papeles.",
    "Necesito ayuda urgente, por favor llámenme al número que les di ayer en la tarde.",
])
def test_base64_bodies_are_decoded(text):
    encoded = base64.b64encode(text.encode()).decode()
    assert parse(form(Body=encoded)).text == text
    # Cut by the carrier inside a letter: the rest is still read.
    raw = text.encode() + "é".encode()[:1]
    cut = base64.b64encode(raw).decode()
    assert decode_possible_base64(cut) == text


@pytest.mark.parametrize("text", [
    "hola", "QUJD" * 20, "A" * 64, "SolicitoInformacionSobreElProgramaQuedateEnMexicoPorFavor1234",
    base64.b64encode(bytes(range(256))).decode(), "////" * 30, "ab==" * 20,
    base64.b64encode(b"sinespaciosperosololetrasmuchasletrasmuchasmas").decode(),
])
def test_base64_garbage_and_words_stay_as_typed(text):
    assert decode_possible_base64(text) == text


def test_control_characters_are_dropped_but_lines_kept():
    assert parse(form(Body="Ho\x00la\n¿qué\x07 tal?\t")).text == "Hola\n¿qué tal?\t"
