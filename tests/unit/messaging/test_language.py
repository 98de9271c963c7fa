"""How the language of a message is detected and when it changes; the one rule for the language
of a reply (`language.for_turn`)."""

import pytest

from hotline.messaging import language


@pytest.mark.parametrize("explicit, stored, metadata, expected", [
    ("en", "es", {"language": "es"}, "en"),  # an action switched it this turn
    (None, "en", {"language": "es"}, "en"),  # stored after the gateway chose the metadata
    (None, None, {"language": "en"}, "en"),  # a contact not stored yet
    (None, None, None, "es"),                # nothing known: the default
    ("fr", "xx", {"language": "de"}, "es"),  # unknown languages are skipped, never used
    ("", "", {}, "es"),
    (None, "fr", {"language": "en"}, "en"),
])
def test_for_turn_takes_the_first_known_language_in_order(explicit, stored, metadata, expected):
    assert language.for_turn(explicit, stored, metadata, "es") == expected


def test_for_turn_default_is_the_callers():
    assert language.for_turn(None, None, {}, "en") == "en"


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
    english = "hello, I want to know how I can register my case"
    spanish = "hola, quiero saber como registrarme en el programa"
    assert language.resolve("es", False, english, "es") == "en"
    assert language.resolve("en", True, spanish, "es") == "en"
    assert language.resolve(None, False, "👍", "es") == "es"
    assert language.resolve(None, False, "👍", "en") == "en"
