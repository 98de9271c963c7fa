"""What one message typed mid-registration is: an answer to the open question, or something else.

The registration form's validation action (`actions/registration/form.py`) asks these pure
readers, then decides the turn. `read_answer` turns an answer into the slot's value or raises
`answers.Invalid`; the others tell apart questions, stories, cries for help, requests to stop
or for a person, from names and places that merely parse. Nothing here stores anything, reads
Redis or imports Rasa: what a reader needs about the person (their own number) is passed in.

May import `hotline.text`, `hotline.messaging.phones` and `hotline.registration.answers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hotline.messaging import phones
from hotline.registration import answers
from hotline.text import fold, words

# The summary's numbered lines, which the person can name or number to correct one.
SUMMARY = ("reg_name", "reg_birth_date", "reg_citizenship", "reg_a_number", "reg_case",
           "reg_enrolled", "reg_location", "reg_contact", "reg_family", "reg_vulnerability")
_FIELD_WORDS = {
    "reg_name": {"nombre", "name", "nombres", "apellido"},
    "reg_birth_date": {"nacimiento", "birth", "cumpleanos", "birthday", "fecha", "date", "dob"},
    "reg_citizenship": {"pais", "country", "nacionalidad", "citizenship", "ciudadania"},
    "reg_a_number": {"a", "anumber", "numero a", "a number", "alien", "numero de a"},
    "reg_case": {"caso", "case", "situacion", "situation"},
    "reg_enrolled": {"regreso", "regresaron", "returned", "mes", "month", "mexico", "enrolment"},
    "reg_location": {"donde", "ciudad", "city", "where", "ubicacion", "location", "lugar"},
    "reg_contact": {"contacto", "contact", "telefono", "phone", "numero", "number", "whatsapp"},
    "reg_family": {"familia", "family", "familiares", "hijos", "children"},
    "reg_vulnerability": {"vulnerabilidad", "salud", "health", "vulnerability", "riesgo"},
}
# Topics a person may ask about mid-form: answered, then the same question again.
FAQ_TOPICS = {"program_overview", "program_status", "eligibility", "closed_case",
              "border_warning", "locations", "next_steps", "covid", "not_in_mexico",
              "transportation", "vetting", "duration", "priority", "case_not_verified",
              "after_case", "monitoring", "case_status", "cost_scam", "in_us_case",
              "legal_help", "documents", "bot_challenge", "border_open", "mpp_now",
              "safety_waiting", "about_hotline"}
_CANCEL = {"cancel", "cancelar", "cancela", "cancelo", "salir", "exit", "quit",
           "cancel registration", "cancelar registro", "cancelar el registro",
           "ya no quiero", "no quiero seguir", "ya no", "parar registro", "stop registration",
           "no quiero registrarme", "i dont want to register", "terminar", "abandonar"}
_PERSON = {"agente", "agent", "persona", "person", "humano", "human", "operador", "operator"}
_QUESTION_START = {"que", "como", "cuando", "donde", "cual", "cuales", "quien", "quienes",
                   "cuanto", "cuantos", "cuanta", "por", "puedo", "pueden", "tengo", "debo",
                   "necesito", "ocupo", "sera", "seria", "hay", "tienen", "van", "voy", "es",
                   "what", "how", "when", "where", "which", "who", "why", "can",
                   "do", "does", "is", "are", "should", "will", "need", "quiero", "want", "se",
                   "si", "if", "me", "y", "and", "pero", "but"}
FREE_TEXT = ("reg_name", "reg_location")
# Whole words, and word beginnings long enough not to start a place or a name ("Matamoros").
_DANGER_WORDS = {"mata", "matan", "maten", "matar", "kill", "hurt", "rape", "911", "golpe",
                 "golpes", "herido", "herida", "sangre", "locked"}
_DANGER_STEMS = ("secuestr", "amenaz", "peligro", "encerrad", "persigu", "kidnap", "threat",
                 "danger", "bleed", "emergenc", "auxilio", "policia", "police", "violad")
# Failure reasons whose hint says more than the field's general one.
_SPECIFIC_HINTS = ("date_impossible", "date_future", "date_too_old", "month_before_mpp",
                   "a_number_phone", "a_number_length", "name_letters", "name_full", "name_long",
                   "phone_short")


# --- what kind of message ------------------------------------------------------------------
def is_cancel(text: str) -> bool:
    """Whether the message asks to stop the registration.

    >>> is_cancel("Cancelar registro"), is_cancel("cancelar mi cita")
    (True, False)
    """
    return fold(text) in _CANCEL


def names_a_person(text: str) -> bool:
    """Whether the message asks for a person ('agente', 'human').

    >>> names_a_person("quiero un agente"), names_a_person("Agustin Perez")
    (True, False)
    """
    return bool(set(words(text)) & _PERSON)


def looks_like_question(text: str) -> bool:
    """Whether free text is more likely a question than a name or a place.

    >>> looks_like_question("¿cuanto cuesta?"), looks_like_question("que papeles necesito")
    (True, True)
    >>> looks_like_question("Maria Jose Lopez"), looks_like_question("Tijuana, Mexico")
    (False, False)
    """
    if "?" in text or "¿" in text:
        return True
    tokens = words(text)
    return bool(tokens) and (tokens[0] in _QUESTION_START
                             or bool({"necesito", "puedo", "need", "can", "cuesta", "cost"}
                                     & set(tokens)))


def mid_form_topic(intent: str | None, confidence: float, text: str) -> str | None:
    """The FAQ topic a message asks about mid-form, if the model is sure enough and it is one.

    >>> mid_form_topic("cost_scam", 0.5, "y cuanto cuesta esto?")
    'cost_scam'
    >>> mid_form_topic("border_warning", 0.93, "Jose Luis Hernandez Cruz") is None
    True
    """
    if intent not in FAQ_TOPICS:
        return None
    # A question has words; "A-123-4567" or "31/02" is a mistyped answer, whatever the model says.
    if len([t for t in words(text) if t.isalpha() and len(t) > 1]) < 2:
        return None
    # Only a question gets an answer mid-form: a name or a date the model happens to
    # link to a topic ("Jose Luis Hernandez Cruz" -> border_warning) is a mistyped answer.
    if not looks_like_question(text):
        return None
    return intent if confidence >= 0.35 else None


def plausible_answer(requested: str, text: str) -> bool:
    """Whether a message that parses for the question should be taken as its answer.

    Structured answers (dates, numbers, choices) are answers. Free text parses easily, so a
    name or a place must also not read like a question, a story or a cry for help.

    >>> (plausible_answer("reg_name", "Socorro Ayala"),
    ...  plausible_answer("reg_name", "me quieren matar"))
    (True, False)
    >>> (plausible_answer("reg_location", "donde queda la garita?"),
    ...  plausible_answer("reg_location", "Matamoros"))
    (False, True)
    """
    if requested == "reg_a_number" and answers.no_a_number(text):
        # "No lo tengo" is words, like a name: "me lo robaron los que me amenazan" is not.
        return len(words(text)) <= 15 and not sounds_like_danger(text)
    if requested not in FREE_TEXT:
        return True
    # "Me llamo Ana Ruiz", "me encuentro en Reynosa": the lead-in is not a question ("me ...").
    text = answers.name_text(text) if requested == "reg_name" else answers.place_text(text)
    tokens = words(text)
    if looks_like_question(text) or len(tokens) > (5 if requested == "reg_name" else 12):
        return False
    return not sounds_like_danger(text)


def sounds_like_danger(text: str) -> bool:
    """Whether the message has a word of danger in it (a cheap check, no model).

    >>> sounds_like_danger("nos tienen secuestrados"), sounds_like_danger("Matamoros")
    (True, False)
    """
    return any(t in _DANGER_WORDS or t.startswith(_DANGER_STEMS) for t in words(text))


# --- answers -------------------------------------------------------------------------------
def _consent(text: str) -> str:
    answer = answers.yes_no(text)
    if answer is None:
        raise answers.Invalid("yes_no")
    return "yes" if answer else "no"


def _location(text: str) -> dict:
    country, place = answers.parse_location(text)
    return {"country": country, "place": place}


def _phone(text: str, own_number: str | None) -> str:
    # A number without a country code is taken to be in the sender's own country.
    return answers.parse_phone(text, default_region=phones.region_of(own_number))


def read_confirmation(text: str) -> str:
    """'yes', or the slot the person wants to correct (by line number or by name).

    >>> read_confirmation("si"), read_confirmation("2"), read_confirmation("cambiar el nombre")
    ('yes', 'reg_birth_date', 'reg_name')
    """
    folded = fold(text)
    number = re.fullmatch(r"(?:linea |line |cambiar |change |corregir )?(\d{1,2})",
                          answers.choice_text(text))
    if number:
        index = int(number[1])
        if 1 <= index <= len(SUMMARY):
            return SUMMARY[index - 1]
        raise answers.Invalid("confirm")
    if answers.yes_no(text, numbered=False):
        return "yes"
    padded = f" {folded} "
    for slot, names in _FIELD_WORDS.items():
        if any(f" {n} " in padded for n in names if len(n) > 1):
            return slot
    raise answers.Invalid("confirm")


# Each question's reader: (text, the person's own number) -> the slot's value.
READERS: dict[str, Callable[[str, str | None], Any]] = {
    "reg_consent": lambda text, own: _consent(text),
    "reg_case": lambda text, own: answers.parse_case_situation(text),
    "reg_location": lambda text, own: _location(text),
    "reg_name": lambda text, own: answers.parse_name(text),
    "reg_birth_date": lambda text, own: answers.parse_birth_date(text).isoformat(),
    "reg_citizenship": lambda text, own: answers.parse_country(text),
    "reg_a_number": lambda text, own: (answers.NO_A_NUMBER if answers.no_a_number(text)
                                       else answers.parse_a_number(text)),
    "reg_enrolled": lambda text, own: answers.parse_month_year(text).isoformat(),
    "reg_contact": lambda text, own: answers.parse_contact_choice(text),
    "reg_phone": _phone,
    "reg_family": lambda text, own: answers.parse_family(text),
    "reg_vulnerability": lambda text, own: answers.parse_vulnerabilities(text),
    "reg_confirm": lambda text, own: read_confirmation(text),
}


def read_answer(requested: str, text: str, own_number: str | None = None) -> Any:
    """The slot value for an answer to `requested`, or `answers.Invalid`.

    `own_number` is the number the person writes from (E.164), when known.

    >>> read_answer("reg_consent", "si acepto")
    'yes'
    >>> read_answer("reg_phone", "915 555 0101", own_number="+19155550000")
    '+19155550101'
    >>> read_answer("reg_a_number", "no lo tengo"), read_answer("reg_a_number", "A 12345678")
    ('none', '012345678')
    """
    if not text.strip():
        raise answers.Invalid("empty")
    reader = READERS.get(requested)
    if reader is None:
        raise answers.Invalid("unknown")
    return reader(text, own_number)


def hint(requested: str, reason: str) -> str:
    """The catalog hint for a failed answer: the reason where it says more, else the field.

    >>> hint("reg_a_number", "a_number_phone"), hint("reg_a_number", "a_number_digits")
    ('a_number_phone', 'a_number')
    """
    return reason if reason in _SPECIFIC_HINTS else requested.removeprefix("reg_")
