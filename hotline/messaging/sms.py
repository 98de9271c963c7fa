"""SMS arithmetic: what a carrier bills, what a basic phone can show.

A message is GSM-7 only if every character is in the GSM 03.38 alphabet (extension characters
cost two units); otherwise the whole message is sent as UCS-2.

>>> segments("Hola, ¿qué tal?")
1
>>> segments("x" * 161)
2
>>> segments("á" * 70), segments("á" * 71)
(1, 2)
"""

from __future__ import annotations

import re

from hotline.text import has_letters_or_digits

MAX_BODY = 1600  # Twilio's limit for one concatenated message

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def segments(text: str) -> int:
    """Number of SMS segments a carrier bills for this text."""
    if not text:
        return 1
    if is_gsm7(text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
    return 1 if units <= 70 else -(-units // 67)


# Letters and signs outside GSM-7 that have a plain GSM-7 form. é É ñ Ñ ü Ü ¿ ¡ à è ì ò ù are
# GSM-7 already and stay as written; so does every other GSM-7 character.
_GSM_FOLD = str.maketrans({
    **dict(zip("áíóúÁÍÓÚ", "aiouAIOU")),
    **dict(zip("âêîôûÂÊÎÔÛ", "aeiouAEIOU")),
    **dict(zip("ãõÃÕëïËÏÿýÝÀÈÌÒÙç", "aoAOeiEIyyYAEIOUc")),
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ",  # no-break and thin spaces
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "´": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‑": "-", "−": "-", "…": "...",
})


def fold_for_gsm(text: str) -> str:
    """The text with letters outside GSM-7 replaced by their plain GSM-7 form.

    >>> fold_for_gsm("Línea MPP: información gratis. ¿Qué día? Mañana, “sí”")
    'Linea MPP: informacion gratis. ¿Qué dia? Mañana, "si"'
    >>> fold_for_gsm("Ú\u202fÁ\u00a0ç")
    'U A c'
    """
    return text.translate(_GSM_FOLD)


def for_sms(text: str) -> str:
    """The body to send by SMS: folded to GSM-7 only when that costs fewer segments.

    >>> long = "Revisado el 22 de enero de 2025: el programa volvió. " * 3
    >>> segments(long), segments(for_sms(long)), for_sms(long) == fold_for_gsm(long)
    (3, 1, True)
    >>> for_sms("Sí, gracias.")  # one segment either way: kept as written
    'Sí, gracias.'
    >>> for_sms("Información 🙏 " * 6) == "Información 🙏 " * 6  # still UCS-2: nothing gained
    True
    """
    folded = fold_for_gsm(text)
    return folded if segments(folded) < segments(text) else text


# Why a message cannot go to the assistant; each has a catalog reply.
UNREADABLE_MEDIA = "media"
UNREADABLE_EMPTY = "empty"
UNREADABLE_NO_TEXT = "no_text"
UNREADABLE_TOO_LONG = "too_long"


def unreadable_reason(body: str, num_media: int) -> str | None:
    """Why a message has nothing the assistant can read, or None when it can be read.

    >>> unreadable_reason("", 1), unreadable_reason("  ", 0), unreadable_reason("🙏🙏", 0)
    ('media', 'empty', 'no_text')
    >>> unreadable_reason("hola", 2) is None
    True
    """
    text = (body or "").strip()
    if not text:
        return UNREADABLE_MEDIA if num_media > 0 else UNREADABLE_EMPTY
    if len(text) >= MAX_BODY:
        return UNREADABLE_TOO_LONG
    if not has_letters_or_digits(text):
        return UNREADABLE_NO_TEXT
    return None


_ID_NUMBER = re.compile(r"^\s*(?:a|#|no\.?|num\.?)?[\s:-]*[+(]?\d[\d\s().-]{6,}\d\s*$", re.I)


def looks_like_id_number(body: str) -> bool:
    """An A-number or a phone number sent on its own.

    >>> looks_like_id_number("A-012-345-678"), looks_like_id_number("+52 1 55 1234 5678")
    (True, True)
    >>> looks_like_id_number("2"), looks_like_id_number("tengo 3 hijos")
    (False, False)
    """
    return bool(_ID_NUMBER.match(body or ""))


def split_for_sending(parts: list[str], limit: int = MAX_BODY) -> list[str]:
    """Join a turn's messages into as few bodies as fit, keeping their order.

    One body per turn keeps replies in order on the handset; a part longer than the limit is
    cut at the last blank or line break before it.

    >>> split_for_sending(["a", "b"])
    ['a\\n\\nb']
    >>> [len(b) for b in split_for_sending(["x" * 1000, "y" * 1000])]
    [1000, 1000]
    """
    bodies: list[str] = []
    current = ""
    for part in parts:
        for piece in _cut(part.strip(), limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                bodies.append(current)
                current = piece
    if current:
        bodies.append(current)
    return bodies


def _cut(text: str, limit: int) -> list[str]:
    pieces = []
    while len(text) > limit:
        at = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        at = at if at > limit // 2 else limit
        pieces.append(text[:at].rstrip())
        text = text[at:].lstrip()
    if text:
        pieces.append(text)
    return pieces
