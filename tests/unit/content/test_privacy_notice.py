"""The registration's consent is a privacy notice, in both languages: what is kept and why, who
receives it, and the rights of access, correction, cancellation and objection (Mexico's 2025
data-protection law), with the words that exercise them; short enough for SMS."""

from __future__ import annotations

import pytest

from hotline.messaging import keywords


@pytest.mark.parametrize("lang,words", [
    ("es", ("para su registro", "MIS DATOS", "corregir", "BORRAR MIS DATOS", "oponerse")),
    ("en", ("for your registration", "MY DATA", "correct", "DELETE MY DATA", "object")),
])
def test_the_consent_names_every_right(rt, lang, words):
    text = rt.catalogs.text("utter_ask_reg_consent", lang, organizations="Org A, Org B")
    for word in words:
        assert word in text, word
    assert len(text) <= 3 * 160  # about three SMS segments (the catalog test counts exactly)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_keywords_it_names_do_what_it_says(rt, lang):
    text = rt.catalogs.text("utter_ask_reg_consent", lang, organizations="X")
    access = "MIS DATOS" if lang == "es" else "MY DATA"
    assert access in text and keywords.match(access) == keywords.MY_DATA


@pytest.mark.parametrize("lang,reply,stop", [("es", "responda", "ALTO"), ("en", "reply", "STOP")])
def test_the_erasure_question_also_offers_just_stopping(rt, lang, reply, stop):
    # "Remove my number from your list" often reads as erasure; whoever only wanted no more
    # messages learns the one word that does that, without erasing anything.
    text = rt.catalogs.text("utter_ask_delete_confirm", lang)
    assert f"{reply} {stop}" in text
    assert keywords.match(stop) == keywords.OPT_OUT
