"""The hotline's knowledge through the real stack: topics, menus, fallback, safety, bad input."""

import pytest

from hotline.config import Settings
from hotline.crypto import Vault
from hotline.handoff import queue as escalations
from hotline.handoff.hours import emergency_response
from hotline.messaging import phones, sms
from hotline.messaging.channels import parse_address
from support.conversation import all_texts, ask, catalogs, expected, tells_when_a_person_answers

pytestmark = pytest.mark.stack


@pytest.mark.parametrize("lang,message,response", [
    ("es", "hola buenas tardes", "utter_greet"),
    ("es", "se puede ir a la frontera ya? quiero cruzar con mis hijos", "utter_border_warning"),
    # The stack's status (the content file) has intake closed: no form starts.
    ("es", "como me registro para el proceso de mpp", "utter_reg_intake_closed"),
    ("es", "cuanto cuesta? un señor me cobra 500 dolares para darme cita", "utter_cost_scam"),
    ("es", "como reviso mi fecha de corte", "utter_case_status"),
    ("es", "necesito un abogado gratis", "utter_legal_help"),
    ("es", "me regresé a honduras, tengo que volver a mexico para el proceso?",
     "utter_not_in_mexico"),
    ("es", "sigue el programa quedate en mexico?", "utter_program_status"),
    ("en", "hello", "utter_greet"),
    ("en", "should i go to the border now to cross", "utter_border_warning"),
    ("en", "how do i register", "utter_reg_intake_closed"),
    ("en", "somebody wants me to pay for a spot, is this a scam?", "utter_cost_scam"),
    ("en", "i am already living in the us and have an mpp case", "utter_in_us_case"),
    ("en", "what documents do i need to bring", "utter_documents"),
])
def test_topics_are_answered_in_the_persons_language(phone, lang, message, response):
    assert ask(phone(), message) == expected(response, lang)


def test_numbered_option_opens_the_second_page(phone):
    person = phone()
    assert (ask(person, "soy elegible para el proceso de mpp?")
            == expected("utter_eligibility", "es"))
    assert ask(person, "1") == expected("utter_eligibility_more", "es")


def test_not_understood_twice_offers_a_person_and_accepting_queues_the_conversation(
        phone, stack, stack_redis):
    person = phone()
    assert ask(person, "hola") == expected("utter_greet", "es")
    # Gibberish is either not understood or out of scope: both count as misunderstood.
    assert ask(person, "zzkq wxv plorf") in (expected("utter_default", "es"),
                                             expected("utter_out_of_scope", "es"))
    assert ask(person, "qqq jjjx vvbn") == expected("utter_default_human", "es")
    reply = ask(person, "1")
    assert reply.startswith(expected("utter_human_handoff", "es"))
    assert tells_when_a_person_answers(reply, "es")
    vault = Vault(stack.env["HOTLINE_SECRET"])
    contact_id = vault.pseudonym(phones.canonical(parse_address(person.address).number))
    waiting = {e["contact_id"]: e for e in escalations.waiting(stack_redis)}
    assert waiting[contact_id]["reason"] == "misunderstood"


def test_menu_accepts_a_number_or_the_words(phone):
    person = phone()
    assert (ask(person, "que opciones tienen, que les puedo preguntar")
            == expected("utter_help", "es"))
    # The Registration option informs first (today: intake closed); no form starts.
    assert ask(person, "2") == expected("utter_register_info", "es")
    assert (ask(person, "hello, what can I ask you? show me the menu")
            == expected("utter_help", "en"))
    reply = ask(person, "talk to a person")
    assert reply.startswith(expected("utter_human_handoff", "en"))
    assert tells_when_a_person_answers(reply, "en")


def test_emergency_answers_at_once_and_is_urgent(phone, stack, stack_redis):
    person = phone()
    settings = Settings.from_env(stack.env)
    before = emergency_response(settings.operator_hours, settings.timezone)
    reply = ask(person, "ayuda nos tienen encerrados y nos quieren matar")
    after = emergency_response(settings.operator_hours, settings.timezone)
    # The answer for this hour, alone (tests/stack/test_intake.py checks nothing follows).
    assert reply == expected(before, "es") or reply == expected(after, "es")
    contact_id = Vault(stack.env["HOTLINE_SECRET"]).pseudonym(
        phones.canonical(parse_address(person.address).number))
    entry = {e["contact_id"]: e for e in escalations.waiting(stack_redis)}[contact_id]
    assert entry["urgent"] == "1" and entry["reason"] == "emergency"
    assert escalations.waiting(stack_redis)[0]["urgent"] == "1"  # urgent ones come first


@pytest.mark.parametrize("body", ["A-012-345-678", "+52 1 55 1234 5678", "A 12345678"])
def test_a_number_out_of_the_blue_gets_a_protective_answer(phone, body):
    person = phone()
    ask(person, "hola")
    assert ask(person, body) == catalogs.text("unprompted.number", "es")


@pytest.mark.parametrize("body", [
    "asdfgh", "7", "eres un inutil, no sirves para nada", "👍",
    "buenas noches disculpe la hora " + "le cuento que llegamos a tijuana en 2019 y " * 20
    + "quiero saber si puedo ir a la garita",
])
def test_bad_input_gets_a_short_answer_in_spanish(phone, body):
    person = phone()
    ask(person, "hola")
    reply = ask(person, body)
    assert reply in all_texts("es")
    assert sms.segments(reply) <= 3
