"""Switching the language a person is answered in."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from hotline.text import words

from ._base import gateway_language, runtime

_ENGLISH = {"english", "ingles", "inglish", "engl", "ingl"}
_SPANISH = {"spanish", "espanol", "castellano", "espaniol", "espanish", "espa"}


def target_language(text: str, current: str) -> str:
    """The language asked for, or the other one when the message only asks to change.

    >>> target_language("can you speak english", "es"), target_language("en español porfa", "en")
    ('en', 'es')
    >>> target_language("cambiar idioma", "es")
    'en'
    >>> target_language("no entiendo ingles", "en")
    'es'
    """
    tokens = words(text)
    not_understood = {"no", "dont", "not", "entiendo", "understand", "hablo", "speak"}
    english = any(t in _ENGLISH for t in tokens)
    spanish = any(t in _SPANISH for t in tokens)
    if english and not spanish:
        # "no entiendo inglés" / "I don't speak English" asks for the other language.
        if {"no", "dont", "not"} & set(tokens) and not_understood & set(tokens):
            return "es"
        return "en"
    if spanish and not english:
        if {"no", "dont", "not"} & set(tokens) and not_understood & set(tokens):
            return "en"
        return "es"
    return "en" if current == "es" else "es"


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        current = gateway_language(tracker)
        target = target_language(tracker.latest_message.get("text") or "", current)
        runtime().contacts.set_language(tracker.sender_id, target, chosen=True)
        # Changed this turn: said explicitly (see actions/_base.py).
        dispatcher.utter_message(response="utter_language_changed", lang=target)
        return []
