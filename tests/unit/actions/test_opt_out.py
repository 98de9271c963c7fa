"""The action behind stop_messages reports what the model read and how sure it was; the gateway
decides (tests/unit/messaging/test_stop_read_by_model.py)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.opt_out import ActionStopRequest
from hotline.messaging.keywords import STOP_REQUEST


def tracker(confidence) -> Tracker:
    return Tracker(sender_id="c-1", slots={}, latest_message={
        "text": "ya no me escriban", "intent": {"name": "stop_messages", "confidence": confidence},
        "metadata": {"language": "es"}}, events=[], paused=False, followup_action=None,
        active_loop={}, latest_action_name="action_listen")


@pytest.mark.parametrize("confidence,reported", [(0.912345, 0.9123), (None, 0.0),
                                                 ("nonsense", 0.0), (1, 1.0)])
def test_the_action_reports_the_models_confidence_and_decides_nothing(confidence, reported):
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionStopRequest().run(dispatcher, tracker(confidence), {})) == []
    assert dispatcher.messages[0]["custom"] == {STOP_REQUEST: reported}
