"""Registration by text message: a Rasa form whose every turn is decided here.

The form (`registration_form` in bot/domain/registration.yml) fills each requested slot from the
person's whole message; `validate_registration_form` then decides what that message was: an
answer to the question, a question of their own, a request to stop, to change language, for a
person, or danger. Because the validation action sees every message first, nothing a person
types mid-form is taken for an answer unless it is one, and nothing they typed is lost.

The questions are asked by `action_ask_<slot>` actions rather than plain responses, so that a
"that is not a date, for example 15/03/1988" message is not followed by the same question again:
one SMS instead of two.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from redis.exceptions import RedisError

from hotline.registration import answers as fields
from hotline.contacts import contact_key, store_language
from hotline.erasure import FORM_MARK
from hotline.text import fold, words

from ._base import contact_number, current_language, redis, registrations
from .escalation import hand_to_people
from .language import target_language

log = logging.getLogger(__name__)

FORM = "registration_form"
REQUESTED = "requested_slot"
# The questions, in the order they are asked. Screening questions come first so that nobody
# types their identity only to learn the process is not for them.
QUESTIONS = ("reg_consent", "reg_case", "reg_location", "reg_name", "reg_birth_date",
             "reg_citizenship", "reg_a_number", "reg_enrolled", "reg_contact", "reg_phone",
             "reg_family", "reg_vulnerability", "reg_confirm")
# Bookkeeping slots: failed tries per question, an open offer of a person, what was said.
STATE = ("reg_tries", "reg_offer", "reg_said")
ALL_SLOTS = QUESTIONS + STATE
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
              "legal_help", "documents", "bot_challenge"}
_CANCEL = {"cancel", "cancelar", "cancela", "cancelo", "salir", "exit", "quit",
           "cancel registration", "cancelar registro", "cancelar el registro",
           "ya no quiero", "no quiero seguir", "ya no", "parar registro", "stop registration",
           "no quiero registrarme", "i dont want to register", "terminar", "abandonar"}
_PERSON = {"agente", "agent", "persona", "person", "humano", "human", "operador", "operator"}
_QUESTION_START = {"que", "como", "cuando", "donde", "cual", "cuales", "quien", "quienes",
                   "cuanto", "cuantos", "cuanta", "por", "puedo", "pueden", "tengo", "debo",
                   "necesito", "ocupo", "sera", "seria", "hay", "tienen", "van", "voy", "es", "what", "how", "when", "where", "which", "who", "why", "can",
                   "do", "does", "is", "are", "should", "will", "need", "quiero", "want", "se",
                   "si", "if", "me", "y", "and", "pero", "but"}
MAX_TRIES = 3
FORM_MARK_TTL = 30 * 24 * 3600


# --- small helpers -------------------------------------------------------------------------
def _intent(tracker: Tracker) -> tuple[str | None, float]:
    """The best real intent: below the fallback threshold Rasa says `nlu_fallback`, but a
    question mid-form still deserves its most likely topic."""
    message = tracker.latest_message or {}
    for ranked in message.get("intent_ranking") or [message.get("intent") or {}]:
        if ranked.get("name") and ranked["name"] != "nlu_fallback":
            return ranked["name"], float(ranked.get("confidence") or 0.0)
    return None, 0.0


def _text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


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


def next_question(slots: dict) -> str | None:
    for name in QUESTIONS:
        if name == "reg_phone" and slots.get("reg_contact") != "other":
            continue
        if slots.get(name) is None:
            return name
    return None


def mark_form(contact_id: str, requested: str | None) -> None:
    """Tell the gateway a registration question is open: digits are expected, not a mistake."""
    try:
        if requested:
            redis().set(FORM_MARK.format(contact_id), requested, ex=FORM_MARK_TTL)
        else:
            redis().delete(FORM_MARK.format(contact_id))
    except RedisError:
        log.exception("could not mark the registration form for %s", contact_id)


def clear_all() -> list[EventType]:
    return [SlotSet(name, None) for name in ALL_SLOTS]


def end_form(contact_id: str, keep: bool, requested: str | None = None) -> list[EventType]:
    """Close the form; `keep` leaves the confirmed answers for when the person comes back.

    The form already put this message in the `requested` slot; it was not an answer.
    """
    mark_form(contact_id, None)
    events = [SlotSet(requested, None)] if keep and requested else []
    events += [] if keep else clear_all()
    return events + [SlotSet("reg_said", None), SlotSet(REQUESTED, None), ActiveLoop(None)]


# --- the validation action -----------------------------------------------------------------
class ValidateRegistrationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_registration_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        return turn.decide()


class Turn:
    """One message from a person while the registration form is open."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker):
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.contact_id = tracker.sender_id
        self.lang = current_language(tracker)
        self.slots = {name: tracker.get_slot(name) for name in ALL_SLOTS}
        self.text = _text(tracker)
        self.intent, self.confidence = _intent(tracker)

    def say(self, response: str, **values) -> None:
        self.dispatcher.utter_message(response=response, lang=self.lang, **values)

    # -- the decision ----------------------------------------------------------------------
    def decide(self) -> list[EventType]:
        active = self.tracker.active_loop_name == FORM
        requested = self.tracker.get_slot(REQUESTED)
        if not active or requested not in QUESTIONS:
            return self.start()
        # The form put the whole message in the requested slot; decide what it really is.
        try:
            self.value, self.reason = read_answer(requested, self.text, self.slots,
                                                  self.contact_id), None
        except fields.Invalid as exc:
            self.value, self.reason = None, exc.reason
        self.plausible = self.reason is None and plausible_answer(requested, self.text)
        for handler in (self.cancel, self.danger, self.offer, self.person, self.language):
            events = handler(requested)
            if events is not None:
                return events
        if self.plausible:
            return self.accept(requested, self.value)
        if self.reason is None:
            # Parses as free text but reads like a question or a story: answer it if we can.
            if self._topic() is not None:
                return self.topic_answer(requested)
            return self.accept(requested, self.value)
        return self.not_an_answer(requested, self.reason)

    def start(self) -> list[EventType]:
        resumed = any(self.slots.get(name) is not None for name in QUESTIONS)
        if resumed:
            self.say("utter_reg_resume")
        nxt = next_question(self.slots)
        mark_form(self.contact_id, nxt)
        # A bookkeeping SlotSet keeps Rasa from rejecting the activation turn.
        return [SlotSet("reg_said", None), SlotSet("reg_offer", None), SlotSet(REQUESTED, nxt)]

    def cancel(self, requested: str) -> list[EventType] | None:
        if fold(self.text) not in _CANCEL:
            return None
        self.say("utter_reg_cancelled")
        return end_form(self.contact_id, keep=False)

    def danger(self, requested: str) -> list[EventType] | None:
        # "Socorro Ayala" is a name, not a cry for help: a plausible answer is an answer.
        if self.intent != "emergency" or self.confidence < 0.7 or self.plausible:
            return None
        # Danger comes before any form: what to do now, and the operators' urgent queue.
        return self._pause_for_people(requested, "utter_emergency", "emergency", urgent=True)

    def person(self, requested: str) -> list[EventType] | None:
        if self.intent != "human_handoff" or self.confidence < 0.7 or self.plausible:
            return None
        return self._pause_for_people(requested, "utter_human_handoff", "asked")

    def language(self, requested: str) -> list[EventType] | None:
        tokens = set(words(self.text))
        named = tokens & {"english", "ingles", "espanol", "spanish", "idioma", "language"}
        if not named or self.intent != "change_language" or len(tokens) > 6:
            return None
        self.lang = target_language(self.text, self.lang)
        store_language(redis(), self.contact_id, self.lang, chosen=True)
        self.say("utter_language_changed")
        # The same question again, now in the new language.
        return [SlotSet(requested, None), SlotSet("reg_said", None), SlotSet(REQUESTED, requested)]

    def offer(self, requested: str) -> list[EventType] | None:
        if not self.slots.get("reg_offer"):
            return None
        if set(words(self.text)) & _PERSON or fields.yes_no(self.text, numbered=False):
            return self._pause_for_people(requested, "utter_human_handoff",
                                          f"registration:{requested}")
        return None  # they are trying again: read it as an answer

    def _pause_for_people(self, requested: str, first: str, reason: str,
                          urgent: bool = False) -> list[EventType]:
        """Hand the conversation to the team, keeping the answers so far for later."""
        self.say(first)
        hand_to_people(self.dispatcher, self.contact_id, reason, urgent, self.lang)
        self.say("utter_reg_paused")
        return end_form(self.contact_id, keep=True, requested=requested)

    # -- answers ---------------------------------------------------------------------------
    def _topic(self) -> str | None:
        """The FAQ topic the message asks about, if the model is sure enough."""
        if self.intent not in FAQ_TOPICS:
            return None
        # A question has words; "A-123-4567" or "31/02" is a mistyped answer, whatever the model says.
        if len([t for t in words(self.text) if t.isalpha() and len(t) > 1]) < 2:
            return None
        # Only a question gets an answer mid-form: a name or a date the model happens to
        # link to a topic ("Jose Luis Hernandez Cruz" -> border_warning) is a mistyped answer.
        if not looks_like_question(self.text):
            return None
        return self.intent if self.confidence >= 0.35 else None

    def not_an_answer(self, requested: str, reason: str) -> list[EventType]:
        if self._topic() is not None:
            return self.topic_answer(requested)
        if self.intent in ("register", "help") and self.confidence >= 0.6 and not any(
                c.isdigit() for c in self.text):
            self.say("utter_reg_help")
            return self._same_question(requested)
        if self.intent == "greet" and self.confidence >= 0.6:
            # Back after a while: remind them where they are.
            self.say("utter_reg_resume")
            return self._same_question(requested)
        if self.intent == "registration_status" and self.confidence >= 0.6:
            self.say("utter_reg_in_progress")
            return self._same_question(requested)
        if self.intent == "goodbye" and self.confidence >= 0.8:
            self.say("utter_reg_paused")
            return end_form(self.contact_id, keep=True, requested=requested)
        tries = dict(self.slots.get("reg_tries") or {})
        tries[requested] = tries.get(requested, 0) + 1
        self.say("utter_reg_invalid", message_key=f"reg.invalid.{_hint(requested, reason)}")
        events = [SlotSet(requested, None), SlotSet("reg_tries", tries),
                  SlotSet("reg_said", "error"), SlotSet(REQUESTED, requested)]
        if tries[requested] >= MAX_TRIES:
            self.say("utter_reg_offer_human")
            events.append(SlotSet("reg_offer", requested))
        return events

    def topic_answer(self, requested: str) -> list[EventType]:
        # Without its menu: numbers typed next answer the form's question, not the menu.
        self.say(f"utter_{self.intent}", options=False)
        return self._same_question(requested)

    def _same_question(self, requested: str) -> list[EventType]:
        return [SlotSet(requested, None), SlotSet("reg_said", "answer"), SlotSet(REQUESTED, requested)]

    def accept(self, requested: str, value: Any) -> list[EventType]:
        slots = dict(self.slots, **{requested: value})
        events: list[EventType] = [SlotSet(requested, value), SlotSet("reg_said", None),
                                   SlotSet("reg_offer", None)]
        if requested == "reg_consent" and value == "no":
            self.say("utter_reg_no_consent")
            return end_form(self.contact_id, keep=False)
        if requested == "reg_case":
            if value in ("removed_attended", "never_mpp"):
                self.say(f"utter_reg_not_for_you_{value}")
                return end_form(self.contact_id, keep=False)
            if value == "not_sure":
                self.say("utter_reg_case_check")
        if requested == "reg_location" and value.get("country") == "US":
            self.say("utter_in_us_case")
            return end_form(self.contact_id, keep=False)
        if requested == "reg_contact" and value != "other":
            slots["reg_phone"] = None
            events.append(SlotSet("reg_phone", None))
        if requested == "reg_confirm":
            if value == "yes":
                return self.complete(slots)
            # A correction: empty that one answer, ask it again, then show the summary again.
            slots[value] = None
            slots["reg_confirm"] = None
            events = [SlotSet(value, None), SlotSet("reg_confirm", None), SlotSet("reg_said", None)]
            if value == "reg_contact":
                events.append(SlotSet("reg_phone", None))
                slots["reg_phone"] = None
        nxt = next_question(slots)
        mark_form(self.contact_id, nxt)
        return events + [SlotSet(REQUESTED, nxt)]

    def complete(self, slots: dict) -> list[EventType]:
        metadata = (self.tracker.latest_message or {}).get("metadata") or {}
        number = contact_number(self.contact_id) or ""
        contact = slots["reg_contact"]
        values = {
            "name": slots["reg_name"], "birth_date": slots["reg_birth_date"],
            "citizenship": slots["reg_citizenship"], "a_number": slots["reg_a_number"],
            "case_situation": slots["reg_case"], "enrolled": slots["reg_enrolled"][:7],
            "location_country": (slots["reg_location"] or {}).get("country") or "",
            "location_city": (slots["reg_location"] or {}).get("place") or "",
            "phone": slots["reg_phone"] if contact == "other" else number,
            "family": slots["reg_family"], "vulnerabilities": slots["reg_vulnerability"],
        }
        channel = "whatsapp" if contact == "whatsapp" else "sms"
        reg = registrations().create(values, self.contact_id, channel, self.lang)
        if contact == "sms":
            # They chose text messages: news may come by SMS when WhatsApp's window is closed.
            redis().hset(contact_key(self.contact_id), "sms_ok", "1")
        log.info("registration %s stored for %s (%s)", reg.reference, self.contact_id,
                 metadata.get("channel"))
        self.say("utter_reg_done", reference=reg.reference)
        return end_form(self.contact_id, keep=False)


