"""Handing a conversation to the hotline's people: on request, and at once on danger.

On request, the person is told, in their language, that a person will answer and roughly when:
the wait from the queue, or, outside operator hours, when the team is back.

On danger, the emergency answer is the only message of the turn: what to do now (911), and
either that the team was alerted (in operator hours) or, outside them, that nobody can answer
now. A second message about the queue would take back what the first promised.
"""

from __future__ import annotations

import logging
from typing import Any

from babel.dates import format_datetime
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from redis.exceptions import RedisError

from hotline.handoff import figures, hours
from hotline.handoff import queue as escalations
from hotline.handoff.hours import emergency_response

from ._base import answer_language, runtime

log = logging.getLogger(__name__)


def queue_for_people(contact_id: str, reason: str, urgent: bool, lang: str) -> bool:
    """Put the conversation in the operators' queue, saying nothing; False if Redis failed
    (what to do now was already said, and must not fail with it)."""
    try:
        escalations.escalate(runtime().redis, contact_id, reason, urgent=urgent, language=lang)
        return True
    except RedisError:
        log.exception("could not queue %s for %s", reason, contact_id)
        return False


def hand_to_people(dispatcher: CollectingDispatcher, contact_id: str, reason: str, urgent: bool,
                   lang: str) -> None:
    """Queue the conversation and say when a person will answer (the caller says the rest).

    `lang` is the person's language now: the operators see it, and the opening time is written
    in it; the responses' own language is the NLG endpoint's, decided by the same rule.
    """
    rt = runtime()
    settings = rt.settings
    try:
        escalations.escalate(rt.redis, contact_id, reason, urgent=urgent, language=lang)
        opens = hours.opening(settings.operator_hours, settings.timezone)
        if opens is not None:
            when = format_datetime(opens, "EEEE H:mm", locale=lang)
            dispatcher.utter_message(response="utter_handoff_after_hours", opens=when)
        else:
            dispatcher.utter_message(response="utter_handoff_wait",
                                     minutes=figures.wait_minutes(rt.redis, contact_id))
    except RedisError:
        # What to do now was already said; the queue entry must not fail the answer.
        log.exception("could not queue %s for %s", reason, contact_id)


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        settings = runtime().settings
        # What to do right now, alone; the queue entry must not delay it or fail it.
        dispatcher.utter_message(
            response=emergency_response(settings.operator_hours, settings.timezone))
        queue_for_people(tracker.sender_id, "emergency", True, answer_language(tracker))
        return []


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        reason = "misunderstood" if tracker.get_intent_of_latest_message() == "affirm" else "asked"
        dispatcher.utter_message(response="utter_human_handoff")
        hand_to_people(dispatcher, tracker.sender_id, reason, False, answer_language(tracker))
        return []
