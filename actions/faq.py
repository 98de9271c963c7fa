"""The FAQ's second pages."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from hotline.content.responses import load_responses

from ._base import runtime


def last_answer(tracker: Tracker) -> str | None:
    """The response name of the assistant's last message in this conversation."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


def pages() -> set[str]:
    settings = runtime().settings
    return set(load_responses(settings.domain_dir, settings.responses_dir))


class ActionMoreInfo(Action):
    """'More' (or option 1 under an answer) shows that answer's next page."""

    def name(self) -> str:
        return "action_more_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        previous = last_answer(tracker)
        page = f"{previous}_more" if previous else None
        if page and page in pages():
            dispatcher.utter_message(response=page)
        else:
            dispatcher.utter_message(response="utter_more_none")
        return []
