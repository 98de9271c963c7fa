"""Delivery status callbacks and Rasa's NLG endpoint, served by the gateway."""

import pytest

from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound, Outbound
from hotline.messaging.twilio_client import sign

from .conftest import ACCOUNT_SID, AUTH_TOKEN

STATUS_URL = "http://localhost/twilio/status"


def callback(client, sid, status, error=None, token=AUTH_TOKEN):
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
    if error:
        params["ErrorCode"] = error
    return client.post(STATUS_URL, data=params,
                       headers={"X-Twilio-Signature": sign(token, STATUS_URL, params)})


@pytest.fixture
def sent(rt):
    rt.messages.create_outbound(Outbound(id="out1", contact_id="c1", to="+5215500000000",
                                         sender="+15005550006", body="x", kind="reply"))
    rt.messages.mark_outbound("out1", "queued", twilio_sid="SMsent")
    return "out1"


@pytest.mark.parametrize("states,final", [
    (["sent", "delivered"], "delivered"),
    (["delivered", "sent"], "delivered"),  # out of order: never moves backwards
    (["sent", "sent", "delivered", "delivered"], "delivered"),
    (["sent", "delivered", "read"], "read"),
    (["sent", "undelivered"], "undelivered"),
    (["failed"], "failed"),
])
def test_status_callbacks_record_the_furthest_state(client, rt, sent, states, final):
    for state in states:
        assert callback(client, "SMsent", state).status_code == 204
    assert rt.messages.load_outbound(sent).status == final


def test_error_code_is_recorded(client, rt, sent):
    callback(client, "SMsent", "undelivered", error="30003")
    msg = rt.messages.load_outbound(sent)
    assert (msg.status, msg.error_code) == ("undelivered", 30003)


def test_unsigned_callback_changes_nothing(client, rt, sent):
    assert callback(client, "SMsent", "failed", token="forged").status_code == 403
    assert rt.messages.load_outbound(sent).status == "queued"


def test_unknown_message_is_acknowledged(client):
    assert callback(client, "SMnotours", "delivered").status_code == 204


def test_callback_without_status_is_a_bad_request(client):
    params = {"MessageSid": "SMsent"}
    response = client.post(STATUS_URL, data=params,
                           headers={"X-Twilio-Signature": sign(AUTH_TOKEN, STATUS_URL, params)})
    assert response.status_code == 400


# NLG -----------------------------------------------------------------------------------------
def nlg(client, response, lang=None, sender="c-nobody", token="nlg-token", arguments=None):
    """POST like Rasa does; `lang` is the turn's metadata language, as the gateway sends it."""
    arguments = arguments or {}
    tracker = {"sender_id": sender, "slots": {},
               "latest_message": {"metadata": {"language": lang} if lang else {}}}
    return client.post(f"/nlg?token={token}",
                       json={"response": response, "arguments": arguments, "tracker": tracker,
                             "channel": {"name": "collector"}})


def test_nlg_requires_its_token(client):
    assert nlg(client, "utter_greet", token="wrong").status_code == 401
    assert client.post("/nlg", json={"response": "utter_greet"}).status_code == 401


def test_nlg_rejects_malformed_requests(client):
    assert client.post("/nlg?token=nlg-token", data="not json").status_code == 400
    assert client.post("/nlg?token=nlg-token", json={"response": 5}).status_code == 400


def test_nlg_answers_in_the_turns_language(client, rt):
    spanish = nlg(client, "utter_greet", lang="es").get_json()["text"]
    english = nlg(client, "utter_greet", lang="en").get_json()["text"]
    assert spanish == rt.catalogs.text("utter_greet", "es") and spanish.startswith("Hola")
    assert english == rt.catalogs.text("utter_greet", "en") and english.startswith("Hello")


def test_nlg_prefers_the_contacts_stored_language(client, rt):
    contact_id = rt.contacts.touch_inbound(parse_address("+5215599999999"))
    rt.contacts.set_language(contact_id, "en", chosen=True)
    text = nlg(client, "utter_greet", lang="es", sender=contact_id).get_json()["text"]
    assert text == rt.catalogs.text("utter_greet", "en")
    # ...but an action's explicit `lang=` wins (the language switch itself).
    text = nlg(client, "utter_greet", lang="en", sender=contact_id, arguments={"lang": "es"})
    assert text.get_json()["text"] == rt.catalogs.text("utter_greet", "es")


