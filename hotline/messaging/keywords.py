"""Keywords, matched before the assistant sees a message.

Carriers and Twilio treat a message that is only one of these words as an opt-out, opt-in or
help request; Spanish words are our own (Twilio's Advanced Opt-Out adds them on the Messaging
Service). Case, accents and surrounding punctuation do not matter.

AVISAME / AVÍSEME / NOTIFY ME ("tell me when registration opens") is the hotline's own: the
answers teach it, so it must work whatever the model makes of it. It may carry a few words of
the same request ("avísame cuando abra el registro"), and nothing else: a message that says
more (a danger, a question) goes to the assistant.

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
>>> match("Avísame cuando abra"), match("NOTIFY ME please")
('notify_me', 'notify_me')
>>> match("avisame si me quieren hacer daño") is None
True
"""

from __future__ import annotations

from hotline.text import fold

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
NOTIFY_ME = "notify_me"

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

# AVISAME as people write it: tú, usted, plural, with or without accents and spaces.
_NOTIFY_SPANISH = ("avisame", "aviseme", "avisenme", "me avisan", "me avisas", "me avisa")
_NOTIFY_ENGLISH = ("notify me", "notifyme", "notify")
# Words that may follow it and still only ask to be told ("... cuando abra el registro").
_NOTIFY_TAIL = {
    "cuando", "si", "abra", "abran", "abre", "abren", "se", "el", "la", "los", "las", "un",
    "una", "registro", "registros", "inscripcion", "de", "del", "nuevo", "otra", "vez", "hay",
    "aqui", "por", "favor", "porfa", "porfavor", "plis", "gracias", "mensaje", "ya", "me", "lo",
    "when", "if", "it", "opens", "open", "registration", "registrations", "again", "there",
    "is", "please", "pls", "thanks", "thank", "you", "here", "by", "text", "sms",
}


def _notify_me(folded: str) -> str | None:
    for phrase in _NOTIFY_SPANISH + _NOTIFY_ENGLISH:
        if folded == phrase or folded.startswith(phrase + " "):
            rest = folded[len(phrase):].split()
            if len(rest) <= 6 and all(word in _NOTIFY_TAIL for word in rest):
                return phrase
    return None


def match(body: str) -> str | None:
    """The keyword kind when the whole message is one keyword, else None."""
    folded = fold(body)
    if folded in _LOOKUP:
        return _LOOKUP[folded]
    return NOTIFY_ME if _notify_me(folded) else None


def is_cancel(body: str) -> bool:
    """CANCEL or CANCELAR, which also mean "stop this registration" while one is open.

    >>> is_cancel("Cancelar"), is_cancel("STOP")
    (True, False)
    """
    return fold(body) in ("cancel", "cancelar")


def keyword_language(body: str) -> str | None:
    """The language the keyword itself is in, if the message is a keyword.

    >>> keyword_language("BAJA"), keyword_language("Avísenme"), keyword_language("notify me")
    ('es', 'es', 'en')
    """
    word = fold(body)
    if word in _LOOKUP:
        return "es" if word in SPANISH_KEYWORDS else "en"
    phrase = _notify_me(word)
    if phrase is None:
        return None
    return "es" if phrase in _NOTIFY_SPANISH else "en"
