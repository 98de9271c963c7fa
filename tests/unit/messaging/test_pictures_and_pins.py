"""Pictures are said unseen once a day, kindly; a shared pin answers the registration's "where
are you" once the person confirms the city, and elsewhere gets a helpful answer, never "your
message arrived empty"."""

from __future__ import annotations

import time

import pytest

from hotline import erasure
from hotline.messaging import inbound, pins
from hotline.messaging.channels import Address
from hotline.messaging.messages import Inbound
from hotline.registration import form_mark
from support import SMS_NUMBER, WHATSAPP_NUMBER

PERSON = "+5215599887766"
REYNOSA = {"latitude": 26.0712, "longitude": -98.3153, "address": None, "label": None}
GUADALAJARA = {"latitude": 20.6736, "longitude": -103.344, "address": None, "label": None}
PICTURE = [{"url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
            "content_type": "image/jpeg"}]


class Assistant:
    def __init__(self):
        self.seen: list[str] = []

    def send(self, contact_id, text, metadata):
        self.seen.append(text)
        return [{"text": "respuesta"}]


@pytest.fixture
def turn(rt):
    """Send one WhatsApp message through inbound as the webhook stores it; returns the reply
    text ('' when there is none). `rt.assistant.seen` is what the assistant read."""
    rt.assistant = Assistant()
    count = iter(range(1, 1000))

    def contact_id() -> str:
        return rt.contacts.touch_inbound(Address("whatsapp", PERSON))

    def send(body: str = "", media=(), location=None, lang: str = "es") -> str:
        person = contact_id()
        rt.contacts.set_language(person, lang, chosen=True)
        sid = f"SM{next(count):032d}"
        rt.messages.save_inbound(Inbound(sid, person, "whatsapp", "whatsapp:" + PERSON,
                                         WHATSAPP_NUMBER, body, len(media), time.time(),
                                         media=list(media), location=location), 3600)
        rt.assistant.seen.clear()
        inbound.handle(rt, sid)
        replies = rt.messages.load_inbound(sid).replies or []
        return "\n\n".join(r["text"] for r in replies)

    send.contact_id = contact_id
    return send


def text(rt, key, lang="es", **values):
    return rt.catalogs.text(key, lang, **values)


# --- pictures ------------------------------------------------------------------------------
def test_a_picture_alone_is_answered_once_a_day_then_silently_kept(rt, turn):
    assert turn(media=PICTURE) == text(rt, "media_only_text")
    assert turn(media=PICTURE * 3) == ""  # the rest of the album: no second notice
    contact_id = turn.contact_id()
    # Kept for an operator, in the record.
    sids = [m for m in rt.redis.smembers(f"hl:msgs:{contact_id}") if m.startswith("in:")]
    assert all(rt.messages.load_inbound(m[3:]).media for m in sids)
    rt.redis.delete(f"hl:medianote:{contact_id}")  # a day later
    assert turn(media=PICTURE, lang="en") == text(rt, "media_only_text", "en")


def test_words_with_a_picture_are_answered_and_the_picture_said_unseen(rt, turn):
    first = turn("¿Qué dice mi hoja?", media=PICTURE)
    assert rt.assistant.seen == ["¿Qué dice mi hoja?"]
    assert first == text(rt, "media_not_seen") + "\n\nrespuesta"
    # Same day: the words are answered, the notice not repeated.
    assert turn("¿Y esta?", media=PICTURE) == "respuesta"
    # Words alone: never the notice.
    assert turn("hola") == "respuesta"


def test_the_picture_notice_was_not_given_for_words_alone(rt, turn):
    assert turn("hola") == "respuesta"
    assert turn(media=PICTURE) == text(rt, "media_only_text")


def test_erasure_drops_pictures_and_the_notice_mark(rt, turn):
    turn(media=PICTURE)
    contact_id = turn.contact_id()
    erasure.erase(rt, contact_id)
    assert not rt.redis.keys(f"hl:medianote:{contact_id}")
    assert not [k for k in rt.redis.keys("hl:in:*") if rt.redis.hget(k, "media")]


# --- pins ----------------------------------------------------------------------------------
def test_a_pin_outside_the_form_gets_a_helpful_answer_and_nothing_is_kept(rt, turn):
    answer = turn(location=REYNOSA)
    assert answer == text(rt, "location_outside_form")
    assert answer != text(rt, "unreadable.empty")
    assert rt.assistant.seen == []
    assert not rt.redis.keys("hl:pin:*")


