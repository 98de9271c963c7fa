"""What every hotline action shares: the process runtime and the language to answer in.

The action server is one process; like an RQ worker it uses `hotline.runtime.process_runtime()`
(built from the environment on first use), never clients of its own.

Which language: `hotline.messaging.language.for_turn`, the same rule the NLG endpoint applies to
every response an action names. So an action passes `lang=` to `utter_message` only when it
changed the person's language during this turn: the rule would find the new language anyway
(stored before the NLG endpoint reads it), but the explicit choice says so where it happens and
does not depend on that order.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from hotline.contacts import Contact
from hotline.messaging import language
from hotline.runtime import Runtime, process_runtime


def runtime() -> Runtime:
    """This action server's runtime: Redis, stores, catalogs, settings."""
    return process_runtime()


def _metadata(tracker: Tracker) -> dict | None:
    return (tracker.latest_message or {}).get("metadata")


def gateway_language(tracker: Tracker) -> str:
    """The language the gateway chose for this turn, before any action ran."""
    return language.for_turn(None, None, _metadata(tracker),
                             runtime().settings.default_language)


def answer_language(tracker: Tracker, contact: Contact | None = None) -> str:
    """The language to answer in now: the contact's stored one first (an action this turn may
    have changed it since the gateway chose), as the NLG endpoint decides. Pass the contact when
    it has been read already."""
    rt = runtime()
    contact = contact or rt.contacts.get(tracker.sender_id)
    return language.for_turn(None, contact.language if contact else None, _metadata(tracker),
                             rt.settings.default_language)


def repeated_message(tracker: Tracker) -> bool:
    """Whether this message was read in an earlier turn already. Rasa saves a turn before the
    gateway hears its answer; when Rasa stops in between (killed, or the gateway timed out), the
    gateway asks again with the same MessageSid and the tracker holds the message twice. Read
    again, it would be taken for the answer to the question that turn went on to ask."""
    sid = (_metadata(tracker) or {}).get("message_sid")
    if not sid:
        return False
    same = [e for e in tracker.events if e.get("event") == "user"
            and ((e.get("metadata") or {}).get("message_sid") == sid)]
    return len(same) > 1
