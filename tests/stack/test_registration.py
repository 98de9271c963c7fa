"""Registration by text, end to end through the webhook, the real model and real Redis."""

from __future__ import annotations

import json
import secrets
from datetime import date

import pytest
import requests
from redis import Redis

from hotline.content import program_status
from hotline.crypto import Vault
from hotline.handoff import queue as escalations
from hotline.messaging import phones
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import MessageStore
from hotline.messaging.turns import DONE, TURNS_KEY
from hotline.registration.store import RegistrationStore
from hotline.registration.summary import summary
from support.conversation import ask, catalogs, expected, said
from support.intake import set_intake
from support.redis_scan import raw_values

pytestmark = pytest.mark.stack


@pytest.fixture(autouse=True)
def intake_open(stack_redis, monkeypatch):
    """These test the form, which starts only while the hotline takes registrations: intake
    open, with an organization that receives them (the content file says closed)."""
    yield set_intake(stack_redis, monkeypatch, True)
    program_status.clear_override(stack_redis)


def invalid(key: str, lang: str) -> str:
    return catalogs.text(f"reg.invalid.{key}", lang)


def new_a_number() -> str:
    return "0" + "".join(secrets.choice("0123456789") for _ in range(8))


def dashed(digits: str) -> str:
    return f"A-{digits[:3]}-{digits[3:6]}-{digits[6:]}"


@pytest.fixture
def people(stack, stack_redis):
    """Helpers to find what the hotline stored about a pretend phone."""
    vault = Vault(stack.env["HOTLINE_SECRET"])

    class People:
        store = RegistrationStore(stack_redis, vault)
        messages = MessageStore(stack_redis, vault, ttl=3600)

        def kept_turns(self, person) -> dict[str, list[dict]]:
            """MessageSid -> the answer Rasa's turn store keeps for it, for turns done."""
            kept = {}
            for sid, raw in stack_redis.hgetall(TURNS_KEY.format(self.contact_id(person))).items():
                turn = json.loads(raw)
                if turn["state"] == DONE:
                    kept[sid] = json.loads(vault.decrypt(turn["replies"]))
            return kept

        @staticmethod
        def contact_id(person) -> str:
            return vault.pseudonym(phones.canonical(parse_address(person.address).number))

        def registration(self, person):
            return self.store.latest_for_contact(self.contact_id(person))

    return People()


def start(person, lang: str, text: str | None = None):
    text = text or ("quiero registrarme" if lang == "es" else "i want to register")
    assert ask(person, text) == expected("utter_ask_reg_consent", lang)


# The answers of one whole registration, and what each one is answered with.
def spanish_answers(a_number: str) -> list[tuple[str, str]]:
    return [("si acepto", "utter_ask_reg_case"), ("1", "utter_ask_reg_location"),
            ("Mexico, Tijuana", "utter_ask_reg_name"),
            ("María José López Hernández", "utter_ask_reg_birth_date"),
            ("15 marzo 88", "utter_ask_reg_citizenship"), ("onduras", "utter_ask_reg_a_number"),
            (dashed(a_number), "utter_ask_reg_enrolled"), ("marzo 2019", "utter_ask_reg_contact"),
            ("2", "utter_ask_reg_family"), ("2", "utter_ask_reg_vulnerability"),
            ("1 5", None)]


def answer_all(person, answers, lang: str) -> str:
    reply = ""
    for text, response in answers:
        reply = ask(person, text)
        if response:
            assert reply == expected(response, lang), f"after {text!r}"
    return reply