def _hint(requested: str, reason: str) -> str:
    """The catalog hint for a failed answer: the reason where it says more, else the field."""
    if reason in ("date_impossible", "date_future", "date_too_old", "month_before_mpp",
                  "a_number_phone", "a_number_length", "name_letters", "name_full",
                  "name_long"):
        return reason
    return requested.removeprefix("reg_")


FREE_TEXT = ("reg_name", "reg_location")
# Whole words, and word beginnings long enough not to start a place or a name ("Matamoros").
_DANGER_WORDS = {"mata", "matan", "maten", "matar", "kill", "hurt", "rape", "911", "golpe",
                 "golpes", "herido", "herida", "sangre", "locked"}
_DANGER_STEMS = ("secuestr", "amenaz", "peligro", "encerrad", "persigu", "kidnap", "threat",
                 "danger", "bleed", "emergenc", "auxilio", "policia", "police", "violad")


def plausible_answer(requested: str, text: str) -> bool:
    """Whether a message that parses for the question should be taken as its answer.

    Structured answers (dates, numbers, choices) are answers. Free text parses easily, so a
    name or a place must also not read like a question, a story or a cry for help.

    >>> plausible_answer("reg_name", "Socorro Ayala"), plausible_answer("reg_name", "me quieren matar")
    (True, False)
    >>> plausible_answer("reg_location", "donde queda la garita?"), plausible_answer("reg_location", "Matamoros")
    (False, True)
    """
    if requested not in FREE_TEXT:
        return True
    tokens = words(text)
    if looks_like_question(text) or len(tokens) > (5 if requested == "reg_name" else 12):
        return False
    return not any(t in _DANGER_WORDS or t.startswith(_DANGER_STEMS) for t in tokens)


