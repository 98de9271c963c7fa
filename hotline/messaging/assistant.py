"""Talking to the Rasa assistant over its REST channel."""

from __future__ import annotations

import logging
import time

import requests

from hotline.errors import AssistantUnavailable
from hotline.messaging.turns import RUNNING_MARK

log = logging.getLogger(__name__)

# How long Rasa answering (a probe or a turn) stands for it being up, before a turn is sent.
# Asked before every turn, the two probes cost the worker more CPU than the turn's own request,
# and Rasa one more request per message (bench/inbound_latency.py's CPU table). Rasa needs no
# probe while it keeps answering: if it went down since, the turn's request fails and nothing
# ran. The action server is still asked before every turn: with it down, Rasa would run the
# turn up to its first custom action and keep what was said before it, and the person would
# get half an answer (tests/stack: test_assistant_down_the_person_is_told_and_answered_later).
PROBE_FRESH_SECONDS = 2.0


class Assistant:
    def __init__(self, rasa_url: str, action_server_url: str, timeout: float = 30.0,
                 token: str | None = None):
        self.rasa_url = rasa_url.rstrip("/")
        self.action_server_url = action_server_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        # The REST channel refuses senders without it (rasa_ext/channels.py); a header, so it
        # never lands in a URL or an access log.
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.rasa_seen_at: float | None = None  # time.monotonic() Rasa last answered

    def rasa_alive(self) -> bool:
        try:
            return self.session.get(self.rasa_url + "/", timeout=3).ok
        except requests.RequestException:
            return False

    def actions_alive(self) -> bool:
        try:
            return self.session.get(self.action_server_url + "/health", timeout=3).ok
        except requests.RequestException:
            return False

    def ensure_available(self) -> None:
        """Both servers answer now, or AssistantUnavailable."""
        self.rasa_seen_at = None
        if not self.rasa_alive():
            raise AssistantUnavailable("Rasa server is not answering")
        self.rasa_seen_at = time.monotonic()
        self._ensure_actions()

    def _ensure_actions(self) -> None:
        if not self.actions_alive():
            raise AssistantUnavailable("action server is not answering")

    def _available_before_turn(self) -> None:
        # Rasa answered within PROBE_FRESH_SECONDS: only the action server is asked.
        if (self.rasa_seen_at is not None
                and time.monotonic() - self.rasa_seen_at < PROBE_FRESH_SECONDS):
            self._ensure_actions()
        else:
            self.ensure_available()

    def send(self, sender_id: str, text: str, metadata: dict) -> list[dict]:
        """One user turn; the assistant's messages in order."""
        self._available_before_turn()
        try:
            response = self.session.post(
                self.rasa_url + "/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text, "metadata": metadata},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            self.rasa_seen_at = None
            raise AssistantUnavailable(f"Rasa request failed: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            self.rasa_seen_at = None
            raise AssistantUnavailable(f"Rasa answered {response.status_code}")
        response.raise_for_status()
        self.rasa_seen_at = time.monotonic()
        replies = response.json()
        if RUNNING_MARK in replies:
            # The same MessageSid's turn is running right now (an earlier attempt we stopped
            # waiting for): its answer is kept, and the retry gets it.
            raise AssistantUnavailable("this message's turn is still running")
        if not replies:
            # The REST channel answers 200 [] when an action or the NLG failed mid-turn.
            self.ensure_available()
        return replies
