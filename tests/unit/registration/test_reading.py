"""How one typed message is read as the answer to each registration question (no Rasa, no Redis)."""

from datetime import date

import pytest

from hotline.registration import reading
from hotline.registration.answers import Invalid

LAST_YEAR = date.today().year - 1

# One typical answer per question, and the slot value it becomes.
ANSWERS = {
    "reg_consent": ("si acepto", "yes"),
    "reg_case": ("2", "terminated"),
    "reg_location": ("estoy en reynosa", {"country": "MX", "place": "reynosa"}),
    "reg_name": ("me llamo Ana Ruiz", "Ana Ruiz"),
    "reg_birth_date": ("15 marzo 88", "1988-03-15"),
    "reg_citizenship": ("onduras", "HN"),
    "reg_a_number": ("A-012-345-678", "012345678"),
    "reg_enrolled": (f"marzo {LAST_YEAR}", f"{LAST_YEAR}-03-01"),
    "reg_contact": ("por whats", "whatsapp"),
    "reg_phone": ("(899) 123-4567", "+528991234567"),
    "reg_family": ("somos mi esposa y dos hijos", 2),
    "reg_vulnerability": ("1, 3", ["illness", "disability"]),
    "reg_confirm": ("cambiar el nombre", "reg_name"),
}


@pytest.mark.rasa_env  # the form's questions are the action server's (rasa_sdk)
def test_every_question_has_a_reader():
    from actions.registration.form import QUESTIONS

    assert set(reading.READERS) == set(QUESTIONS) == set(ANSWERS)


@pytest.mark.parametrize("requested", sorted(ANSWERS))
def test_each_question_reaches_its_reader(requested):
    text, value = ANSWERS[requested]
    assert reading.read_answer(requested, text) == value


@pytest.mark.parametrize("requested, text, reason", [
    ("reg_consent", "tal vez", "yes_no"),
    ("reg_birth_date", "31/02/1990", "date_impossible"),
    ("reg_a_number", "A 1234567", "a_number_length"),
    ("reg_name", "Ana", "name_full"),
    ("reg_confirm", "14", "confirm"),
    ("reg_name", "   ", "empty"),
    ("reg_unknown", "hola", "unknown"),
])
def test_answers_that_cannot_be_used_say_why(requested, text, reason):
    with pytest.raises(Invalid) as caught:
        reading.read_answer(requested, text)
    assert caught.value.reason == reason


# 331 555 0101 is a valid number on both sides of the border (Guadalajara, Illinois).
@pytest.mark.parametrize("own_number, expected", [
    ("+19155550000", "+13315550101"),  # writing from a US phone: ten digits are a US number
    ("+528991230000", "+523315550101"),
    (None, "+523315550101"),           # not known: Mexico, where people wait
])
def test_the_persons_own_number_gives_a_phone_its_country_code(own_number, expected):
    assert reading.read_answer("reg_phone", "331 555 0101", own_number) == expected


def test_ten_digits_valid_only_in_the_us_are_a_us_number_even_from_mexico():
    # 915 is El Paso's area code and no Mexican one: +52 915… would be a number nobody has.
    assert reading.read_answer("reg_phone", "915 555 0101", "+528991230000") == "+19155550101"


@pytest.mark.parametrize("typed", ["+52 899 123 4567", "899 123 4567", "00 52 899 123 4567"])
def test_the_persons_own_phone_where_the_a_number_belongs_is_refused(typed):
    with pytest.raises(Invalid) as caught:
        reading.read_answer("reg_a_number", typed, own_number="+528991234567")
    assert caught.value.reason == "a_number_phone"
    assert reading.hint("reg_a_number", caught.value.reason) == "a_number_phone"


@pytest.mark.parametrize("text, cancel, person", [
    ("cancelar", True, False), ("Ya no quiero", True, False), ("quiero un agente", False, True),
    ("Ana Ruiz", False, False),
])
def test_requests_to_stop_or_for_a_person(text, cancel, person):
    assert (reading.is_cancel(text), reading.names_a_person(text)) == (cancel, person)


@pytest.mark.parametrize("intent, confidence, text, topic", [
    ("cost_scam", 0.5, "y cuanto cuesta esto?", "cost_scam"),
    ("cost_scam", 0.2, "y cuanto cuesta esto?", None),            # the model is not sure
    ("border_warning", 0.93, "Jose Luis Hernandez Cruz", None),   # a name, not a question
    ("documents", 0.9, "A-123-4567?", None),                      # a mistyped answer
    ("greet", 0.9, "hola como estas?", None),                     # not a topic
])
def test_a_topic_is_answered_mid_form_only_for_a_question(intent, confidence, text, topic):
    assert reading.mid_form_topic(intent, confidence, text) == topic


def test_every_faq_answer_can_be_given_mid_form():
    # A topic the assistant answers outside the form must be answerable inside it too, with
    # the same response (utter_<intent>), or a question mid-registration falls to the menu.
    import yaml

    from hotline.config import PROJECT_ROOT

    rules = yaml.safe_load((PROJECT_ROOT / "bot" / "rules" / "faq.yml").read_text())["rules"]
    answered = {r["steps"][0]["intent"] for r in rules
                if len(r["steps"]) == 2 and r["steps"][1].get("action")
                == f"utter_{r['steps'][0].get('intent')}"}
    assert answered - reading.FAQ_TOPICS == set()