def read_answer(requested: str, text: str, slots: dict, contact_id: str) -> Any:
    """The slot value for an answer to `requested`, or fields.Invalid."""
    if not text.strip():
        raise fields.Invalid("empty")
    if requested == "reg_consent":
        answer = fields.yes_no(text)
        if answer is None:
            raise fields.Invalid("yes_no")
        return "yes" if answer else "no"
    if requested == "reg_case":
        return fields.parse_case_situation(text)
    if requested == "reg_location":
        country, place = fields.parse_location(text)
        return {"country": country, "place": place}
    if requested == "reg_name":
        return fields.parse_name(text)
    if requested == "reg_birth_date":
        return fields.parse_birth_date(text).isoformat()
    if requested == "reg_citizenship":
        return fields.parse_country(text)
    if requested == "reg_a_number":
        return fields.parse_a_number(text)
    if requested == "reg_enrolled":
        return fields.parse_month_year(text).isoformat()
    if requested == "reg_contact":
        return fields.parse_contact_choice(text)
    if requested == "reg_phone":
        own = contact_number(contact_id) if contact_id else None
        code = "1" if own and own.startswith("+1") else "52"
        return fields.parse_phone(text, default_country_code=code)
    if requested == "reg_family":
        return fields.parse_family(text)
    if requested == "reg_vulnerability":
        return fields.parse_vulnerabilities(text)
    if requested == "reg_confirm":
        return read_confirmation(text)
    raise fields.Invalid("unknown")