def test_a_complete_registration_in_spanish(phone, people):
    person = phone("whatsapp")
    a_number = new_a_number()
    start(person, "es")
    shown = answer_all(person, spanish_answers(a_number), "es")
    slots = {"reg_name": "María José López Hernández", "reg_birth_date": "1988-03-15",
             "reg_citizenship": "HN", "reg_a_number": a_number, "reg_case": "pending",
             "reg_enrolled": "2019-03-01",
             "reg_location": {"country": "MX", "place": "Mexico, Tijuana"},
             "reg_contact": "whatsapp", "reg_family": 2,
             "reg_vulnerability": ["illness", "violence"]}
    assert shown == catalogs.text("utter_ask_reg_confirm", "es",
                                  summary=summary(slots, "es", catalogs))
    assert "15 de marzo de 1988" in shown and "Honduras" in shown and dashed(a_number) in shown
    done = ask(person, "si")
    reg = people.registration(person)
    assert done == expected("utter_reg_done", "es", reference=reg.reference)
    assert (reg.name, reg.birth_date, reg.a_number, reg.citizenship) == (
        "María José López Hernández", "1988-03-15", a_number, "HN")
    assert (reg.case_situation, reg.enrolled, reg.location_country, reg.channel) == (
        "pending", "2019-03", "MX", "whatsapp")
    assert reg.phone == parse_address(person.address).number
    assert (reg.family, reg.vulnerabilities, reg.status) == (2, ["illness", "violence"], "received")
    # The person can ask for it later.
    assert ask(person, "como va mi registro?") == catalogs.text(
        "reg.status.received", "es", reference=reg.reference)


def test_a_complete_registration_in_english_with_another_number(phone, people):
    person = phone()
    a_number = new_a_number()
    start(person, "en")
    answers = [("yes", "utter_ask_reg_case"), ("terminated", "utter_ask_reg_location"),
               ("I am in Reynosa", "utter_ask_reg_name"),
               ("Jose Luis Martinez", "utter_ask_reg_birth_date"),
               ("March 15 1988", "utter_ask_reg_citizenship"),
               ("Guatemalan", "utter_ask_reg_a_number"),
               ("a " + a_number[1:], "utter_ask_reg_enrolled"),
               ("08/2020", "utter_ask_reg_contact"),
               ("3", "utter_ask_reg_phone"), ("+1 915 555 0101", "utter_ask_reg_family"),
               ("just me", "utter_ask_reg_vulnerability"), ("no", None)]
    shown = answer_all(person, answers, "en")
    assert "+19155550101" in shown and "none" in shown
    done = ask(person, "YES")
    reg = people.registration(person)
    # The other phone must confirm first (a code was sent there): the person is told so.
    assert done == said(expected("utter_reg_done", "en", reference=reg.reference),
                        catalogs.text("dest_confirm.told", "en"))
    assert (reg.a_number, reg.phone, reg.channel, reg.case_situation, reg.family) == (
        a_number, "+19155550101", "sms", "terminated", 0)
    assert reg.enrolled == "2020-08" and reg.language == "en"
    # Every turn Rasa ran was kept as done when Rasa saved the conversation, with the answer
    # the gateway got: a retry after a crash between the two is given that answer again.
    kept = people.kept_turns(person)
    assert len(kept) == len(answers) + 2
    for sid, replies in kept.items():
        gateway = people.messages.load_inbound(sid).replies
        assert [{"text": r.get("text") or "", "buttons": r.get("buttons")}
                for r in replies] == gateway, sid


@pytest.mark.parametrize("lang,choice,response", [
    ("es", "4", "utter_reg_not_for_you_removed_attended"),
    ("es", "nunca estuve en mpp", "utter_reg_not_for_you_never_mpp"),
    ("en", "5", "utter_reg_not_for_you_never_mpp"),
])
def test_ineligible_situations_are_told_kindly_and_nothing_is_kept(phone, people, lang, choice,
                                                                   response):
    person = phone()
    start(person, lang)
    assert ask(person, "1") == expected("utter_ask_reg_case", lang)
    assert ask(person, choice) == expected(response, lang)
    assert people.registration(person) is None
    # The form is over: a question now gets its ordinary answer.
    assert ask(person, "cuanto cuesta el proceso?" if lang == "es" else "does it cost money?") \
        == expected("utter_cost_scam", lang)


def test_inside_the_us_gets_the_separate_guidance(phone, people):
    person = phone()
    start(person, "es")
    ask(person, "si")
    assert ask(person, "3") == expected("utter_ask_reg_location", "es")
    assert ask(person, "estoy en Houston Texas") == expected("utter_in_us_case", "es")
    assert people.registration(person) is None


def test_not_sure_is_told_how_to_check_and_may_continue(phone):
    person = phone()
    start(person, "es")
    ask(person, "si")
    assert ask(person, "6") == said(expected("utter_reg_case_check", "es"),
                                     expected("utter_ask_reg_location", "es"))


