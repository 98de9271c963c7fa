"""A request to stop messages in the person's own words, read by the model.

The keywords and rules of `hotline.messaging.keywords` catch the usual ways to ask before a
message reaches the assistant; what arrives here was phrased otherwise. Whether the model is sure
enough to opt the person out is decided by the gateway, where every STOP is handled and answered
(`hotline.messaging.inbound`, `HOTLINE_STOP_CONFIDENCE`): this action only reports what the model
read and how sure it was.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from hotline.messaging.keywords import STOP_REQUEST


class ActionStopRequest(Action):
    def name(self) -> str:
        return "action_stop_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        try:
            confidence = float(intent.get("confidence") or 0.0)
        except (TypeError, ValueError):
            confidence = 0.0
        dispatcher.utter_message(json_message={STOP_REQUEST: round(confidence, 4)})
        return []
