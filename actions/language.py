"""Switching the language a person is answered in."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from hotline.text import words

from ._base import gateway_language, runtime

_ENGLISH = {"english", "ingles", "inglish", "engl", "ingl"}
_SPANISH = {"spanish", "espanol", "castellano", "espaniol", "espanish", "espa"}


# A language named after one of these asks for the other one: "no entiendo inglés", "I don't
# speak Spanish", "stop writing to me in English", "ya no me escriban en inglés".
_REFUSING = {"no", "dont", "not", "stop", "quit", "dejen", "deje", "deja", "dejar", "basta"}
_COMMUNICATING = {"entiendo", "understand", "hablo", "speak", "write", "writing", "text",
                  "texting", "send", "sending", "escriban", "escribas", "escriba", "escribir",
                  "escribirme", "escribiendome", "manden", "mandar", "mandarme", "hablen", "leo",
                  "read", "se"}


def target_language(text: str, current: str) -> str:
    """The language asked for, or the other one when the message only asks to change.

    >>> target_language("can you speak english", "es"), target_language("en español porfa", "en")
    ('en', 'es')
    >>> target_language("cambiar idioma", "es")
    'en'
    >>> target_language("no entiendo ingles", "en")
    'es'
    >>> target_language("stop writing to me in english", "en")
    'es'
    >>> target_language("ya no me escriban en ingles", "en"), target_language("no se espanol", "es")
    ('es', 'en')
    """
    tokens = set(words(text))
    english = bool(tokens & _ENGLISH)
    spanish = bool(tokens & _SPANISH)
    refused = bool(tokens & _REFUSING and tokens & _COMMUNICATING)
    if english and not spanish:
        return "es" if refused else "en"
    if spanish and not english:
        return "en" if refused else "es"
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
