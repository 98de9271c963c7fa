"""Erasing a person's data when they ask: confirmed first, then done at once, then said."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from hotline.erasure import ERASE_MARK
from hotline.handoff import queue as escalations
from hotline.messaging.messages import TRANSCRIPT_KEY
from hotline.registration import answers, form_mark
from hotline.text import fold

from ._base import runtime
from .registration import clear_all

log = logging.getLogger(__name__)
_ERASE_WORDS = {"borrar", "borra", "borrenlo", "eliminar", "elimina", "delete", "erase",
                "remove", "si borrar", "yes delete", "si eliminar", "si borrenlo", "borrar todo",
                "delete everything"}


class ValidateDeleteForm(FormValidationAction):
    def name(self) -> str:
        return "validate_delete_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        # At activation Rasa already shows the form as active; only an open question means
        # this message answers it.
        if tracker.active_loop_name != "delete_form" or \
                tracker.get_slot("requested_slot") != "delete_confirm":
            return [SlotSet("delete_confirm", None), SlotSet("requested_slot", "delete_confirm")]
        text = (tracker.latest_message or {}).get("text") or ""
        done = [SlotSet("delete_confirm", None), SlotSet("requested_slot", None), ActiveLoop(None)]
        if fold(text) in _ERASE_WORDS or answers.yes_no(text, numbered=False):
            erased = erase(tracker.sender_id)
            log.info("erased data of %s on request (%d registrations)", tracker.sender_id, erased)
            dispatcher.utter_message(response="utter_delete_done")
            return done + clear_all()
        # Anything but a clear yes keeps the data: erasure cannot be undone.
        dispatcher.utter_message(response="utter_delete_kept")
        return done


def erase(contact_id: str) -> int:
    """Registrations, transcript and queue entry now; the gateway drops the conversation
    itself once this turn is answered (Rasa saves it again until then)."""
    rt = runtime()
    deleted = rt.registrations.delete_for_contact(contact_id, actor="person")
    r = rt.redis
    r.delete(TRANSCRIPT_KEY.format(contact_id), escalations.RECORD.format(contact_id))
    r.zrem(escalations.QUEUE, contact_id)
    r.srem(escalations.ACTIVE, contact_id)
    form_mark.forget(r, contact_id)
    r.set(ERASE_MARK.format(contact_id), 1, ex=24 * 3600)
    return len(deleted)


class AskDeleteConfirm(Action):
    def name(self) -> str:
        return "action_ask_delete_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_delete_confirm")
        return []
