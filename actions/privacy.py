"""Erasing a person's data when they ask: confirmed first, then done at once, then said."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from hotline import erasure
from hotline.registration import answers
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
    """Erase the person everywhere now (`hotline.erasure`); returns how many registrations went.

    This turn is still being answered, so the gateway erases again what it writes (Rasa saves
    the tracker until then) once it is: `erasure.finish_erasure`.
    """
    return erasure.erase(runtime(), contact_id, during_turn=True)["registrations"]


class AskDeleteConfirm(Action):
    def name(self) -> str:
        return "action_ask_delete_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_delete_confirm")
        return []