def test_a_pin_during_another_question_asks_for_that_answer(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_name")
    assert turn(location=REYNOSA) == text(rt, "location_not_asked")
    assert not rt.redis.keys("hl:pin:*")


def test_a_pin_answers_where_are_you_after_a_yes(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_location")
    assert turn(location=REYNOSA) == text(rt, "location_confirm", city="Reynosa")
    assert rt.assistant.seen == []  # nothing saved before the yes
    assert turn("Sí") == "respuesta"
    # The form reads the city as if typed: its reader knows it is in Mexico.
    assert rt.assistant.seen == ["Reynosa, México"]
    assert not rt.redis.keys("hl:pin:*")


def test_a_no_asks_them_to_type_the_city(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_location")
    turn(location=REYNOSA, lang="en")
    assert turn("no", lang="en") == text(rt, "location_type_city", "en")
    assert rt.assistant.seen == []
    assert turn("McAllen Texas", lang="en") == "respuesta"
    assert rt.assistant.seen == ["McAllen Texas"]


def test_typing_the_place_instead_of_yes_or_no_is_the_answer(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_location")
    turn(location=REYNOSA)
    assert turn("estoy en Matamoros") == "respuesta"
    assert rt.assistant.seen == ["estoy en Matamoros"]


def test_a_pin_far_from_every_known_city_asks_them_to_type_it(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_location")
    assert turn(location=GUADALAJARA) == text(rt, "location_unknown")
    assert not rt.redis.keys("hl:pin:*")
    assert turn("sí") == "respuesta" and rt.assistant.seen == ["sí"]  # no city waiting


def test_a_yes_without_a_pin_is_just_a_yes(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_location")
    assert turn("sí") == "respuesta" and rt.assistant.seen == ["sí"]


def test_erasure_forgets_the_city_waiting_for_a_yes(rt, turn):
    form_mark.mark(rt.redis, turn.contact_id(), "reg_location")
    turn(location=REYNOSA)
    assert rt.redis.keys("hl:pin:*")
    counts = erasure.erase(rt, turn.contact_id())
    assert counts["pin"] == 1 and not rt.redis.keys("hl:pin:*")


# --- the city table ------------------------------------------------------------------------
@pytest.mark.parametrize("lat,lon,city", [
    (32.5149, -117.0382, "Tijuana"), (32.53, -117.02, "Tijuana"),
    (32.6245, -115.4523, "Mexicali"), (31.6904, -106.4245, "Ciudad Juárez"),
    (27.4779, -99.5496, "Nuevo Laredo"), (26.0508, -98.2979, "Reynosa"),
    (25.8690, -97.5027, "Matamoros"), (28.70, -100.5236, "Piedras Negras"),
    (31.3086, -110.9422, "Nogales"), (25.6866, -100.3161, "Monterrey"),
    (19.4326, -99.1332, "Ciudad de México"), (19.36, -99.28, "Ciudad de México"),
    (14.9056, -92.2633, "Tapachula"), (29.3232, -100.9522, "Ciudad Acuña"),
    (32.4561, -114.7719, "San Luis Río Colorado"), (31.3264, -109.5489, "Agua Prieta"),
])
def test_nearest_known_city(lat, lon, city):
    assert pins.nearest(lat, lon, pins.load_cities()).name == city


@pytest.mark.parametrize("lat,lon", [
    (20.6736, -103.344),  # Guadalajara: not a waiting city in the table
    (40.7128, -74.0060),  # New York
    (0.0, 0.0), (999, 0), (0, 999), (float("nan"), 1.0), (float("inf"), 1.0), (-91, 0),
])
def test_not_near_a_known_city(lat, lon):
    assert pins.nearest(lat, lon, pins.load_cities()) is None


def test_every_city_of_the_table_is_read_as_mexico_by_the_form():
    from hotline.registration import answers, reading

    for city in pins.load_cities():
        assert answers.parse_location(city.answer)[0] == "MX", city.answer
        assert reading.plausible_answer("reg_location", city.answer)
        assert city.name in city.answer and "México" in city.answer
        assert 10 <= city.radius_km <= 50


def test_sms_pin_uses_the_sms_number(rt):
    """A pin can only come by WhatsApp, but an SMS conversation keeps its SMS route."""
    rt.assistant = Assistant()
    contact_id = rt.contacts.touch_inbound(Address("sms", PERSON))
    rt.messages.save_inbound(Inbound("SM" + "7" * 32, contact_id, "sms", PERSON, SMS_NUMBER,
                                     "", 0, time.time(), location=REYNOSA), 3600)
    inbound.handle(rt, "SM" + "7" * 32)
    out = rt.messages.load_outbound("SM" + "7" * 32 + "-0")
    assert (out.to, out.sender) == (PERSON, SMS_NUMBER)
