"""Outside the form: 'what is the status of my registration?' from the phone that registered."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from hotline.registration.store import PUBLIC_STATUS

from .._base import runtime
from .form import QUESTIONS


def say_latest_status(dispatcher: CollectingDispatcher, contact_id: str) -> bool:
    """The latest registration's reference and status, if this contact has one."""
    reg = runtime().registrations.latest_for_contact(contact_id)
    if reg is None:
        return False
    status = PUBLIC_STATUS.get(reg.status, reg.status)
    dispatcher.utter_message(response="utter_reg_status", reference=reg.reference,
                             message_key=f"reg.status.{status}")
    return True


class ActionRegistrationStatus(Action):
    """The latest registration's reference and status, or whether one is under way."""

    def name(self) -> str:
        return "action_registration_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if not say_latest_status(dispatcher, tracker.sender_id):
            draft = any(tracker.get_slot(name) is not None for name in QUESTIONS)
            dispatcher.utter_message(
                response="utter_reg_status_draft" if draft else "utter_reg_status_none")
        return []
