"""Handing a conversation to the hotline's people: on request, and at once on danger."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from redis.exceptions import RedisError

from hotline import escalations

from ._base import language, redis

log = logging.getLogger(__name__)


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        # What to do right now comes first; the queue entry must not delay it or fail it.
        dispatcher.utter_message(response="utter_emergency")
        try:
            escalations.escalate(redis(), tracker.sender_id, "emergency", urgent=True,
                                 language=language(tracker))
        except RedisError:
            log.exception("could not queue emergency for %s", tracker.sender_id)
        return []


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        reason = "misunderstood" if tracker.get_intent_of_latest_message() == "affirm" else "asked"
        escalations.escalate(redis(), tracker.sender_id, reason, urgent=False,
                             language=language(tracker))
        dispatcher.utter_message(response="utter_human_handoff")
        return []
