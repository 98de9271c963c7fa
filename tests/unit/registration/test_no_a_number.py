"""NO LO TENGO at the A-number question: read as "none", shown in the summary, stored without
an A-number, and never anyone's duplicate."""

from __future__ import annotations

import pytest

from hotline.registration import answers, reading
from hotline.registration.summary import summary
from support.people import values

SPANISH_NONE = [
    "NO LO TENGO", "no lo tengo", "No lo tengo.", "no tengo", "no tengo número A",
    "no tengo a-number", "no sé", "no se", "nose", "no lo sé", "no sé cuál es",
    "no me acuerdo", "no lo recuerdo", "no lo encuentro", "lo perdí", "se me perdieron los papeles",
    "perdí mis papeles", "no tengo papeles", "nunca me lo dieron", "no me dieron ninguno",
    "ninguno", "no", "nada", "ni idea", "desconozco", "no cuento con él",
    "no lo traigo conmigo", "no tengo ese número", "sin papeles, no lo tengo", "Nop",
]
ENGLISH_NONE = [
    "I DON'T HAVE IT", "i dont have it", "I don't have it.", "I do not have an A-number",
    "don't have one", "no", "none", "None.", "I don't know", "dont know", "idk", "no idea",
    "not sure", "I lost my papers", "lost it", "I can't find it", "I cant find my papers",
    "I never got one", "they never gave me one, I never had one", "I don't remember",
    "no A number", "n/a", "unknown", "I didn't get one", "I have no A-number",
    "I don't have my papers anymore", "nope", "i do not know it", "no papers",
    "I haven't got it",
]
A_NUMBERS = [
    ("A-012-345-678", "012345678"), ("A 12345678", "012345678"), ("012345678", "012345678"),
    ("a#209 876 543", "209876543"), ("A209-876-543", "209876543"),
    ("mi número A es 212 345 678", None), ("es el A 098765432", None),
    ("no. 012 345 678", "012345678"), ("A-Number: 201-555-123", "201555123"),
    ("n 12345678", None),
]


@pytest.mark.parametrize("text", SPANISH_NONE + ENGLISH_NONE)
def test_ways_of_saying_i_dont_have_it_are_read_as_none(text):
    assert answers.no_a_number(text), text
    assert reading.read_answer("reg_a_number", text) == answers.NO_A_NUMBER
    # Taken as the answer (not as a question or a cry for help).
    assert reading.plausible_answer("reg_a_number", text)


def test_thirty_of_each():
    assert len(set(SPANISH_NONE)) == 30 and len(set(ENGLISH_NONE)) == 30


@pytest.mark.parametrize("text,digits", A_NUMBERS)
def test_real_a_numbers_are_never_none(text, digits):
    assert not answers.no_a_number(text)
    if digits:
        assert reading.read_answer("reg_a_number", text) == digits
    else:
        # Words around the number: not "none", a field error that asks again.
        with pytest.raises(answers.Invalid):
            reading.read_answer("reg_a_number", text)


@pytest.mark.parametrize("text", ["me lo robaron los que nos tienen secuestrados",
                                  "no lo tengo, nos quieren matar"])
def test_none_that_speaks_of_danger_is_not_taken_as_an_answer(text):
    # The form's danger check then sees it (the model's intent decides).
    assert not reading.plausible_answer("reg_a_number", text)


def test_the_summary_says_they_do_not_have_it(rt):
    slots = {"reg_name": "Ana Ruiz", "reg_a_number": answers.NO_A_NUMBER}
    line = summary(slots, "es", rt.catalogs).splitlines()[3]
    assert line == f"4. {rt.catalogs.text('reg.field.a_number', 'es')}: " \
                   f"{rt.catalogs.text('reg.a_number.none', 'es')}"
    assert rt.catalogs.text("reg.a_number.none", "en") in summary(slots, "en", rt.catalogs)


def test_a_registration_without_an_a_number_is_stored_and_never_a_duplicate(rt, redis):
    store = rt.registrations
    first = store.create(values(a_number=""), "c1", "sms", "es")
    second = store.create(values(a_number=""), "c2", "sms", "es")
    with_number = store.create(values(a_number="012345678"), "c3", "sms", "es")
    assert [r.status for r in (first, second, with_number)] == ["received"] * 3
    assert store.get(first.reference, actor=None).a_number == ""
    assert store.get(first.reference, actor=None).public()["a_number"] == ""
    # The organizations' list has it, and it has no hold on any A-number.
    listed = {row["reference"]: row for row in store.summaries()}
    assert listed[first.reference]["status"] == "received"
    assert not [k for k in redis.keys("hl:reg:anum:*") if redis.get(k) == first.reference]
    again = store.create(values(a_number="012345678"), "c4", "sms", "es")
    assert again.status == "duplicate" and again.duplicate_of == with_number.reference
    assert store.forget_reference(first.reference)


def test_the_api_lists_a_registration_without_an_a_number(client, rt):
    from hotline.access import api_tokens

    rt.registrations.create(values(a_number=""), "c1", "sms", "es")
    token = api_tokens.create(rt.redis, "Org", ("registrations:read", "registrations:identity"))
    listed = client.get("/api/v1/registrations", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.get_json()
    reference = listed.get_json()["items"][0]["reference"]
    one = client.get(f"/api/v1/registrations/{reference}",
                     headers={"Authorization": f"Bearer {token}"})
    assert one.status_code == 200 and one.get_json()["a_number"] == ""
    export = client.get("/api/v1/registrations/export.csv",
                        headers={"Authorization": f"Bearer {token}"})
    assert export.status_code == 200 and reference in export.get_data(as_text=True)
