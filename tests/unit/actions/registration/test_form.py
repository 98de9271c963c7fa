"""How the registration form reads one message, whatever the model says about it.

These decide turns directly (no model): the model's intent is given, so each rule is checked
against the classifications that once went wrong in real runs.
"""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import emergency_response
from actions.registration import Turn
from hotline.handoff import queue as escalations


@pytest.fixture
def turn(rt, redis, monkeypatch):
    # The action server's runtime is the process runtime: here, the unit tests' one.
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)

    def make(requested: str, text: str, intent: str, confidence: float, **slots):
        tracker = Tracker(
            sender_id="c-test", slots={"requested_slot": requested, requested: text, **slots},
            latest_message={"text": text, "intent": {"name": intent, "confidence": confidence},
                            "intent_ranking": [{"name": intent, "confidence": confidence}],
                            "metadata": {"language": "es"}},
            events=[], paused=False, followup_action=None,
            active_loop={"name": "registration_form"}, latest_action_name="action_listen")
        dispatcher = CollectingDispatcher()
        events = Turn(dispatcher, tracker).decide()
        said = [m.get("response") for m in dispatcher.messages]
        keys = [m.get("message_key") for m in dispatcher.messages if m.get("message_key")]
        return events, said, keys, dispatcher.messages

    return make


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == name]
    return values[-1] if values else "unset"


def test_a_name_the_model_links_to_a_topic_is_a_mistyped_date(turn):
    events, said, keys, _ = turn("reg_birth_date", "Jose Luis Hernandez Cruz", "border_warning",
                                 0.93)
    assert said == ["utter_reg_invalid"] and keys == ["reg.invalid.birth_date"]
    assert slot(events, "requested_slot") == "reg_birth_date"


def test_a_question_mid_form_is_answered_without_its_menu_then_asked_again(turn):
    events, said, _, messages = turn("reg_birth_date", "y cuanto cuesta esto?", "cost_scam", 0.5)
    assert said == ["utter_cost_scam"] and messages[0]["options"] is False
    assert slot(events, "reg_said") == "answer" and slot(events, "reg_birth_date") is None


def test_a_name_that_sounds_like_danger_is_a_name(turn):
    events, said, _, _ = turn("reg_name", "Socorro Ayala", "emergency", 0.99)
    assert said == [] and slot(events, "reg_name") == "Socorro Ayala"


def test_danger_mid_form_pauses_and_is_urgent(turn, redis, settings):
    events, said, _, _ = turn("reg_name", "ayuda me quieren matar", "emergency", 0.97)
    # The emergency answer alone (no "registration paused" after it), for this hour.
    assert said == [emergency_response(settings.operator_hours, settings.timezone)]
    assert ActiveLoop(None) in events and slot(events, "reg_name") is None
    assert escalations.get(redis, "c-test")["urgent"] == "1"


def test_a_city_is_not_a_threat(turn):
    events, said, _, _ = turn("reg_location", "Matamoros", "emergency", 0.71)
    assert said == [] and slot(events, "reg_location") == {"country": "MX", "place": "Matamoros"}


def test_a_short_a_number_is_a_field_error_not_a_request_for_help(turn):
    events, said, keys, _ = turn("reg_a_number", "A-123-4567", "help", 0.69)
    assert keys == ["reg.invalid.a_number_length"]


def test_cancel_keeps_nothing(turn):
    events, said, _, _ = turn("reg_name", "cancelar", "deny", 0.5, reg_case="pending")
    assert said == ["utter_reg_cancelled"] and slot(events, "reg_case") is None


def test_a_sure_request_to_stop_mid_form_is_reported_and_the_answers_kept(turn):
    events, said, _, messages = turn("reg_birth_date", "ya me tienen harto con tantos mensajes",
                                     "stop_messages", 0.95, reg_case="pending")
    # Reported to the gateway, which opts the person out as for any STOP; nothing else said.
    assert [m.get("custom") for m in messages] == [{"hotline_stop_request": 0.95}]
    assert ActiveLoop(None) in events and slot(events, "reg_case") == "unset"  # kept


@pytest.mark.parametrize("text,confidence", [
    ("ya no se, creo que en marzo", 0.6),  # unsure: read as an answer
    ("no dejen de escribirme por favor", 0.97),  # the rules know it only looks like a stop
])
def test_an_unsure_or_vetoed_stop_mid_form_does_not_end_the_form(turn, text, confidence):
    events, _, _, messages = turn("reg_birth_date", text, "stop_messages", confidence)
    assert not [m for m in messages if m.get("custom")]
    assert ActiveLoop(None) not in events


def test_a_name_is_a_name_however_sure_the_model_is_of_a_stop(turn):
    events, _, _, messages = turn("reg_name", "Alto Mendoza", "stop_messages", 0.99)
    assert not [m for m in messages if m.get("custom")]
    assert slot(events, "reg_name") == "Alto Mendoza"