def test_a_question_and_a_language_switch_mid_form(phone):
    person = phone()
    start(person, "es")
    ask(person, "si")
    ask(person, "1")
    assert ask(person, "Ciudad Juarez") == expected("utter_ask_reg_name", "es")
    # A question instead of a name: answered, then the same question again.
    assert ask(person, "cuanto me va a costar esto?") == said(
        catalogs.text("utter_cost_scam", "es"), expected("utter_ask_reg_name", "es"))
    # The answer came without its menu, so a number now answers the form, not the menu.
    assert ask(person, "1") == invalid("name_letters", "es")
    assert ask(person, "english please") == said(
        expected("utter_language_changed", "en"), expected("utter_ask_reg_name", "en"))
    assert ask(person, "Ana Maria Perez") == expected("utter_ask_reg_birth_date", "en")


def test_a_correction_at_the_summary(phone, people):
    person = phone()
    a_number = new_a_number()
    start(person, "es")
    answer_all(person, spanish_answers(a_number), "es")
    assert ask(person, "2") == expected("utter_ask_reg_birth_date", "es")
    corrected = ask(person, "16/03/1988")
    assert "16 de marzo de 1988" in corrected and corrected.startswith(
        catalogs.text("utter_ask_reg_confirm", "es", summary="").split("\n")[0])
    # By name as well as by number.
    assert ask(person, "cambiar el nombre") == expected("utter_ask_reg_name", "es")
    assert "Maria Jose Lopez" in ask(person, "Maria Jose Lopez")
    ask(person, "si")
    reg = people.registration(person)
    assert (reg.birth_date, reg.name) == ("1988-03-16", "Maria Jose Lopez")


def test_cancel_stops_keeps_nothing_and_does_not_opt_out(phone, people):
    person = phone()
    start(person, "es")
    ask(person, "si")
    ask(person, "1")
    assert ask(person, "CANCELAR") == expected("utter_reg_cancelled", "es")
    assert people.registration(person) is None
    # Still subscribed, and the form is really gone: a new start asks for consent again.
    start(person, "es", "registro")


def new_session(stack, contact_id: str) -> list[str]:
    """What an hour of silence does: Rasa starts a new session (our action_session_start)."""
    response = requests.post(
        f"http://127.0.0.1:{stack.ports.rasa}/conversations/{contact_id}/execute",
        params={"token": stack.env["RASA_TOKEN"]}, json={"name": "action_session_start"},
        timeout=60)
    response.raise_for_status()
    return [m.get("text") for m in response.json()["messages"]]


def test_answers_survive_a_new_session_and_a_pause(phone, stack, people):
    person = phone()
    start(person, "es")
    for text in ("si", "2", "Matamoros", "Pedro Ramirez Soto"):
        ask(person, text)
    # Days later, the answer to the open question is still taken as its answer.
    assert new_session(stack, people.contact_id(person)) == []
    assert ask(person, "01/01/1990") == expected("utter_ask_reg_citizenship", "es")
    assert ask(person, "hola buenas") == said(expected("utter_reg_resume", "es"),
                                              expected("utter_ask_reg_citizenship", "es"))
    # Paused (they said goodbye): the next session reminds them, REGISTRO goes on.
    assert ask(person, "adios, luego sigo") == expected("utter_reg_paused", "es")
    assert new_session(stack, people.contact_id(person)) == [
        catalogs.text("utter_reg_unfinished", "es")]
    assert ask(person, "registro") == said(expected("utter_reg_resume", "es"),
                                           expected("utter_ask_reg_citizenship", "es"))
    assert ask(person, "Nicaragua") == expected("utter_ask_reg_a_number", "es")


