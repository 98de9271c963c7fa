"""Sending one broadcast to its recipients: each claimed once, routed, paced, handed to Twilio.

Owns the per-recipient send: claiming recipients before Twilio is called (so nobody gets a
broadcast twice), the route (inside WhatsApp's window, an approved template, the SMS fallback,
or nothing), the rate shared by every worker per sending number, and the in-thread waits on a
transient error. The Twilio call, the lookup of an attempt whose answer was lost and the reading
of Twilio's errors are `messaging.delivery`'s, the same for every message the hotline sends.

May import: core, contacts, messaging (channels, delivery, routing), outreach (spec, receipts,
report, ratelimit), runtime.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from hotline.contacts import Contact
from hotline.errors import TransientSendError
from hotline.messaging import delivery, routing
from hotline.messaging.channels import SMS, WHATSAPP, Address, channel_of
from hotline.outreach import costs, receipts
from hotline.outreach import report as bc_report
from hotline.outreach.ratelimit import RateLimiter
from hotline.outreach.spec import Broadcast
from hotline.runtime import Runtime

# Waits (seconds) before each new attempt after a transient error. A broadcast cannot hand one
# message back to RQ for later, as the outbox does, so it waits in its thread.
TRANSIENT_WAITS = (0.5, 1, 2, 4, 8)
# Why a claimed recipient was not sent after all, in the receipt and the report.
OPTED_OUT = "opted_out"
NOT_OURS = "stopped"


class _Stop(Exception):
    """Raised from the pace hook, right before Twilio is called: do not send this one."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Sender:
    """Sends one broadcast: claims and contacts a batch at a time, Twilio calls from threads."""

    def __init__(self, rt: Runtime, bc: Broadcast, taken_over: bool = False,
                 still_ours: Callable[[], bool] | None = None):
        self.rt = rt
        self.bc = bc
        # In a chunk taken over from a dead runner, its "sending" claims are in doubt.
        self.taken_over = taken_over
        # Whether this runner still owns the chunk (its heartbeat says); asked before each send.
        self.still_ours = still_ours or (lambda: True)
        self._limiters: dict[str, RateLimiter] = {}

    def claim(self, ids: list[str]) -> list[tuple[str, Contact | None]]:
        """Claim a batch of recipients and read their contacts, in two round trips.

        Only recipients claimed here (or, in a taken-over chunk, left "sending" by the dead
        runner and not found at Twilio) are returned to be sent.
        """
        r = self.rt.redis
        claimed = receipts.claim(r, self.bc.id, ids, time.time())
        ours = [cid for cid, won in zip(ids, claimed) if won]
        if self.taken_over:
            lost = [c for c, won in zip(ids, claimed) if not won]
            for contact_id, state in zip(lost, receipts.states_of(r, self.bc.id, lost)):
                # A dead runner's claim: did Twilio accept that attempt before it died?
                if (state or "").startswith(f"{receipts.SENDING}:") and \
                        not self._accepted_earlier(contact_id, state):
                    ours.append(contact_id)
        return list(zip(ours, self.rt.contacts.get_many(ours)))

    def send(self, item: tuple[str, Contact | None]) -> str:
        """Send to one claimed recipient; returns "sent", "skip", "failed" or "stopped" (the
        chunk is no longer this runner's)."""
        contact_id, contact = item
        if contact is None:
            return self._finish(contact_id, f"{receipts.SKIP}:no_contact")
        try:
            route = routing.choose(contact, self.rt.settings.hotline_numbers, self.bc.content_sid)
        except routing.NoRoute as exc:
            return self._finish(contact_id, f"{receipts.SKIP}:{exc.reason}")
        body = self.bc.texts.get(contact.language or "") or self.bc.texts[
            self.rt.settings.default_language]
        try:
            message = delivery.create(
                self.rt, contact_id, route.to, route.sender, body, route.content_sid,
                callback=self.rt.settings.broadcast_callbacks, waits=TRANSIENT_WAITS,
                pace=lambda: self._pace(route.sender, contact_id, channel_of(route.to)),
                send_id=receipts.send_id(self.bc.id, contact_id))
        except _Stop as stop:
            if stop.reason == NOT_OURS:
                # Left "sending": the runner that took the chunk over looks it up at Twilio
                # (not there) and sends it, once.
                return NOT_OURS
            return self._finish(contact_id, f"{receipts.SKIP}:{stop.reason}")
        except delivery.SendRefused as exc:
            return self._failed(contact_id, exc.code)
        except TransientSendError as exc:
            return self._failed(contact_id, exc.code or exc.status or "timeout")
        receipts.record_sent(self.rt.redis, self.bc.id, contact_id, message.sid, route.via,
                             self.rt.settings.message_ttl_seconds)
        # Callbacks that came before this record (untagged ones, kept by the webhook).
        bc_report.apply_early(self.rt, message.sid)
        costs.record(self.rt, self.bc.id, route.to, body, route.content_sid)
        return receipts.SENT

    def _pace(self, sender: str, contact_id: str, channel: str | None = None) -> None:
        """Before every attempt: wait for the rate's slot, then, immediately before Twilio is
        called, check what may have changed meanwhile (a STOP, the chunk taken over).

        The contact read at claim time can be seconds to minutes old by now (limiter waits,
        Twilio's retries): a STOP received meanwhile must win.
        """
        self.limiter(sender).wait()
        if not self.still_ours():
            raise _Stop(NOT_OURS)
        if self.rt.contacts.is_opted_out(contact_id, channel):  # on the channel it goes by
            raise _Stop(OPTED_OUT)

    def limiter(self, sender: str) -> RateLimiter:
        """The rate is per sending number (or Messaging Service), shared by every worker."""
        key = self.rt.settings.twilio_messaging_service_sid or sender
        if key not in self._limiters:
            self._limiters[key] = RateLimiter(self.rt.redis, f"send:{key}", self.bc.rate)
        return self._limiters[key]

    def _failed(self, contact_id: str, code) -> str:
        return self._finish(contact_id, f"{receipts.FAIL}:{code}", "failed")

    def _finish(self, contact_id: str, state: str, result: str | None = None) -> str:
        receipts.set_state(self.rt.redis, self.bc.id, contact_id, state)
        return result or state.split(":", 1)[0]

    def _accepted_earlier(self, contact_id: str, state: str) -> bool:
        """Whether Twilio holds this broadcast's message to the contact; records it if so.

        Exactly this recipient's message: one sent since the dead runner claimed it (`state`,
        "sending:<time>"), queued ones included, and none another record owns (another
        broadcast's receipt, or a reply), however alike their words. A tagged callback for it
        would already have marked it sent (`receipts.learn_sid`).
        """
        contact = self.rt.contacts.get(contact_id)
        if contact is None or not contact.number:
            return False
        try:
            claimed_at = float(state.partition(":")[2])
        except ValueError:
            claimed_at = self.bc.created_at
        mine = (self.bc.id, contact_id)

        def taken(sid: str) -> bool:
            owner = receipts.owner_of(self.rt.redis, sid)
            return (owner is not None and owner != mine) or \
                self.rt.messages.owner_of(sid) is not None

        addresses = [Address(channel, contact.number).twilio for channel in (SMS, WHATSAPP)]
        found = delivery.accepted_earlier(self.rt, addresses, set(self.bc.texts.values()),
                                          max(claimed_at, self.bc.created_at), taken=taken,
                                          template=bool(self.bc.content_sid))
        if found is None:
            return False
        receipts.record_sent(self.rt.redis, self.bc.id, contact_id, found.sid, "recovered",
                             self.rt.settings.message_ttl_seconds)
        bc_report.apply_early(self.rt, found.sid)
        return True
