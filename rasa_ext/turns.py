"""Rasa's REST channel running each turn once per MessageSid (`hotline.messaging.turns`).

The gateway sends the MessageSid in the message's metadata (`message_sid`). A turn already run
answers with its kept replies and Rasa is not asked again; a turn still running elsewhere
answers with one RUNNING_MARK message, which the gateway reads as "not yet" and retries later.
A message without a MessageSid (a developer's test) runs as before. Configured in
bot/credentials.yml; the URL stays `/webhooks/rest/webhook`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hotline.config import ConfigError, Settings
from hotline.crypto import Vault
from hotline.messaging.turns import DONE, NEW, RUNNING_MARK, TurnStore
from hotline.redis_connect import connect
from rasa_ext.channels import TokenRestInput

log = logging.getLogger(__name__)


def once(turns: TurnStore, on_new_message: Callable[..., Awaitable]) -> Callable[..., Awaitable]:
    """Wrap Rasa's message handler so a MessageSid's turn runs once."""

    async def handle(message) -> None:
        sid = (message.metadata or {}).get("message_sid")
        if not sid:
            await on_new_message(message)
            return
        state, value = turns.begin(message.sender_id, sid)
        if state == DONE:
            log.info("turn %s already ran: its kept answer is sent again", sid)
            message.output_channel.messages.extend(value)
            return
        if state != NEW:
            message.output_channel.messages.append(RUNNING_MARK)
            return
        token = value
        renewing = asyncio.ensure_future(_renew(turns, message.sender_id, sid, token))
        try:
            await on_new_message(message)
        except BaseException:
            turns.abandon(message.sender_id, sid, token)
            raise
        finally:
            renewing.cancel()
        replies = list(message.output_channel.messages)
        if replies:
            turns.finish(message.sender_id, sid, replies)
        else:
            # Rasa answers nothing when an action or the NLG failed mid-turn: the gateway
            # retries, and that retry should run the turn, not replay the silence.
            turns.abandon(message.sender_id, sid, token)

    return handle


async def _renew(turns: TurnStore, contact_id: str, sid: str, token: str) -> None:
    while True:
        await asyncio.sleep(turns.lease / 4)
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, turns.renew, contact_id, sid, token)
        except Exception:  # a Redis blip: the next beat tries again
            log.exception("turn %s lease not renewed", sid)


class OnceRestInput(TokenRestInput):
    """The token-guarded REST channel, each MessageSid's turn run once."""

    def __init__(self, token: str | None = None, turns: TurnStore | None = None):
        super().__init__(token)
        if turns is None:
            try:
                settings = Settings.from_env().require("secret")
            except ConfigError as exc:
                raise RuntimeError(f"the REST channel cannot start: {exc}") from None
            # The keyring as the tracker store has it: that store keeps answers here too.
            turns = TurnStore(connect(settings.redis_url, decode_responses=True),
                              Vault(settings.secret, settings.keyring_file))
        self.turns = turns

    def blueprint(self, on_new_message):
        return super().blueprint(once(self.turns, on_new_message))
