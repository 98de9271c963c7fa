"""Rasa's NLG endpoint, served by the gateway: the words of every response in the turn's
language, with today's program status."""

from hotline.messaging.channels import parse_address

AUTH = {"Authorization": "Bearer nlg-token"}  # as Rasa sends it (bot/endpoints.yml)


def nlg(client, response, lang=None, sender="c-nobody", token="nlg-token", arguments=None):
    """POST like Rasa does; `lang` is the turn's metadata language, as the gateway sends it."""
    arguments = arguments or {}
    tracker = {"sender_id": sender, "slots": {},
               "latest_message": {"metadata": {"language": lang} if lang else {}}}
    return client.post("/nlg", headers={"Authorization": f"Bearer {token}"},
                       json={"response": response, "arguments": arguments, "tracker": tracker,
                             "channel": {"name": "collector"}})


def test_nlg_requires_its_token(client):
    assert nlg(client, "utter_greet", token="wrong").status_code == 401
    assert client.post("/nlg", json={"response": "utter_greet"}).status_code == 401


def test_nlg_rejects_malformed_requests(client):
    assert client.post("/nlg", data="not json", headers=AUTH).status_code == 400
    assert client.post("/nlg", json={"response": 5}, headers=AUTH).status_code == 400


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
