"""An emergency answer is the only message of its turn: in operator hours and outside them,
outside the form and in it; and the session start does not speak before it."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import ActionEmergency, emergency_response
from actions.registration import Turn
from actions.session import ActionSessionStart
from hotline.handoff import queue as escalations
from hotline.messaging.channels import parse_address
from hotline.messaging.messages import Inbound
from hotline.runtime import Runtime
from support import SMS_NUMBER

ZONE = "America/Mexico_City"
ALWAYS = "00:00-23:59:59"
NEVER = "00:00-00:00"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=ZoneInfo(ZONE))


@pytest.mark.parametrize("hours,now,response", [
    ("08:00-20:00", at(12), "utter_emergency"),
    ("08:00-20:00", at(8), "utter_emergency"),
    ("08:00-20:00", at(19, 59), "utter_emergency"),
    ("08:00-20:00", at(20), "utter_emergency_after_hours"),
    ("08:00-20:00", at(3), "utter_emergency_after_hours"),
    ("08:00-20:00", at(7, 59), "utter_emergency_after_hours"),
    (NEVER, at(12), "utter_emergency_after_hours"),
])
def test_the_emergency_answer_follows_operator_hours(hours, now, response):
    assert emergency_response(hours, ZONE, now) == response


@pytest.fixture
def hours(settings, redis, monkeypatch):
    """Make the action server's runtime one whose operators are always, or never, on duty."""

    def use(operator_hours: str) -> Runtime:
        rt = Runtime(dataclasses.replace(settings, operator_hours=operator_hours))
        monkeypatch.setattr("hotline.runtime._process_runtime", rt)
        return rt

    return use


def tracker(text: str, intent: str, requested: str | None = None, **slots) -> Tracker:
    if requested:
        slots = {requested: text, **slots}
    return Tracker(
        sender_id="c-danger", slots={"requested_slot": requested, **slots},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.98},
                        "intent_ranking": [{"name": intent, "confidence": 0.98}],
                        "metadata": {"language": "es"}},
        events=[], paused=False, followup_action=None,
        active_loop={"name": "registration_form"} if requested else {},
        latest_action_name="action_listen")


@pytest.mark.parametrize("operator_hours,response", [
    (ALWAYS, "utter_emergency"), (NEVER, "utter_emergency_after_hours")])
def test_emergency_is_answered_alone_and_queued_urgent(hours, redis, operator_hours, response):
    hours(operator_hours)
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionEmergency().run(dispatcher, tracker("nos quieren matar", "emergency"), {}))
    assert [m.get("response") for m in dispatcher.messages] == [response]
    entry = escalations.get(redis, "c-danger")
    assert entry["urgent"] == "1" and entry["reason"] == "emergency"


@pytest.mark.parametrize("operator_hours,response", [
    (ALWAYS, "utter_emergency"), (NEVER, "utter_emergency_after_hours")])
def test_danger_mid_registration_gets_the_emergency_answer_alone(hours, redis, operator_hours,
                                                                 response):
    hours(operator_hours)
    dispatcher = CollectingDispatcher()
    events = Turn(dispatcher, tracker("ayuda me quieren matar", "emergency", "reg_name",
                                      reg_consent="yes", reg_case="pending")).decide()
    # Not "registration paused", not the next question: the form is closed, answers kept.
    assert [m.get("response") for m in dispatcher.messages] == [response]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert not any(e.get("event") == "slot" and e["name"] in ("reg_consent", "reg_case")
                   for e in events)
    assert escalations.get(redis, "c-danger")["urgent"] == "1"


@pytest.mark.parametrize("body,reminded", [
    ("hola, ya regresé", True),
    ("nos tienen secuestrados, ayuda", False),
])
def test_the_session_start_does_not_speak_before_danger(hours, body, reminded):
    rt = hours(ALWAYS)
    number = "+5215500000001"
    contact_id = rt.contacts.touch_inbound(parse_address(number))
    sid = "SM" + "7" * 32
    rt.messages.save_inbound(Inbound(sid, contact_id, "sms", number, SMS_NUMBER, body, 0,
                                     time.time()), 3600)
    session = Tracker(
        sender_id=contact_id,
        slots={"reg_consent": "yes", "reg_case": "pending", "requested_slot": None,
               "session_started_metadata": {"message_sid": sid, "language": "es"}},
        latest_message={}, events=[], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSessionStart().run(dispatcher, session, {}))
    said = [m.get("response") for m in dispatcher.messages]
    assert said == (["utter_reg_unfinished"] if reminded else [])
