"""Compliance keywords, matched before the assistant sees a message.

Carriers and Twilio treat a message that is only one of these words as an opt-out, opt-in or
help request; Spanish words are our own (Twilio's Advanced Opt-Out adds them on the Messaging
Service). Case, accents and surrounding punctuation do not matter.

>>> match("Stop")
'opt_out'
>>> match(" ¡Cancelár! ")
'opt_out'
>>> match("alta")
'opt_in'
>>> match("AYUDA")
'help'
>>> match("stop sending me the wrong info") is None
True
"""

from __future__ import annotations

from hotline.text import fold

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"

_KEYWORDS = {
    OPT_OUT: {
        "stop", "stopall", "unsubscribe", "cancel", "end", "quit",
        "parar", "alto", "baja", "cancelar",
    },
    OPT_IN: {"start", "unstop", "alta", "inicio"},
    HELP: {"help", "ayuda"},
}
_LOOKUP = {word: kind for kind, group in _KEYWORDS.items() for word in group}

# Which language a keyword itself signals, so a first message of "BAJA" gets a Spanish reply.
SPANISH_KEYWORDS = {"parar", "alto", "baja", "cancelar", "alta", "inicio", "ayuda"}


def match(body: str) -> str | None:
    """The keyword kind when the whole message is one keyword, else None."""
    return _LOOKUP.get(fold(body))


def is_cancel(body: str) -> bool:
    """CANCEL or CANCELAR, which also mean "stop this registration" while one is open.

    >>> is_cancel("Cancelar"), is_cancel("STOP")
    (True, False)
    """
    return fold(body) in ("cancel", "cancelar")


def keyword_language(body: str) -> str | None:
    word = fold(body)
    if word not in _LOOKUP:
        return None
    return "es" if word in SPANISH_KEYWORDS else "en"
