"""Who the person is: their name, A-number, a phone number, their country.

>>> parse_a_number("A-012-345-678"), parse_a_number("a 12345678")
('012345678', '012345678')
>>> parse_country("onduras"), parse_country("Estados Unidos"), parse_country("soy guatemalteca")
('HN', 'US', 'GT')
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from babel import Locale

from hotline.messaging import phones
from hotline.text import fold

from .invalid import Invalid

# --- names ---------------------------------------------------------------------------------
_NAME_PUNCT = set(" -'.’")
_NAME_LEAD = re.compile(r"^((hola|buenas|hi|hello)[,.!]?\s+)?(mi nombre (completo )?es|"
                        r"me (llamo|yamo|lamo|dicen)|my (full )?name is|my name s|name is|"
                        r"mi nombre|soy|yo soy|i am|im|i'm)[:,]?\s+", re.I)
# Answers that are not a name: unsure, so the question is asked again.
_NOT_A_NAME = {"no se", "nose", "no lo se", "idk", "i dont know", "i don t know", "no quiero",
               "no quiero decir", "prefiero no decir", "anonimo", "anonima", "anonymous",
               "no tengo", "ninguno", "nada", "no name", "none"}


def name_text(text: str) -> str:
    """The name without the words that introduce it ("me llamo", "mi nombre es", "soy").

    >>> name_text("Me llamo Juan Pérez"), name_text("hola, mi nombre es: Ana Ruiz")
    ('Juan Pérez', 'Ana Ruiz')
    """
    return _NAME_LEAD.sub("", " ".join((text or "").split())).strip()


def parse_name(text: str) -> str:
    """A full name as written on documents: letters only, at least two words.

    >>> parse_name("  maría   josé  López-Díaz "), parse_name("me yamo Ana Ruiz")
    ('maría josé López-Díaz', 'Ana Ruiz')
    >>> parse_name("<script>alert(1)</script>")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: name_letters
    """
    name = name_text(text)
    if not name:
        raise Invalid("empty")
    if fold(name) in _NOT_A_NAME:
        raise Invalid("name_full")
    if any(not (c.isalpha() or c in _NAME_PUNCT) for c in name):
        raise Invalid("name_letters")
    if len(name) > 80:
        raise Invalid("name_long")
    parts = [p for p in name.split(" ") if any(c.isalpha() for c in p)]
    if len(parts) < 2:
        raise Invalid("name_full")
    return name


# --- A-number ------------------------------------------------------------------------------
def parse_a_number(text: str) -> str:
    """An alien registration number, normalised to nine digits.

    >>> parse_a_number("A# 0123 4567 8"), parse_a_number("No. 012 345 678")
    ('012345678', '012345678')
    >>> parse_a_number("A 1234567")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: a_number_length
    >>> parse_a_number("+52 899 123 4567")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: a_number_phone
    """
    raw = (text or "").strip()
    if not raw:
        raise Invalid("empty")
    if raw.startswith("+") or raw.startswith("00"):
        raise Invalid("a_number_phone")
    # "A-", "A number", "número A", and "No." / "núm." (número) before the digits.
    cleaned = re.sub(r"^(a\s*(number|numero|no\.?|#)?|numero\s*a|numero|num|no|#)", "",
                     fold(raw.replace("#", " ")))
    cleaned = cleaned.replace("a", "", 1) if cleaned.startswith("a") else cleaned
    compact = re.sub(r"[\s.\-]", "", cleaned)
    if not compact or not compact.isdigit():
        raise Invalid("a_number_digits")
    if len(compact) >= 10:
        # Ten digits or more is what a phone number looks like, not an A-number.
        raise Invalid("a_number_phone")
    if len(compact) not in (8, 9):
        raise Invalid("a_number_length")
    return compact.zfill(9)


# What the A-number question stores when the person does not have it: the form goes on, the
# summary says so, and the registration is kept without one (utter_documents promises this).
NO_A_NUMBER = "none"
# "No lo tengo" and its kin, as whole messages (folded) and as phrases inside one.
_NONE_MESSAGES = {
    "no", "nop", "nope", "none", "ninguno", "ninguna", "nada", "na", "n a", "idk", "no se",
    "nose", "nosee", "no c", "no lo se", "no tengo", "no lo tengo", "no la tengo", "ni idea",
    "desconozco", "unknown", "no idea", "not sure", "dont know", "i dont know", "no tiene",
    "no have", "no number", "no a number", "sin numero", "no tengo numero", "nel",
}
_NONE_PHRASES = re.compile(
    r"\b("
    # Spanish: not having it, not knowing it, having lost it, never having been given it
    r"no (lo |la |le |los |las )?(tengo|tenemos|tiene|tenia|traigo|encuentro|hallo|recuerdo|"
    r"acuerdo|se|sabemos|conozco|cuento)"
    r"|no me (lo |la )?(dieron|acuerdo|se|han dado|entregaron)"
    r"|nunca (me )?(lo |la )?(dieron|tuve|entregaron|recibi)"
    r"|(se me |se nos )?(perdi|perdio|perdieron|perdimos|extravie|extravio|robaron)"
    r"|sin (numero|papeles|documentos)|ni idea|desconozco|no cuento con"
    # English
    r"|(do not|dont|did not|didnt|does not|doesnt|never|cannot|cant|can not|havent|hasnt) "
    r"(have|know|remember|recall|got|get|had|find|has|gave|give|given|received|issued)"
    r"|have no|has no|no (a ?number|idea|papers|documents)|not sure|lost (it|them|my)"
    r"|unknown|none"
    r")\b")
_CONTRACTION = re.compile(r"\b(don|didn|doesn|can|haven|hasn)\s+t\b")
# An answer with this many digits is an attempt at the number, whatever words come with it.
_DIGITS_OF_A_NUMBER = 5


def no_a_number(text: str) -> bool:
    """Whether the answer to the A-number question says the person does not have it (or does
    not know it): NO LO TENGO, as the question teaches, and the ways people say so.

    >>> no_a_number("NO LO TENGO"), no_a_number("no sé cuál es"), no_a_number("I don't have it")
    (True, True, True)
    >>> no_a_number("A-012-345-678"), no_a_number("no. 012 345 678"), no_a_number("Tijuana")
    (False, False, False)
    """
    if sum(c.isdigit() for c in text or "") >= _DIGITS_OF_A_NUMBER:
        return False
    # Folding splits "don't" into "don t": join it back.
    folded = _CONTRACTION.sub(r"\1t", fold(text))
    return folded in _NONE_MESSAGES or _NONE_PHRASES.search(folded) is not None


# --- phone numbers -------------------------------------------------------------------------
def parse_phone(text: str, default_region: str = "MX") -> str:
    """A phone number in E.164, validated by `phonenumbers` (`messaging.phones.normalize`);
    a national number without a country code is read in `default_region`, the sender's own.

    >>> (parse_phone("(899) 123-4567"), parse_phone("+1 915 555 0101"),
    ...  parse_phone("00 52 55 1234 5678"), parse_phone("+52 1 55 1234 5678"))
    ('+528991234567', '+19155550101', '+525512345678', '+525512345678')
    >>> parse_phone("915 555 0101", default_region="US")
    '+19155550101'
    >>> parse_phone("123 45")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: phone_short
    >>> parse_phone("+52 000 000 0000")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: phone_invalid
    """
    try:
        return phones.normalize(text, default_region)
    except phones.InvalidPhone as exc:
        raise Invalid(exc.reason) from None


# --- countries -----------------------------------------------------------------------------
# How people name the countries most of them come from, beyond the official names.
_COUNTRY_ALIASES = {
    "HN": ["hondureno", "hondurena", "catracho", "catracha", "honduran", "hondu"],
    "GT": ["guatemalteco", "guatemalteca", "chapin", "chapina", "guatemalan", "guate"],
    "SV": ["salvadoreno", "salvadorena", "salvadoran", "el salvador", "salvador", "guanaco"],
    "NI": ["nicaraguense", "nica", "nicaraguan"],
    "CU": ["cubano", "cubana", "cuban"],
    "VE": ["venezolano", "venezolana", "venezuelan", "venezuela"],
    "CO": ["colombiano", "colombiana", "colombian"],
    "EC": ["ecuatoriano", "ecuatoriana", "ecuadorian"],
    "PE": ["peruano", "peruana", "peruvian"],
    "MX": ["mexicano", "mexicana", "mexican", "mejico", "mexico"],
    "HT": ["haitiano", "haitiana", "haitian", "ayiti"],
    "BR": ["brasileno", "brasilena", "brazilian", "brasil"],
    "DO": ["dominicano", "dominicana", "republica dominicana", "rep dominicana", "dominican"],
    "BO": ["boliviano", "boliviana", "bolivian"],
    "CL": ["chileno", "chilena", "chilean"],
    "AR": ["argentino", "argentina", "argentinian"],
    "CR": ["costarricense", "tico", "tica", "costa rican"],
    "PA": ["panameno", "panamena", "panamanian"],
    "US": ["usa", "eeuu", "ee uu", "estados unidos", "united states", "us", "u s", "america",
           "estadounidense", "gringolandia"],
    "UY": ["uruguayo", "uruguaya", "uruguayan"],
    "PY": ["paraguayo", "paraguaya", "paraguayan"],
}
_SKIP = {"soy", "de", "del", "la", "el", "i", "am", "im", "from", "pais", "country", "mi",
         "my", "es", "is", "nacionalidad", "ciudadano", "ciudadana", "citizen", "of", "en",
         "vengo", "somos", "we", "are", "nacido", "nacida", "born", "in"}


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "es"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO"):
                index.setdefault(fold(name), code)
    for code, names in _COUNTRY_ALIASES.items():
        for name in names:
            index[fold(name)] = code
    return index


def parse_country(text: str) -> str:
    """An ISO 3166 alpha-2 code from a country's name, a demonym or a close misspelling."""
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    index = _country_index()
    if folded in index:
        return index[folded]
    tokens = [t for t in folded.split() if t not in _SKIP]
    candidates = [" ".join(tokens)] + [" ".join(tokens[i:i + n]) for n in (3, 2, 1)
                                       for i in range(len(tokens) - n + 1)]
    for candidate in candidates:
        if candidate in index:
            return index[candidate]
    for candidate in candidates:
        if len(candidate) < 4:
            continue
        close = difflib.get_close_matches(candidate, list(index), n=1, cutoff=0.82)
        if close:
            return index[close[0]]
    raise Invalid("country_unknown")


def country_name(code: str, lang: str) -> str:
    return Locale.parse(lang).territories.get(code, code)