def read_confirmation(text: str) -> str:
    """'yes', or the slot the person wants to correct (by line number or by name).

    >>> read_confirmation("si"), read_confirmation("2"), read_confirmation("cambiar el nombre")
    ('yes', 'reg_birth_date', 'reg_name')
    """
    folded = fold(text)
    number = re.fullmatch(r"(?:linea |line |cambiar |change |corregir )?(\d{1,2})",
                          fields.choice_text(text))
    if number:
        index = int(number[1])
        if 1 <= index <= len(SUMMARY):
            return SUMMARY[index - 1]
        raise fields.Invalid("confirm")
    if fields.yes_no(text, numbered=False):
        return "yes"
    padded = f" {folded} "
    for slot, names in _FIELD_WORDS.items():
        if any(f" {n} " in padded for n in names if len(n) > 1):
            return slot
    raise fields.Invalid("confirm")


# --- asking --------------------------------------------------------------------------------
class AskQuestion:
    """Asks one registration question, unless the validation just did in its error message.

    Mixed into one `action_ask_<slot>` Action per question below.
    """

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("reg_said") == "error":
            return [SlotSet("reg_said", None)]
        lang = current_language(tracker)
        dispatcher.utter_message(response=f"utter_ask_{self.slot}", lang=lang)
        return []


