"""'Your messages stopped coming', 'keep sending them', 'I sent STOP by mistake': whether this
number still gets the hotline's messages, and on which channel it asked for none.

A message reaches this action only on a channel the person has not stopped: the gateway keeps
everything but START and HELP from the assistant on a stopped channel
(`hotline.messaging.inbound`). So this channel is on the list, and the news people most fear
behind the question (did my registration get lost?) follows when there is a registration.

Being on the list is not always enough on WhatsApp: outside the 24 hours after the person's last
message, news goes there only as an approved template, or by SMS to someone who wrote by SMS or
chose it, or not at all (`hotline.messaging.routing.choose`). When neither route is open to this
person, the answer says so and how to open the SMS one.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from hotline.contacts import CHANNELS
from hotline.messaging import routing
from hotline.runtime import Runtime

from ._base import runtime
from .registration.status import say_latest_status


class ActionMessageDelivery(Action):
    def name(self) -> str:
        return "action_message_delivery"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        rt = runtime()
        metadata = (tracker.latest_message or {}).get("metadata")
        channel = metadata.get("channel") if isinstance(metadata, dict) else None
        # Only a STOP that named its channel leaves another one open; "STOP ALL" would have
        # kept this message from the assistant.
        stopped = [other for other in CHANNELS
                   if other != channel and rt.contacts.is_opted_out(tracker.sender_id, other)]
        dispatcher.utter_message(response="utter_messages_on_list")
        if channel == "whatsapp":
            _whatsapp_news_route(rt, dispatcher, tracker.sender_id, sms_stopped="sms" in stopped)
        for other in stopped:
            dispatcher.utter_message(response=f"utter_messages_stopped_{other}")
        say_latest_status(dispatcher, tracker.sender_id)
        return []


def _whatsapp_news_route(rt: Runtime, dispatcher: CollectingDispatcher, contact_id: str,
                         sms_stopped: bool) -> None:
    """Say when news may not reach this person on WhatsApp, as `routing.choose` decides it."""
    if rt.settings.whatsapp_content_sid:
        return  # news goes as the approved template, whenever they last wrote
    sms_number = routing.hotline_number(rt.settings.hotline_numbers, "sms")
    if sms_number and not sms_stopped and rt.contacts.sms_allowed(contact_id):
        return  # news goes by SMS when the window is closed
    dispatcher.utter_message(response="utter_messages_whatsapp_window")
    if sms_number and not sms_stopped:
        dispatcher.utter_message(response="utter_messages_sms_instead", sms_number=sms_number)
    # SMS stopped: the answer goes on to say how to start it (utter_messages_stopped_sms).
