"""Whether registration starts, decided at the turn from the status in force (Redis), and what
happens to a form when intake closes under it. No model: the intent is given."""

from __future__ import annotations

from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher

from actions.registration import Turn
from hotline.content import program_status
from hotline.content.program_status import Intake, Organization

ORG = Organization("Casa de Prueba", "+52 000 000 0000", ("registrations",))


def set_intake(rt, is_open: bool) -> None:
    """As an operator's `status set` does: the document in Redis, read at the next turn."""
    current = program_status.load(rt.settings.program_status_file, rt.redis)
    today = date.today()
    program_status.store_override(rt.redis, current.changed(
        intake=Intake(is_open, today, today), organizations=(ORG,) if is_open else ()))


@pytest.fixture
def turn(rt, monkeypatch):
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)

    def make(text: str, intent: str = "register", requested: str | None = None, **slots):
        active = {"name": "registration_form"} if requested else {}
        if requested:
            slots = {requested: text, **slots}
        tracker = Tracker(
            sender_id="c-intake", slots={"requested_slot": requested, **slots},
            latest_message={"text": text, "intent": {"name": intent, "confidence": 0.97},
                            "intent_ranking": [{"name": intent, "confidence": 0.97}],
                            "metadata": {"language": "es"}},
            events=[], paused=False, followup_action=None, active_loop=active,
            latest_action_name="action_listen")
        dispatcher = CollectingDispatcher()
        events = Turn(dispatcher, tracker).decide()
        return events, [m.get("response") for m in dispatcher.messages]

    return make


def requested_next(events) -> str | None:
    values = [e["value"] for e in events
              if e.get("event") == "slot" and e["name"] == "requested_slot"]
    return values[-1] if values else "unset"


@pytest.mark.parametrize("text", ["quiero registrarme", "REGISTRO", "register"])
def test_intake_closed_no_form_starts(turn, rt, text):
    set_intake(rt, False)
    events, said = turn(text)
    assert said == ["utter_reg_intake_closed"]
    assert ActiveLoop(None) in events and requested_next(events) is None


@pytest.mark.parametrize("text", ["quiero registrarme", "REGISTRO", "register"])
def test_intake_open_the_form_starts_with_consent(turn, rt, text):
    set_intake(rt, True)
    events, said = turn(text)
    # The consent question is asked next, by action_ask_reg_consent.
    assert said == [] and requested_next(events) == "reg_consent"
    assert ActiveLoop(None) not in events


def test_the_check_is_made_at_each_turn_without_a_restart(turn, rt):
    set_intake(rt, True)
    assert requested_next(turn("registro")[0]) == "reg_consent"
    set_intake(rt, False)
    assert turn("registro")[1] == ["utter_reg_intake_closed"]
    program_status.clear_override(rt.redis)  # back to the file: intake closed
    assert turn("registro")[1] == ["utter_reg_intake_closed"]


@pytest.mark.parametrize("is_open", [True, False])
def test_the_menus_registration_option_informs_first(turn, rt, is_open):
    set_intake(rt, is_open)
    events, said = turn("/register")
    assert said == ["utter_register_info"]
    assert ActiveLoop(None) in events


def test_a_consented_registration_may_be_finished_after_intake_closes(turn, rt):
    set_intake(rt, False)
    events, said = turn("registro", reg_consent="yes", reg_case="pending")
    assert said == ["utter_reg_resume"] and requested_next(events) == "reg_location"


def test_at_the_consent_question_when_intake_closed_the_form_stops_and_keeps_nothing(turn, rt):
    set_intake(rt, True)
    turn("registro")
    set_intake(rt, False)
    events, said = turn("si acepto", intent="affirm", requested="reg_consent")
    assert said == ["utter_reg_intake_closed"]
    assert ActiveLoop(None) in events
    assert {"event": "slot", "timestamp": None, "name": "reg_consent", "value": None} in events


def test_a_consent_given_while_open_goes_on(turn, rt):
    set_intake(rt, True)
    events, said = turn("si acepto", intent="affirm", requested="reg_consent")
    assert said == [] and requested_next(events) == "reg_case"


def test_no_a_number_continues_the_form_and_says_so(turn, rt):
    set_intake(rt, True)
    events, said = turn("no lo tengo", intent="deny", requested="reg_a_number",
                        reg_consent="yes")
    assert said == ["utter_reg_a_number_missing"]
    assert {"event": "slot", "timestamp": None, "name": "reg_a_number", "value": "none"} in events
    assert requested_next(events) == "reg_case"  # the next unanswered question
