"""Small pure helpers for the text people send.

>>> fold("  ¡CANCELÁR! ")
'cancelar'
>>> words("Hola, ¿cómo está usted?")
['hola', 'como', 'esta', 'usted']
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced form for matching."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    return _WORD.findall(strip_accents(text or "").casefold())


def has_letters_or_digits(text: str) -> bool:
    """True when a message contains something a person could read as words or numbers."""
    return any(unicodedata.category(c)[0] in "LN" for c in text or "")
