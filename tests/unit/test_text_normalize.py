"""One normal form of people's text, read alike by keywords, form readers and the model."""

import pytest

from hotline.messaging import keywords
from hotline.text import fold, normalize


@pytest.mark.parametrize("raw, expected", [
    ("S\u200bTOP", "STOP"),                  # zero-width space inside a keyword
    ("S\u200cT\u200dO\u2060P\ufeff", "STOP"),  # joiners, word joiner, byte-order mark
    ("st\u00adop", "stop"),                  # soft hyphen
    ("ＳＴＯＰ", "STOP"),                      # fullwidth letters
    ("２０２６", "2026"),                      # fullwidth digits
    ("٢٣", "23"),                            # Arabic-Indic digits
    ("१२", "12"),                            # Devanagari digits
    ("hola\x00\x1b señor", "hola señor"),    # control bytes separate, never join
    ("a\tb", "a b"),
    ("  muchas   gracias\u00a0 ", "muchas gracias"),
    ("línea uno\r\nlínea dos", "línea uno\nlínea dos"),
    ("ﬁnal", "final"),                       # ligature
    ("", ""),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_keeps_case_accents_and_punctuation():
    assert normalize("¿Dónde está la Garita?") == "¿Dónde está la Garita?"


def test_normalize_is_idempotent():
    text = "  S\u200bTOP ２ ٣\x07 Ñandú "
    assert normalize(normalize(text)) == normalize(text)


@pytest.mark.parametrize("raw", ["S\u200bTOP", "ｓｔｏｐ", "S\u200bT\u200cOP!", "\ufeffBAJA"])
def test_hidden_characters_do_not_hide_a_keyword(raw):
    assert keywords.match(raw) == keywords.OPT_OUT


def test_fold_reads_the_normal_form():
    assert fold("Ｃａｎｃｅｌａｒ\u200b") == "cancelar"
