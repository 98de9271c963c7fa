"""A message Rasa already answered (saved, then the gateway asked again) is not a new answer.

Rasa saves a turn before the gateway hears of it; if Rasa is killed in between, the gateway's
retry carries the same MessageSid and the tracker holds the message twice. Read again, a place
given for the name would become the answer to the next question.
"""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions._base import repeated_message
from actions.registration import Turn


def user(text: str, sid: str | None) -> dict:
    return {"event": "user", "text": text, "metadata": {"message_sid": sid} if sid else {}}


def tracker(requested: str, text: str, sid: str | None, earlier: list[dict]) -> Tracker:
    latest = {"text": text, "intent": {"name": "inform", "confidence": 0.9},
              "intent_ranking": [], "metadata": {"language": "es", "message_sid": sid}}
    return Tracker(
        sender_id="c-test", slots={"requested_slot": requested, requested: text,
                                   "reg_consent": "yes", "reg_case": "active"},
        latest_message=latest, events=[*earlier, user(text, sid)], paused=False,
        followup_action=None, active_loop={"name": "registration_form"},
        latest_action_name="action_listen")


@pytest.fixture
def decide(rt, monkeypatch):
    monkeypatch.setattr("hotline.runtime._process_runtime", rt)

    def run(t: Tracker):
        dispatcher = CollectingDispatcher()
        return Turn(dispatcher, t).decide(), dispatcher.messages

    return run


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == name]
    return values[-1] if values else "unset"


def test_the_same_message_again_asks_the_open_question_instead_of_taking_it(decide):
    # The place turn ran and was saved (it asked for the name); the retry brings it again, and
    # "Matamoros" would pass for a name.
    earlier = [user("Matamoros", "SMrepeat1")]
    events, said = decide(tracker("reg_name", "Matamoros", "SMrepeat1", earlier))
    assert slot(events, "reg_name") is None
    assert slot(events, "requested_slot") == "reg_name"
    assert said == []  # the form's own ask action puts the question


def test_a_new_message_with_the_same_words_is_an_answer(decide):
    # Same text, another MessageSid: a person really saying it again is read as usual.
    earlier = [user("Matamoros", "SMfirst")]
    events, _ = decide(tracker("reg_location", "Matamoros", "SMsecond", earlier))
    assert slot(events, "reg_location") == {"country": "MX", "place": "Matamoros"}


def test_messages_without_a_message_sid_are_never_repeats():
    # A developer's chat has no MessageSid; nothing there can be a gateway retry.
    t = tracker("reg_name", "Ana", None, [user("Ana", None)])
    assert repeated_message(t) is False


def test_a_malformed_earlier_event_is_not_a_repeat():
    earlier = [{"event": "user", "text": "x", "metadata": None}, {"event": "bot"}]
    assert repeated_message(tracker("reg_name", "Ana", "SMx", earlier)) is False
