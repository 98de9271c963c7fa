"""Property tests of the registration answer readers: whatever a person types (any script, any
length up to an SMS's 1,600 characters, digits of other scripts, control characters, emoji),
every reader returns a value or refuses with a reason that has a sentence in both languages.
It never raises anything else, which would leave the person without an answer."""

from __future__ import annotations

import functools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.config import Settings
from hotline.content.catalogs import Catalogs
from hotline.registration import answers, reading

MAX_SMS = 1600
# Pieces people really type, to reach deep into the parsers, mixed with anything at all.
PIECES = st.sampled_from([
    "A", "A-", "0", "12", "123456789", "٣", "²", "１２", "\u0660\u0661", "-", "/", ".", " ", "\n",
    "\t", "\u200b", "\u3000", "\x00", "si", "no", "NO LO TENGO", "enero", "feb", "2019", "1990",
    "31", "13", "de", "Tijuana", "Honduras", "Guatemala", "El Salvador", "+52", "(664)",
    "555-0101", "embarazada", "1,2", "todos", "ninguno", "otro", "linea 2", "cambiar nombre",
    "Ñ", "ß", "ﬀ", "İ", "🙂", "\u202e", "=cmd|", ";", "'", '"', "¿", "?", "mañana",
])
TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(PIECES, max_size=30).map("".join),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map(" ".join),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Zs", "Pd"]), max_size=60),
    st.builds(lambda piece, n: (piece * n)[:MAX_SMS], PIECES, st.integers(1, 400)),
)
OWN_NUMBERS = st.sampled_from([None, "+5216641234567", "+15555550100", "+50499999999", "x"])


@functools.cache
def catalogs() -> Catalogs:
    return Catalogs(Settings().locales_dir)


def refusal_is_explained(requested: str, exc: answers.Invalid) -> None:
    assert isinstance(exc.reason, str) and exc.reason
    key = f"reg.invalid.{reading.hint(requested, exc.reason)}"
    for lang in ("en", "es"):
        assert catalogs().text(key, lang).strip(), (key, lang)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requested=st.sampled_from(sorted(reading.READERS)), text=TEXTS, own=OWN_NUMBERS)
def test_every_reader_answers_or_says_why(requested, text, own):
    try:
        value = reading.read_answer(requested, text, own)
    except answers.Invalid as exc:
        refusal_is_explained(requested, exc)
    else:
        assert value is not None and value != ""


@settings(max_examples=120, deadline=None)
@given(text=TEXTS)
def test_the_small_readers_never_raise_anything_but_a_reason(text):
    assert isinstance(answers.choice_text(text), str)
    assert answers.yes_no(text) in (True, False, None)
    assert answers.yes_no(text, numbered=False) in (True, False, None)
    assert isinstance(answers.no_a_number(text), bool)
    for reader in (answers.parse_date, answers.parse_birth_date, answers.parse_month_year):
        try:
            value = reader(text, today=date(2026, 12, 1))
        except answers.Invalid as exc:
            assert exc.reason
        else:
            assert isinstance(value, date)
    try:
        country, place = answers.parse_location(text)
    except answers.Invalid as exc:
        assert exc.reason
    else:
        assert place.strip() and (country is None or len(country) == 2)


@settings(max_examples=60, deadline=None)
@given(text=TEXTS)
def test_a_reader_given_a_value_back_reads_it_the_same(text):
    # What a reader returns is stored and shown back: reading it again changes nothing.
    try:
        name = answers.parse_name(text)
    except answers.Invalid:
        return
    assert answers.parse_name(name) == name
