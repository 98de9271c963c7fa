"""A new conversation session (after an hour of silence) keeps a registration going."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from hotline.registration import form_mark

from ._base import runtime
from .registration import FORM, QUESTIONS


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        # Overriding the default means carrying the slots over ourselves.
        carried = {k: v for k, v in tracker.slots.items()
                   if v is not None and k not in ("requested_slot", "session_started_metadata")}
        events: list[EventType] = [SessionStarted()]
        events += [SlotSet(k, v) for k, v in carried.items()]
        requested = tracker.get_slot("requested_slot")
        if tracker.active_loop_name == FORM and requested in QUESTIONS:
            # Someone answering a question hours or days later is still answering it: the
            # message that opened this session goes to the form like any other.
            events += [ActiveLoop(FORM), SlotSet("requested_slot", requested)]
        else:
            form_mark.mark(runtime().redis, tracker.sender_id, None)
            if any(carried.get(name) is not None for name in QUESTIONS):
                dispatcher.utter_message(response="utter_reg_unfinished")
        events.append(ActionExecuted("action_listen"))
        return events
