"""Asking the registration questions: one `action_ask_<slot>` per question, and the summary.

Each asks its question unless the validation just did, inside its "that is not a date, for
example ..." message: one SMS instead of two.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from hotline.registration.reading import SUMMARY
from hotline.registration.summary import summary

from .._base import answer_language, runtime
from .form import QUESTIONS


class AskQuestion:
    """Asks one registration question, unless the validation just did in its error message.

    Mixed into one `action_ask_<slot>` Action per question below.
    """

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("reg_said") == "error":
            return [SlotSet("reg_said", None)]
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


# rasa-sdk finds actions by subclass; keep a reference so each class stays alive.
ASK_ACTIONS = {slot: type(f"Ask_{slot}", (AskQuestion, Action),
                          {"slot": slot, "__module__": __name__})
               for slot in QUESTIONS if slot != "reg_confirm"}


class AskConfirm(Action):
    """The summary, with numbered lines the person can correct by number."""

    def name(self) -> str:
        return "action_ask_reg_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("reg_said") == "error":
            return [SlotSet("reg_said", None)]
        # Written in the language the NLG endpoint will choose for the response around it.
        lang = answer_language(tracker)
        slots = {name: tracker.get_slot(name) for name in SUMMARY + ("reg_phone",)}
        dispatcher.utter_message(response="utter_ask_reg_confirm",
                                 summary=summary(slots, lang, runtime().catalogs))
        return []