def test_a_second_registration_of_one_a_number_looks_like_any_other(phone, people):
    a_number = new_a_number()
    first, second = phone(), phone()
    for person in (first, second):
        start(person, "es")
        answer_all(person, spanish_answers(a_number), "es")
        reply = ask(person, "si")
        reg = people.registration(person)
        assert reply == expected("utter_reg_done", "es", reference=reg.reference)
    original, attempt = people.registration(first), people.registration(second)
    assert original.status == "received" and attempt.status == "duplicate"
    assert attempt.duplicate_of == original.reference
    # Asked later, the second phone hears nothing about the first registration.
    assert ask(second, "cual es el estado de mi registro") == catalogs.text(
        "reg.status.received", "es", reference=attempt.reference)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_bad_answers_get_a_hint_and_three_failures_offer_a_person(phone, people, stack_redis, lang):
    person = phone()
    start(person, lang)
    for text in ("1", "1", "Tijuana"):
        ask(person, text)
    assert ask(person, "<script>alert(1)</script>") == invalid("name_letters", lang)
    assert ask(person, "Rosa Elena Diaz") == expected("utter_ask_reg_birth_date", lang)
    assert ask(person, "31/02/1990") == invalid("date_impossible", lang)
    tomorrow = date.fromordinal(date.today().toordinal() + 1).strftime("%d/%m/%Y")
    assert ask(person, tomorrow) == invalid("date_future", lang)
    assert ask(person, "20/05/1991") == expected("utter_ask_reg_citizenship", lang)
    assert ask(person, "El Salvador") == expected("utter_ask_reg_a_number", lang)
    assert ask(person, "A-123-4567") == invalid("a_number_length", lang)
    assert ask(person, "+52 1 55 1234 5678") == invalid("a_number_phone", lang)
    assert ask(person, "A 12345678901") == said(invalid("a_number_phone", lang),
                                                expected("utter_reg_offer_human", lang))
    reply = ask(person, "agente" if lang == "es" else "agent")
    assert reply.startswith(expected("utter_human_handoff", lang))
    assert reply.endswith(expected("utter_reg_paused", lang))
    waiting = {e["contact_id"]: e for e in escalations.waiting(stack_redis)}
    assert waiting[people.contact_id(person)]["reason"] == "registration:reg_a_number"
    assert people.registration(person) is None


def test_empty_and_emoji_answers_lose_nothing(phone):
    person = phone()
    start(person, "es")
    ask(person, "si")
    ask(person, "1")
    ask(person, "Tijuana")
    assert ask(person, "🙏🙏") == catalogs.text("unreadable.no_text", "es")
    assert ask(person, "Luis Alberto Gomez") == expected("utter_ask_reg_birth_date", "es")


def test_identity_is_never_stored_in_plain_text(phone, people, stack):
    person = phone()
    a_number = new_a_number()
    start(person, "es")
    answer_all(person, spanish_answers(a_number), "es")
    ask(person, "si")
    assert people.registration(person).a_number == a_number
    secrets_ = [s.encode() for s in ("María José López", "Maria Jose Lopez", a_number,
                                     a_number[1:], "1988-03-15", "15 marzo 88",
                                     parse_address(person.address).number.lstrip("+"))]
    raw = Redis.from_url(stack.env["REDIS_URL"])  # bytes: RQ keeps binary job data
    leaks = [(key, s) for key, values in raw_values(raw) for value in values
             for s in secrets_ if s in value]
    assert not leaks


def test_delete_my_data_asks_then_erases_registration_and_conversation(phone, people, stack_redis):
    person = phone()
    start(person, "es")
    answer_all(person, spanish_answers(new_a_number()), "es")
    ask(person, "si")
    reference = people.registration(person).reference
    contact_id = people.contact_id(person)
    assert stack_redis.exists(f"hotline:tracker:{contact_id}")
    assert ask(person, "quiero que borren mis datos") == expected("utter_ask_delete_confirm", "es")
    assert ask(person, "BORRAR") == expected("utter_delete_done", "es")
    assert people.registration(person) is None
    assert not stack_redis.exists(f"hl:reg:{reference}")
    assert not stack_redis.exists(f"hotline:tracker:{contact_id}")
    assert [e["action"] for e in people.store.audit_trail(reference)][-1] == "erased"


def test_delete_is_not_done_without_a_clear_yes(phone, people):
    person = phone()
    start(person, "es")
    answer_all(person, spanish_answers(new_a_number()), "es")
    ask(person, "si")
    assert ask(person, "delete my data") == expected("utter_ask_delete_confirm", "es")
    assert ask(person, "mmm mejor no") == expected("utter_delete_kept", "es")
    assert people.registration(person) is not None
