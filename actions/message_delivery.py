"""'Your messages stopped coming', 'keep sending them', 'I sent STOP by mistake': whether this
number still gets the hotline's messages, and on which channel it asked for none.

A message reaches this action only on a channel the person has not stopped: the gateway keeps
everything but START and HELP from the assistant on a stopped channel
(`hotline.messaging.inbound`). So this channel is on the list, and the news people most fear
behind the question (did my registration get lost?) follows when there is a registration.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from hotline.contacts import CHANNELS

from ._base import runtime
from .registration.status import say_latest_status


class ActionMessageDelivery(Action):
    def name(self) -> str:
        return "action_message_delivery"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        contacts = runtime().contacts
        metadata = (tracker.latest_message or {}).get("metadata")
        channel = metadata.get("channel") if isinstance(metadata, dict) else None
        dispatcher.utter_message(response="utter_messages_on_list")
        # Only a STOP that named its channel leaves another one open; "STOP ALL" would have
        # kept this message from the assistant.
        for other in CHANNELS:
            if other != channel and contacts.is_opted_out(tracker.sender_id, other):
                dispatcher.utter_message(response=f"utter_messages_stopped_{other}")
        say_latest_status(dispatcher, tracker.sender_id)
        return []
