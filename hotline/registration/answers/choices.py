"""Answers picked from a short list: yes or no, a numbered option, a count, a few flags.

SMS has no buttons, so people answer numbered questions with '1', 'el 1', 'opción #2.' or the
option's words; the number itself is read the way the gateway reads menu replies
(`hotline.messaging.menus.chosen_number`).

>>> yes_no("Sí, acepto"), parse_case_situation("3"), parse_contact_choice("por whats")
(True, 'in_absentia', 'whatsapp')
"""

from __future__ import annotations

import re

from hotline.messaging.menus import chosen_number
from hotline.text import fold

from .invalid import Invalid

# --- numbered replies ----------------------------------------------------------------------
# What people put before a number that a menu reply does not have: an article, "respuesta".
_CHOICE_LEAD = re.compile(r"^(?:(?:el|la|lo|the|mi|my)\s+)?(?:(?:respuesta|answer)\s+)?")


def choice_text(text: str) -> str:
    """A reply to a numbered question without its wrapping: 'el 1', 'opción 2', '#3.' -> the
    number; repeated letters squeezed ('siii' -> 'si').

    >>> (choice_text("El 1"), choice_text("opción #2."), choice_text("Siiii"),
    ...  choice_text("la numero 3"))
    ('1', '2', 'si', '3')
    """
    folded = fold(text)
    number = chosen_number(_CHOICE_LEAD.sub("", folded))
    if number is not None:
        return str(number)
    return re.sub(r"([a-z])\1+", r"\1", folded)


# --- yes / no ------------------------------------------------------------------------------
_YES = {"si", "yes", "y", "s", "ok", "okay", "oki", "claro", "acepto", "de acuerdo", "dale",
        "si acepto", "yes i agree", "i agree", "agree", "correcto", "correct", "esta bien",
        "todo bien", "si esta bien", "si es correcto", "yes correct", "sip", "simon", "va",
        "confirmo", "confirm", "yep", "yeah", "sure", "si claro", "asi es", "bueno"}
_NO = {"no", "n", "nope", "no acepto", "no gracias", "no thanks", "nel", "i do not agree",
       "no quiero", "i dont agree", "negativo"}


_UNSURE = {"no se", "nose", "no lo se", "no c", "no sabria", "no estoy seguro",
           "no estoy segura", "no se que es", "no entiendo", "no le entiendo", "not sure",
           "no idea", "no se si"}


def yes_no(text: str, numbered: bool = True) -> bool | None:
    """True for yes, False for no, None when the reply is neither.

    >>> (yes_no("Sí, acepto"), yes_no("2"), yes_no("nop"), yes_no("maybe"), yes_no("siii"),
    ...  yes_no("el 1"))
    (True, False, False, None, True, True)
    """
    plain, squeezed = fold(text), choice_text(text)
    if plain in _UNSURE:
        # "No sé" starts with "no" and is not one: unsure, so the question is asked again.
        return None
    if numbered and squeezed == "1":
        return True
    if numbered and squeezed == "2":
        return False
    forms = {plain, squeezed, plain.replace(",", "")}
    if forms & _YES:
        return True
    if forms & _NO or squeezed in ("nop", "no"):
        return False
    tokens = squeezed.split()
    if tokens and tokens[0] in ("si", "yes", "ok", "claro", "acepto") and "no" not in tokens:
        return True
    if tokens and tokens[0] in ("no", "nop") and len(tokens) <= 3:
        return False
    return None


# --- counts --------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "cero": 0, "zero": 0, "ninguno": 0, "ninguna": 0, "nadie": 0, "none": 0, "nobody": 0,
    "solo yo": 0, "nomas yo": 0, "just me": 0, "only me": 0, "yo solo": 0, "yo sola": 0,
    "solo": 0, "sola": 0, "no": 0,
    "uno": 1, "una": 1, "one": 1, "dos": 2, "two": 2, "tres": 3, "three": 3, "cuatro": 4,
    "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7,
    "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10,
}


def parse_family(text: str) -> int:
    """How many relatives register with the person (0 to 20).

    >>> parse_family("3"), parse_family("solo yo"), parse_family("somos mi esposa y dos hijos")
    (3, 0, 2)
    """
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    if folded in _NUMBER_WORDS:
        return _NUMBER_WORDS[folded]
    digits = re.findall(r"\d+", folded)
    if len(digits) == 1:
        value = int(digits[0])
    else:
        found = [_NUMBER_WORDS[t] for t in folded.split() if t in _NUMBER_WORDS and t != "no"]
        if len(found) != 1 or digits:
            raise Invalid("family_number")
        value = found[0]
    if not 0 <= value <= 20:
        raise Invalid("family_number")
    return value


# --- the case ------------------------------------------------------------------------------
CASE_SITUATIONS = ("pending", "terminated", "in_absentia", "removed_attended", "never_mpp",
                   "not_sure")
