"""Registration by text message: a Rasa form whose every turn is decided here.

The form (`registration_form` in bot/domain/registration.yml) fills each requested slot from the
person's whole message; `validate_registration_form` then decides what that message was: an
answer to the question, a question of their own, a request to stop, to change language, for a
person, or danger. Because the validation action sees every message first, nothing a person
types mid-form is taken for an answer unless it is one, and nothing they typed is lost.

The questions are asked by `action_ask_<slot>` actions (`ask.py`) rather than plain responses,
so that a "that is not a date, for example 15/03/1988" message is not followed by the same
question again: one SMS instead of two.

What a message is, read without Rasa or Redis, is in `hotline.registration.reading`; this module
decides the turn from it and from the model's intent.

Whether the form may start at all is decided here too, at the moment of the turn, from the
program status in force (operators open and close intake without a restart): the form is where
every way of asking to register arrives (the `register` intent, "REGISTRO", a menu's
"Registration" option), and it can end on the turn it starts.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from hotline.content import program_status
from hotline.messaging import keywords
from hotline.registration import answers, form_mark, notify, reading
from hotline.text import words

from .._base import answer_language, repeated_message, runtime
from ..escalation import emergency_response, hand_to_people, queue_for_people
from ..language import target_language

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
MAX_TRIES = 3


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


def next_question(slots: dict) -> str | None:
    for name in QUESTIONS:
        if name == "reg_phone" and slots.get("reg_contact") != "other":
            continue
        if slots.get(name) is None:
            return name
    return None


def mark_form(contact_id: str, requested: str | None) -> None:
    """Tell the gateway a registration question is open: digits are expected, not a mistake."""
    form_mark.mark(runtime().redis, contact_id, requested)


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
        self.rt = runtime()
        self.contact = self.rt.contacts.get(self.contact_id)
        self.lang = answer_language(tracker, self.contact)
        # Set when this turn changes the person's language (see `say`).
        self.switched = False
        self.slots = {name: tracker.get_slot(name) for name in ALL_SLOTS}
        self.text = _text(tracker)
        self.intent, self.confidence = _intent(tracker)
        self._status: program_status.ProgramStatus | None = None

    @property
    def intake_open(self) -> bool:
        """Whether the hotline takes registrations now: the status in force at this turn."""
        if self._status is None:
            self._status = program_status.load(self.rt.settings.program_status_file,
                                               self.rt.redis)
        return self._status.intake.open

    def say(self, response: str, **values) -> None:
        # The NLG endpoint finds the language by the same rule as `self.lang`; only a language
        # switched this turn is said explicitly (actions/_base.py).
        if self.switched:
            values["lang"] = self.lang
        self.dispatcher.utter_message(response=response, **values)

    # -- the decision ----------------------------------------------------------------------
    def decide(self) -> list[EventType]:
        active = self.tracker.active_loop_name == FORM
        requested = self.tracker.get_slot(REQUESTED)
        if not active or requested not in QUESTIONS:
            return self.start()
        if repeated_message(self.tracker):
            # Its turn ran and was saved, but its answer never reached the person: they get
            # the question that turn went on to ask, and the message is not read as its answer.
            log.info("message already read by the form; asking %s again", requested)
            return [SlotSet(requested, None), SlotSet("reg_said", None),
                    SlotSet(REQUESTED, requested)]
        # The form put the whole message in the requested slot; decide what it really is.
        own_number = self.contact.number if self.contact else None
        try:
            self.value, self.reason = reading.read_answer(requested, self.text, own_number), None
        except answers.Invalid as exc:
            self.value, self.reason = None, exc.reason
        self.plausible = self.reason is None and reading.plausible_answer(requested, self.text)
        for handler in (self.cancel, self.danger, self.closed, self.offer, self.person,
                        self.stop, self.language):
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
        if self.text.startswith("/"):
            # A menu's "Registration" option (the gateway strips "/" from typed text, so only a
            # payload starts with one): what registering is today, before any question. Its
            # open-intake wording says to reply REGISTRO to start.
            self.say("utter_register_info")
            return end_form(self.contact_id, keep=True)
        # Intake closed: no new registration starts. One the person consented to while intake
        # was open may be finished (they were told it would go to the organizations; closing
        # intake stops new ones, and the closed wording of the last message promises no review).
        if not self.intake_open and self.slots.get("reg_consent") != "yes":
            self.say("utter_reg_intake_closed")
            return end_form(self.contact_id, keep=True)
        resumed = any(self.slots.get(name) is not None for name in QUESTIONS)
        if resumed:
            self.say("utter_reg_resume")
        nxt = next_question(self.slots)
        mark_form(self.contact_id, nxt)
        # A bookkeeping SlotSet keeps Rasa from rejecting the activation turn.
        return [SlotSet("reg_said", None), SlotSet("reg_offer", None), SlotSet(REQUESTED, nxt)]

    def cancel(self, requested: str) -> list[EventType] | None:
        if not reading.is_cancel(self.text):
            return None
        self.say("utter_reg_cancelled")
        return end_form(self.contact_id, keep=False)

    def danger(self, requested: str) -> list[EventType] | None:
        # "Socorro Ayala" is a name, not a cry for help: a plausible answer is an answer.
        if self.intent != "emergency" or self.confidence < 0.7 or self.plausible:
            return None
        # Danger comes before any form: what to do now, alone (no "registration paused", no
        # next question), and the operators' urgent queue. The answers so far are kept; the
        # form goes on only when the person asks (REGISTRO).
        settings = self.rt.settings
        self.say(emergency_response(settings.operator_hours, settings.timezone))
        queue_for_people(self.contact_id, "emergency", True, self.lang)
        return end_form(self.contact_id, keep=True, requested=requested)

    def closed(self, requested: str) -> list[EventType] | None:
        """Intake closed while the consent question was open: nothing was agreed to yet, so
        the form stops and keeps nothing (see `start` for forms already consented to)."""
        if requested != "reg_consent" or self.intake_open:
            return None
        self.say("utter_reg_intake_closed")
        return end_form(self.contact_id, keep=False)

    def person(self, requested: str) -> list[EventType] | None:
        if self.intent != "human_handoff" or self.confidence < 0.7 or self.plausible:
            return None
        return self._pause_for_people(requested, "utter_human_handoff", "asked")

    def stop(self, requested: str) -> list[EventType] | None:
        """A request to stop messages the model is sure of, which no rule caught before the
        assistant ("ya me tienen harto con tantos mensajes"): reported to the gateway, which
        opts the person out as for any STOP (`actions/opt_out.py`). Only a sure reading
        interrupts the form; an unsure one is read as an answer, as before. The answers so far
        are kept, for if they come back (START, then REGISTRO)."""
        if (self.intent != "stop_messages" or self.plausible or not keywords.model_stop_is_sure(
                self.text, self.confidence, self.rt.settings.stop_confidence)):
            return None
        self.dispatcher.utter_message(json_message={keywords.STOP_REQUEST:
                                                    round(self.confidence, 4)})
        return end_form(self.contact_id, keep=True, requested=requested)

    def language(self, requested: str) -> list[EventType] | None:
        tokens = set(words(self.text))
        named = tokens & {"english", "ingles", "espanol", "spanish", "idioma", "language"}
        if not named or self.intent != "change_language" or len(tokens) > 6:
            return None
        self.lang = target_language(self.text, self.lang)
        self.rt.contacts.set_language(self.contact_id, self.lang, chosen=True)
        self.switched = True
        self.say("utter_language_changed")
        # The same question again, now in the new language.
        return [SlotSet(requested, None), SlotSet("reg_said", None), SlotSet(REQUESTED, requested)]

    def offer(self, requested: str) -> list[EventType] | None:
        if not self.slots.get("reg_offer"):
            return None
        if reading.names_a_person(self.text) or answers.yes_no(self.text, numbered=False):
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
        return reading.mid_form_topic(self.intent, self.confidence, self.text)

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
        if self.intent in ("registration_status", "message_delivery") and self.confidence >= 0.6:
            self.say("utter_reg_in_progress")
            return self._same_question(requested)
        if self.intent == "goodbye" and self.confidence >= 0.8:
            self.say("utter_reg_paused")
            return end_form(self.contact_id, keep=True, requested=requested)
        tries = dict(self.slots.get("reg_tries") or {})
        tries[requested] = tries.get(requested, 0) + 1
        self.say("utter_reg_invalid", message_key=f"reg.invalid.{reading.hint(requested, reason)}")
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
        return [SlotSet(requested, None), SlotSet("reg_said", "answer"),
                SlotSet(REQUESTED, requested)]

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
        if requested == "reg_a_number" and value == answers.NO_A_NUMBER:
            # The registration goes on without it (what utter_documents promises).
            self.say("utter_reg_a_number_missing")
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
        number = (self.contact.number if self.contact else None) or ""
        contact = slots["reg_contact"]
        a_number = slots["reg_a_number"]
        values = {
            "name": slots["reg_name"], "birth_date": slots["reg_birth_date"],
            "citizenship": slots["reg_citizenship"],
            "a_number": "" if a_number == answers.NO_A_NUMBER else a_number,
            "case_situation": slots["reg_case"], "enrolled": slots["reg_enrolled"][:7],
            "location_country": (slots["reg_location"] or {}).get("country") or "",
            "location_city": (slots["reg_location"] or {}).get("place") or "",
            "phone": slots["reg_phone"] if contact == "other" else number,
            "family": slots["reg_family"], "vulnerabilities": slots["reg_vulnerability"],
        }
        channel = "whatsapp" if contact == "whatsapp" else "sms"
        reg = self.rt.registrations.create(values, self.contact_id, channel, self.lang)
        if contact == "sms":
            self.rt.contacts.allow_sms(self.contact_id)
        # That phone never asked for anything: a code goes to it, and news goes there only once
        # it answers with the code (hotline.registration.destinations).
        asked_other = contact == "other" and notify.request_confirmation(self.rt, reg)
        log.info("registration %s stored for %s (%s)", reg.reference, self.contact_id,
                 metadata.get("channel"))
        self.say("utter_reg_done", reference=reg.reference)
        if asked_other:  # after the reference, in the same turn: why news still comes here
            self.dispatcher.utter_message(text=self.rt.catalogs.text("dest_confirm.told",
                                                                     self.lang))
        return end_form(self.contact_id, keep=False)
