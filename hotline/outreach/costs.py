"""What a broadcast costs: estimated before it is sent (the dry run), counted as it is sent.

Each recipient's message is classed as Twilio will bill it (`messaging.billing`: SMS segments
and encoding on the route the sender would take, WhatsApp's service or template category) and
priced at the operator's prices (`HOTLINE_MESSAGE_PRICES`); a class without a price is counted
as unpriced, never as free. How many messages of each class and cost were sent is kept by
`receipts` (counts, naming nobody).

May import: core, contacts, messaging (billing, routing), outreach (spec, receipts), runtime.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from hotline.contacts import Contact
from hotline.messaging import billing, routing
from hotline.outreach import receipts
from hotline.outreach.spec import Broadcast
from hotline.runtime import Runtime

log = logging.getLogger(__name__)
# The estimate routes without reading anyone's number (the dry run leaves numbers encrypted):
# any number will do, only the channel and the route's kind matter.
_ANY_NUMBER = "+10000000000"


def prices(rt: Runtime) -> billing.Prices:
    """The operator's prices; unreadable ones are logged and treated as unknown."""
    s = rt.settings
    try:
        return billing.Prices.parse(s.message_prices, s.price_currency)
    except billing.PriceError as exc:
        log.error("HOTLINE_MESSAGE_PRICES unreadable (%s): costs shown as unknown", exc)
        return billing.Prices(currency=s.price_currency)


def classify(rt: Runtime, to: str, body: str,
             content_sid: str | None) -> billing.BillingClass:
    return billing.classify(to, body, content_sid, rt.settings.whatsapp_template_category)


class Estimate:
    """The dry run's running estimate: one `add` per recipient who would be sent to."""

    def __init__(self, rt: Runtime, bc: Broadcast):
        self.rt, self.bc = rt, bc
        self.prices = prices(rt)
        self.tally = billing.Tally(self.prices.currency)
        self.no_route = 0

    def add(self, contact: Contact, language: str) -> None:
        try:
            route = routing.choose(contact, self.rt.settings.hotline_numbers,
                                   self.bc.content_sid, number=contact.number or _ANY_NUMBER)
        except routing.NoRoute:
            self.no_route += 1  # skipped when sent (window closed, undeliverable...): no cost
            return
        body = self.bc.texts.get(language) or self.bc.texts.get(
            self.rt.settings.default_language) or ""
        bclass = classify(self.rt, route.to, body, route.content_sid)
        self.tally.add(bclass, billing.cost(bclass, self.prices))

    def as_dict(self) -> dict:
        return {**self.tally.as_dict(), "no_route": self.no_route}


def record(rt: Runtime, bc_id: str, to: str, body: str, content_sid: str | None) -> None:
    """Note what one broadcast message Twilio accepted is billed as."""
    bclass = classify(rt, to, body, content_sid)
    price = billing.cost(bclass, prices(rt))
    receipts.record_billing(rt.redis, bc_id, bclass.as_fields(),
                            "" if price is None else str(price))


def spent(rt: Runtime, bc_id: str) -> dict:
    """What the broadcast's accepted messages cost, at the prices in force when each was sent."""
    tally = billing.Tally(rt.settings.price_currency)
    for fields, price, count in receipts.billing(rt.redis, bc_id):
        bclass = billing.BillingClass.from_fields(fields)
        if bclass is None:
            continue
        try:
            cost = Decimal(price) if price else None
        except ArithmeticError:
            cost = None
        for _ in range(count):
            tally.add(bclass, cost)
    return tally.as_dict()
