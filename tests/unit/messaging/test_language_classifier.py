"""The language of a message from a classifier trained on nlu_data/ (misspellings, slang,
Spanglish), under the same rules: a chosen language stays, a detected one changes only on
clear evidence."""

import pytest

from hotline.messaging import language

# Few or none of these words are in the word lists: the classifier has to carry them.
SPANISH = [
    "kiero saber si ya abrieron el rejistro", "ke onda con lo del programa",
    "asere no entiendo na de esto", "vos sabes si ya esta abierta la garita",
    "nesesito q me ayuden xq no tengo mi papel", "ise mi cita ase un mes y nada",
    "mi chavo tiene calentura desde ayer", "chamo y eso cuanto cuesta",
]
ENGLISH = [
    "wen is my cort date i dont no", "wat hapens if i miss the hearin",
    "my kid got fever since yesterday", "how much does it cost to sign up",
    "y'all open today or nah", "can u tell me bout the new rules",
]


@pytest.mark.parametrize("text", SPANISH)
def test_classifier_reads_spanish(text):
    assert language.classifier_vote(text)[0] == "es"
    assert language.detect(text)[0] == "es"


@pytest.mark.parametrize("text", ENGLISH)
def test_classifier_reads_english(text):
    assert language.classifier_vote(text)[0] == "en"
    assert language.detect(text)[0] == "en"


def test_one_misspelled_sentence_is_clear_evidence():
    assert language.resolve("en", False, "kiero saber si ya abrieron el rejistro", "en") == "es"


@pytest.mark.parametrize("text", ["hi", "ok thanks", "gracias", "si", "👍", "A 123 456 789"])
def test_a_word_or_two_do_not_move_a_contact(text):
    for current in ("es", "en"):
        assert language.resolve(current, False, text, "es") == current


def test_a_chosen_language_stays_whatever_the_classifier_says():
    assert language.resolve("es", True, "wen is my cort date i dont no", "es") == "es"


def test_without_training_data_the_word_lists_decide(monkeypatch):
    monkeypatch.setattr(language, "_classifier", lambda: None)
    assert language.classifier_vote("kiero saber") == (None, 0)
    assert language.detect("hola buenas tardes")[0] == "es"


def test_a_three_word_command_does_not_move_a_spanish_conversation():
    # A Spanish speaker registering who types the English keyword phrase from a poster.
    assert language.resolve("es", False, "delete my data", "es") == "es"
    assert language.resolve("en", False, "borrar mis datos", "en") == "en"
    # A sentence is still clear evidence.
    assert language.resolve("es", False, "i need help please", "es") == "en"