_CASE_WORDS = [
    ("in_absentia", ["ausencia", "absentia", "no fui", "no llegue", "no me presente",
                     "falte", "missed", "no pude ir", "didnt go", "did not go",
                     "no asisti"]),
    ("removed_attended", ["me deportaron", "orden de deportacion", "ordered removed",
                          "removal order", "deportation order", "perdi", "lost", "negaron",
                          "denied", "orden de remocion"]),
    ("terminated", ["terminado", "terminaron", "cerrado", "cerraron", "desestimado",
                    "dismissed", "terminated", "closed", "cancelaron", "archivado"]),
    ("never_mpp", ["nunca", "never", "no estuve", "not in mpp", "no tengo caso",
                   "no estoy en mpp", "no fui parte"]),
    ("not_sure", ["no se", "no estoy seguro", "no estoy segura", "not sure", "dont know",
                  "do not know", "idk", "ni idea", "quien sabe"]),
    ("pending", ["pendiente", "abierto", "activo", "sigue", "pending", "open", "active",
                 "todavia", "still", "esperando", "tengo corte", "tengo audiencia"]),
]


def parse_case_situation(text: str) -> str:
    """One of CASE_SITUATIONS from a number 1-6 or the person's own words.

    >>> parse_case_situation("3"), parse_case_situation("no fui a la corte y me dieron orden")
    ('in_absentia', 'in_absentia')
    >>> parse_case_situation("sigue pendiente"), parse_case_situation("no se")
    ('pending', 'not_sure')
    """
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    number = re.fullmatch(r"([1-9])", choice_text(text))
    if number:
        index = int(number[1]) - 1
        if index < len(CASE_SITUATIONS):
            return CASE_SITUATIONS[index]
        raise Invalid("choice_number")
    # Folding splits "didn't" into "didn t": join it back.
    padded = " " + re.sub(r"\b(\w+n) t\b", r"\1t", folded) + " "
    for situation, phrases in _CASE_WORDS:
        if any(f" {p} " in padded for p in phrases):
            return situation
    raise Invalid("choice_number")


# --- how to reach them ---------------------------------------------------------------------
CONTACT_CHOICES = ("sms", "whatsapp", "other")


def parse_contact_choice(text: str) -> str:
    """How the person wants to be reached: by number or in words.

    >>> parse_contact_choice("2"), parse_contact_choice("por whats"), parse_contact_choice("otro")
    ('whatsapp', 'whatsapp', 'other')
    """
    folded = fold(text)
    number = re.fullmatch(r"([1-3])", choice_text(text))
    if number:
        return CONTACT_CHOICES[int(number[1]) - 1]
    tokens = set(folded.split())
    if tokens & {"whatsapp", "whats", "wasap", "guasap", "wsp", "wa", "watsap", "whatsap"}:
        return "whatsapp"
    if tokens & {"otro", "otra", "other", "another", "different", "diferente"}:
        return "other"
    if tokens & {"sms", "mensaje", "mensajes", "texto", "text", "este", "this", "si", "yes"}:
        return "sms"
    raise Invalid("choice_number")


# --- vulnerabilities -----------------------------------------------------------------------
VULNERABILITIES = ("illness", "pregnancy", "disability", "elderly", "violence")
_VULNERABILITY_WORDS = {
    "illness": ["enfermo", "enferma", "enfermedad", "sick", "ill", "illness", "cancer",
                "diabetes", "medicina", "medicine"],
    "pregnancy": ["embarazada", "embarazo", "pregnant", "pregnancy", "encinta"],
    "disability": ["discapacidad", "discapacitado", "discapacitada", "disability",
                   "disabled", "silla de ruedas", "wheelchair"],
    "elderly": ["mayor", "anciano", "anciana", "elderly", "old", "tercera edad", "abuelo",
                "abuela"],
    "violence": ["amenaza", "amenazas", "amenazado", "amenazada", "violencia", "threat",
                 "threats", "threatened", "violence", "golpe", "golpes", "secuestro",
                 "amenazan", "amenazaron", "golpean", "golpearon",
                 "persiguen", "extorsion"],
}
_NONE = {"no", "ninguna", "ninguno", "nada", "none", "nothing", "0", "skip", "saltar",
         "omitir", "no aplica", "n a", "na", "prefiero no decir", "prefer not to say", "no gracias",
         "no thanks", "ninguna de esas", "none of these", "nop"}


def parse_vulnerabilities(text: str) -> list[str]:
    """Optional vulnerability list from numbers ('1 3', '1,3') or words; [] for none.

    >>> (parse_vulnerabilities("1, 3"), parse_vulnerabilities("no"),
    ...  parse_vulnerabilities("estoy embarazada"))
    (['illness', 'disability'], [], ['pregnancy'])
    """
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    if folded in _NONE:
        return []
    numbers = re.findall(r"\d+", folded)
    chosen: set[str] = set()
    for n in numbers:
        if not 1 <= int(n) <= len(VULNERABILITIES):
            raise Invalid("vulnerability_choice")
        chosen.add(VULNERABILITIES[int(n) - 1])
    padded = f" {folded} "
    for code, phrases in _VULNERABILITY_WORDS.items():
        if any(f" {p} " in padded for p in phrases):
            chosen.add(code)
    if not chosen:
        raise Invalid("vulnerability_choice")
    return [v for v in VULNERABILITIES if v in chosen]