def test_nlg_translates_buttons(client, rt):
    body = nlg(client, "utter_default_human", lang="es").get_json()
    assert [b["title"] for b in body["buttons"]] == ["Sí", "No"]
    assert [b["payload"] for b in body["buttons"]] == ["/affirm", "/deny"]


def test_nlg_unknown_response_says_sorry_instead_of_silence(client, rt):
    body = nlg(client, "utter_does_not_exist", lang="es").get_json()
    assert body["text"] == rt.catalogs.text("error.no_answer", "es")


def test_program_status_is_dated_and_operator_changeable(client, rt, redis):
    from datetime import date

    from hotline.content import program_status

    text = nlg(client, "utter_program_status", lang="es").get_json()["text"]
    current = program_status.load(rt.settings.program_status_file)
    assert str(current.as_of.year) in text
    program_status.store_override(redis, program_status.ProgramStatus(
        "terminated", date(2031, 3, 4), date(2031, 3, 5)))
    changed = nlg(client, "utter_program_status", lang="en").get_json()["text"]
    assert "March 5, 2031" in changed and "March 4, 2031" in changed
    changed_es = nlg(client, "utter_program_status", lang="es").get_json()["text"]
    assert "5 de marzo de 2031" in changed_es


def test_answers_follow_the_intake_and_organizations_on_the_next_message(client, rt, redis):
    from datetime import date

    from hotline.content import program_status
    from hotline.content.program_status import Intake, Organization

    es = rt.catalogs
    consent = nlg(client, "utter_ask_reg_consent", lang="es").get_json()["text"]
    assert consent == es.text("utter_ask_reg_consent@intake_closed", "es",
                              intake_as_of="22 de enero de 2025")
    legal = nlg(client, "utter_legal_help", lang="es").get_json()["text"]
    assert es.text("orgs.none", "es") in legal
    casa = Organization("Casa X", "+52 000 000 0000", ("registrations", "legal_help"))
    program_status.store_override(redis, program_status.ProgramStatus(
        "reinstated", date(2025, 1, 21), date(2026, 11, 20),
        Intake(True, date(2026, 11, 1), date(2026, 11, 20)), (casa,), "Red Z"))
    consent = nlg(client, "utter_ask_reg_consent", lang="es").get_json()["text"]
    assert "Casa X (+52 000 000 0000)" in consent and "AVISAME" not in consent
    status = nlg(client, "utter_program_status", lang="en").get_json()["text"]
    assert status.startswith("As of November 20, 2026") and "takes registrations" in status
    assert "Casa X" in nlg(client, "utter_legal_help", lang="en").get_json()["text"]
    # An action's explicit message_key is resolved too.
    text = nlg(client, "utter_reg_invalid", lang="es",
               arguments={"message_key": "reg.intake_closed"}).get_json()["text"]
    assert text == es.text("reg.intake_closed@intake_open", "es",
                           intake_as_of="20 de noviembre de 2026")


def test_help_keyword_names_who_runs_the_hotline(sandbox_rt, redis):
    import time

    from conftest import SMS_NUMBER, sandbox_records

    from hotline.content import program_status
    from hotline.messaging import inbound, outbound

    rt = sandbox_rt

    def help_reply(number: str, sid: str) -> str:
        contact_id = rt.contacts.touch_inbound(parse_address(number))
        rt.messages.save_inbound(Inbound(sid, contact_id, "sms", number, SMS_NUMBER, "AYUDA", 0,
                                         time.time()), 3600)
        inbound.handle(rt, sid)
        outbound.drain(rt, contact_id)
        return rt.messages.transcript(contact_id)[-1]["text"]

    unset = help_reply("+5215544500001", "SMhelp1")
    assert unset.startswith("Línea MPP, atendida por " + rt.catalogs.text("run_by.none", "es"))
    current = program_status.load(rt.settings.program_status_file, redis)
    program_status.store_override(redis, current.changed(run_by="Red Z"))
    assert help_reply("+5215544500002", "SMhelp2").startswith("Línea MPP, atendida por Red Z:")
    assert len(sandbox_records(redis)) == 2
