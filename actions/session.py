"""A new conversation session (after an hour of silence) keeps a registration going.

The session starts before the message that opened it is understood, so its reminder of an
unfinished registration would come first in the reply. When that message sounds like danger the
reminder is left out: the emergency answer must be the turn's only message.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from hotline.registration import form_mark, reading

from ._base import runtime
from .registration import FORM, QUESTIONS


def _opens_with_danger(tracker: Tracker) -> bool:
    """Whether the message that opened this session has a word of danger in it (the gateway
    names the message in the metadata Rasa gives the session start)."""
    metadata = tracker.get_slot("session_started_metadata") or {}
    sid = metadata.get("message_sid") if isinstance(metadata, dict) else None
    message = runtime().messages.load_inbound(sid) if sid else None
    return message is not None and reading.sounds_like_danger(message.body)


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
            if any(carried.get(name) is not None for name in QUESTIONS) and \
                    not _opens_with_danger(tracker):
                dispatcher.utter_message(response="utter_reg_unfinished")
        events.append(ActionExecuted("action_listen"))
        return events
