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
    return _WORD.findall(strip_accents(normalize(text)).casefold())


def has_letters_or_digits(text: str) -> bool:
    """True when a message contains something a person could read as words or numbers."""
    return any(unicodedata.category(c)[0] in "LN" for c in text or "")


# Characters that draw nothing but split a word for a matcher ("S\u200bTOP"): zero-width
# spaces and joiners, the word joiner, the byte-order mark, the soft hyphen.
_INVISIBLE = {"\u00ad", "\u180e", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize(text: str | None) -> str:
    """The one form of a person's text that keywords, form readers and the model all read.

    Unicode NFKC (fullwidth letters and digits become plain ones), invisible and control
    characters removed, digits of any script mapped to 0-9, runs of spaces made one, and the
    ends trimmed. Case and accents are kept: the person's words stay theirs; matchers fold.

    >>> normalize("S\\u200bTOP"), normalize("\\uff12 \\u0663"), normalize("ｓｔｏｐ")
    ('STOP', '2 3', 'stop')
    >>> normalize("  hola\\x00 \\x07 señor\\u00a0 ")
    'hola señor'
    >>> normalize(None), normalize("a\\r\\nb")
    ('', 'a\\nb')
    """
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for char in text:
        if char in _INVISIBLE:
            continue
        category = unicodedata.category(char)
        if char == "\n":
            out.append(char)
        elif category == "Cc":
            # A tab or a stray control byte separates words; it never joins them.
            out.append(" ")
        elif category == "Cf":
            continue
        elif category == "Nd" and not "0" <= char <= "9":
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)
