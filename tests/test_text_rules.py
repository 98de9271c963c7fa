"""The pure rules that decide what happens to a message before the assistant sees it."""

import pytest

from hotline.messaging import keywords
from hotline.messaging import language
from hotline.messaging import menus
from hotline.messaging import sms
from hotline.messaging.channels import InvalidAddress, parse_address


@pytest.mark.parametrize("body", [
    "STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "Cancel", "END", "quit",
    "PARAR", "alto", "Baja", "CANCELAR", "cancelár", "¡ALTO!",
])
def test_opt_out_keywords(body):
    assert keywords.match(body) == keywords.OPT_OUT


@pytest.mark.parametrize("body", ["START", "unstop", "ALTA", "Inicio", "inició"])
def test_opt_in_keywords(body):
    assert keywords.match(body) == keywords.OPT_IN


@pytest.mark.parametrize("body", ["HELP", "help!", "Ayuda", "AYUDA."])
def test_help_keywords(body):
    assert keywords.match(body) == keywords.HELP


@pytest.mark.parametrize("body", [
    "stop sending me messages please", "no quiero parar", "necesito ayuda con mi caso",
    "", "   ", "1", "started",
])
def test_sentences_are_not_keywords(body):
    assert keywords.match(body) is None


def test_keyword_language():
    assert keywords.keyword_language("BAJA") == "es"
    assert keywords.keyword_language("stop") == "en"
    assert keywords.keyword_language("hola") is None


@pytest.mark.parametrize("text,expected", [
    ("hola", "es"), ("buenas tardes", "es"), ("kiero aser mi rejistro", "es"),
    ("¿Dónde me registro?", "es"), ("nesesito ayuda con mi caso de mpp", "es"),
    ("hello", "en"), ("hi how do i register", "en"), ("I need help with my court date", "en"),
    ("wat do i need to do for the program", "en"),
])
def test_detect_language(text, expected):
    assert language.detect(text)[0] == expected


@pytest.mark.parametrize("text", ["ok", "mpp", "👍", "123", ""])
def test_detect_undecided(text):
    assert language.detect(text) == (None, 0)


def test_language_sticks_unless_clear_evidence():
    assert language.resolve("es", False, "ok thanks", "es") == "es"
    assert language.resolve("es", False, "hello, I want to know how I can register my case", "es") == "en"
    assert language.resolve("en", True, "hola, quiero saber como registrarme en el programa", "es") == "en"
    assert language.resolve(None, False, "👍", "es") == "es"
    assert language.resolve(None, False, "👍", "en") == "en"


@pytest.mark.parametrize("text,count", [
    ("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("[" * 80, 1), ("[" * 81, 2),  # extension characters cost two units
    ("ñ¿¡é" * 40, 1), ("á" * 70, 1), ("á" * 71, 2), ("á" * 201, 3), ("á" * 202, 4),
    ("😀" * 35, 1), ("😀" * 36, 2),  # a surrogate pair is two UCS-2 units
])
def test_segments(text, count):
    assert sms.segments(text) == count


def test_unreadable_reasons():
    assert sms.unreadable_reason("", 1) == sms.UNREADABLE_MEDIA
    assert sms.unreadable_reason("", 0) == sms.UNREADABLE_EMPTY
    assert sms.unreadable_reason("\n \t", 0) == sms.UNREADABLE_EMPTY
    assert sms.unreadable_reason("🙏😭🙏", 0) == sms.UNREADABLE_NO_TEXT
    assert sms.unreadable_reason("?!...", 0) == sms.UNREADABLE_NO_TEXT
    assert sms.unreadable_reason("x" * 1600, 0) == sms.UNREADABLE_TOO_LONG
    assert sms.unreadable_reason("x" * 1599, 0) is None
    assert sms.unreadable_reason("hola 🙏", 0) is None
    assert sms.unreadable_reason("1", 0) is None


def test_split_for_sending_keeps_order_and_limit():
    parts = [f"part {i} " + "x" * 700 for i in range(5)]
    bodies = sms.split_for_sending(parts)
    assert all(len(b) <= sms.MAX_BODY for b in bodies)
    joined = "\n\n".join(bodies)
    positions = [joined.index(f"part {i} ") for i in range(5)]
    assert positions == sorted(positions)
    long_one = sms.split_for_sending(["word " * 1000])
    assert len(long_one) == 4 and all(len(b) <= sms.MAX_BODY for b in long_one)


MENU = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
        {"title": "Hablar con una persona", "payload": "/human_handoff"}]


@pytest.mark.parametrize("reply,payload", [
    ("1", "/affirm"), (" 2 ", "/deny"), ("3.", "/human_handoff"), ("#3", "/human_handoff"),
    ("opción 1", "/affirm"), ("option 2", "/deny"), ("si", "/affirm"), ("SÍ", "/affirm"),
    ("hablar con una persona", "/human_handoff"),
    ("4", None), ("0", None), ("99", None), ("si claro que si", None), ("", None),
])
def test_menu_pick(reply, payload):
    assert menus.pick(MENU, reply) == payload


def test_render_options():
    assert menus.render_options(MENU) == "1. Sí\n2. No\n3. Hablar con una persona"


@pytest.mark.parametrize("raw,channel,number", [
    ("+5215512345678", "sms", "+5215512345678"),
    ("whatsapp:+5215512345678", "whatsapp", "+5215512345678"),
    ("WhatsApp:+1 (555) 010-2030", "whatsapp", "+15550102030"),
])
def test_parse_address(raw, channel, number):
    address = parse_address(raw)
    assert (address.channel, address.number) == (channel, number)


@pytest.mark.parametrize("raw", ["", "hola", "12345", "whatsapp:", "+0123456789", "+1" + "2" * 20,
                                 "<script>alert(1)</script>"])
def test_parse_address_rejects(raw):
    with pytest.raises(InvalidAddress):
        parse_address(raw)
