"""Registration that follows intake, AVISAME, NO LO TENGO and emergencies, through the running
hotline: the webhook, the real model, the action server, the NLG endpoint and real Redis."""

from __future__ import annotations

import time

import pytest

from hotline.config import Settings
from hotline.contacts import INTAKE, ContactStore
from hotline.content import program_status
from hotline.crypto import Vault
from hotline.handoff.hours import emergency_response
from hotline.messaging import phones
from hotline.messaging.channels import parse_address
from hotline.registration.store import RegistrationStore
from support.conversation import Received, ask, catalogs, expected, said
from support.intake import RECEIVER, set_intake

pytestmark = pytest.mark.stack

DANGER = "ayuda nos tienen encerrados y nos quieren matar"


@pytest.fixture
def intake(stack_redis, monkeypatch):
    """Open or close intake in the running hotline for one test (the file's status after)."""
    yield lambda is_open: set_intake(stack_redis, monkeypatch, is_open)
    program_status.clear_override(stack_redis)


@pytest.fixture
def vault(stack):
    return Vault(stack.env["HOTLINE_SECRET"])


def contact_id(vault, person) -> str:
    return vault.pseudonym(phones.canonical(parse_address(person.address).number))


def only_message(person, text: str, quiet: float = 3.0) -> Received:
    """The one message a turn is answered with: nothing else arrives after it."""
    person.send(text)
    got = person.wait_for(1, timeout=60)
    assert got, f"no reply to {text!r}"
    time.sleep(quiet)
    assert not person.new_messages(), f"more than one message after {text!r}"
    return Received(got[0]["body"])


def emergency_now(stack) -> str:
    """The emergency answer the stack gives now, from its configured operator hours."""
    settings = Settings.from_env(stack.env)
    return emergency_response(settings.operator_hours, settings.timezone)


def test_registro_with_intake_closed_gets_the_closed_answer_and_no_consent(phone, intake):
    intake(False)
    person = phone()
    reply = only_message(person, "REGISTRO")
    assert reply == expected("utter_reg_intake_closed", "es")
    assert reply != expected("utter_ask_reg_consent", "es")
    # No form is waiting for an answer: "sí" is not a consent.
    assert ask(person, "si acepto") != expected("utter_ask_reg_case", "es")
    assert ask(phone(), "I want to register") == expected("utter_reg_intake_closed", "en")


def test_the_menus_registration_option_informs_first(phone, intake):
    intake(False)
    person = phone()
    assert (ask(person, "que opciones tienen, que les puedo preguntar")
            == expected("utter_help", "es"))
    assert ask(person, "2") == expected("utter_register_info", "es")


def test_avisame_subscribes_and_says_so_once(phone, intake, stack_redis, vault):
    intake(False)
    person = phone()
    assert only_message(person, "AVÍSAME") == catalogs.text("reg.notify_me_done", "es")
    contacts = ContactStore(stack_redis, vault)
    assert contacts.get(contact_id(vault, person)).subscriptions == {INTAKE}
    assert ask(person, "avisame cuando abra") == catalogs.text("reg.notify_me_already", "es")


def test_intake_opened_the_consent_names_the_organization(phone, intake):
    status = intake(True)
    person = phone()
    reply = ask(person, "quiero registrarme")
    assert reply == expected("utter_ask_reg_consent", "es")
    assert RECEIVER.name in reply and "conecta.acnur.org" in reply
    assert "BORRAR MIS DATOS" in reply
    assert status.values("es", catalogs)["organizations"] in reply
    # Closed again by an operator, with no restart: the next REGISTRO is told so.
    intake(False)
    other = phone()
    assert ask(other, "REGISTRO") == expected("utter_reg_intake_closed", "es")


def test_no_lo_tengo_registers_without_an_a_number(phone, intake, stack_redis, vault):
    intake(True)
    person = phone()
    assert ask(person, "quiero registrarme") == expected("utter_ask_reg_consent", "es")
    for text, response in [("si", "utter_ask_reg_case"), ("1", "utter_ask_reg_location"),
                           ("Tijuana", "utter_ask_reg_name"),
                           ("Rosa Elena Diaz", "utter_ask_reg_birth_date"),
                           ("20/05/1991", "utter_ask_reg_citizenship"),
                           ("Honduras", "utter_ask_reg_a_number")]:
        assert ask(person, text) == expected(response, "es"), text
    assert ask(person, "NO LO TENGO") == said(expected("utter_reg_a_number_missing", "es"),
                                              expected("utter_ask_reg_enrolled", "es"))
    for text in ("marzo 2019", "2", "2", "no"):
        shown = ask(person, text)
    assert catalogs.text("reg.a_number.none", "es") in shown
    ask(person, "si")
    store = RegistrationStore(stack_redis, vault)
    reg = store.latest_for_contact(contact_id(vault, person))
    assert reg is not None and reg.a_number == "" and reg.status == "received"


def test_an_emergency_is_answered_with_one_message(phone, stack):
    person = phone()
    before = emergency_now(stack)
    reply = only_message(person, DANGER)
    after = emergency_now(stack)
    assert reply == expected(before, "es") or reply == expected(after, "es")


def test_danger_mid_registration_gets_the_emergency_answer_alone(phone, stack, intake):
    intake(True)
    person = phone()
    assert ask(person, "quiero registrarme") == expected("utter_ask_reg_consent", "es")
    assert ask(person, "si") == expected("utter_ask_reg_case", "es")
    assert ask(person, "1") == expected("utter_ask_reg_location", "es")
    before = emergency_now(stack)
    reply = only_message(person, DANGER)
    after = emergency_now(stack)
    assert reply == expected(before, "es") or reply == expected(after, "es")
    # The form resumes only when the person asks, where it was.
    assert ask(person, "registro") == said(expected("utter_reg_resume", "es"),
                                           expected("utter_ask_reg_location", "es"))