# rasa-sdk finds actions by subclass; keep a reference so each class stays alive.
ASK_ACTIONS = {slot: type(f"Ask_{slot}", (AskQuestion, Action),
                          {"slot": slot, "__module__": __name__})
               for slot in QUESTIONS if slot != "reg_confirm"}


class AskConfirm(Action):
    """The summary, with numbered lines the person can correct by number."""

    def name(self) -> str:
        return "action_ask_reg_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("reg_said") == "error":
            return [SlotSet("reg_said", None)]
        from hotline.registration.summary import summary

        lang = current_language(tracker)
        slots = {name: tracker.get_slot(name) for name in SUMMARY + ("reg_phone",)}
        dispatcher.utter_message(response="utter_ask_reg_confirm", lang=lang,
                                 summary=summary(slots, lang))
        return []


# --- outside the form ----------------------------------------------------------------------
class ActionRegistrationStatus(Action):
    """'What is the status of my registration?' from the phone that registered."""

    def name(self) -> str:
        return "action_registration_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        from hotline.registration.store import PUBLIC_STATUS

        lang = current_language(tracker)
        reg = registrations().latest_for_contact(tracker.sender_id)
        if reg is None:
            draft = any(tracker.get_slot(name) is not None for name in QUESTIONS)
            dispatcher.utter_message(
                response="utter_reg_status_draft" if draft else "utter_reg_status_none", lang=lang)
            return []
        status = PUBLIC_STATUS.get(reg.status, reg.status)
        dispatcher.utter_message(response="utter_reg_status", lang=lang, reference=reg.reference,
                                 message_key=f"reg.status.{status}")
        return []
