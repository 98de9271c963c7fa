"""What a message costs: its billing class, and the price an operator configured for it.

Carriers bill an SMS by segment, and a segment holds 160 GSM-7 characters or 70 UCS-2 ones
(`messaging.sms`); the class is counted on the body as it goes on the wire (folded to GSM-7
where that saves a segment, `sms.for_sms`). WhatsApp bills per message by category: `service`
(a free-form reply inside the 24-hour window, billed since October 2026), or the category of the
approved template sent outside it (`utility` for the hotline's news; `marketing` and
`authentication` exist too).

Prices are the operator's (`HOTLINE_MESSAGE_PRICES`, e.g. `sms=0.0079,whatsapp_service=0.004`,
in `HOTLINE_PRICE_CURRENCY`): nothing here knows a price, and a class without one is counted as
"price unknown", never as free.

>>> sms_msg = classify("+5215512345678", "Hola, ¿cómo está? " * 10)
>>> sms_msg.category, sms_msg.encoding, sms_msg.units
('sms', 'GSM-7', 2)
>>> prices = Prices.parse("sms=0.0079, whatsapp_service=0.004")
>>> str(cost(sms_msg, prices)), cost(classify("whatsapp:+1555", "hi", "HX1"), prices)
('0.0158', None)

Imports `messaging.sms` and `messaging.channels` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from hotline.messaging import sms
from hotline.messaging.channels import SMS, WHATSAPP, channel_of

GSM7, UCS2 = "GSM-7", "UCS-2"
SERVICE, UTILITY, MARKETING, AUTHENTICATION = "service", "utility", "marketing", "authentication"
WHATSAPP_CATEGORIES = (SERVICE, UTILITY, MARKETING, AUTHENTICATION)
# The price keys an operator may set: one per SMS segment, one per WhatsApp message by category.
PRICE_KEYS = ("sms", *(f"whatsapp_{c}" for c in WHATSAPP_CATEGORIES))
_PRICE = re.compile(r"^\d{1,6}(?:\.\d{1,8})?$")


class PriceError(ValueError):
    """The configured prices cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class BillingClass:
    channel: str  # sms | whatsapp
    category: str  # "sms", or a WhatsApp category
    units: int  # SMS segments; 1 for a WhatsApp message
    encoding: str | None = None  # GSM-7 or UCS-2 (SMS only)

    @property
    def price_key(self) -> str:
        return "sms" if self.channel == SMS else f"whatsapp_{self.category}"

    def as_fields(self) -> dict[str, str]:
        """The class as stored with a message record (strings, no None)."""
        return {"bill_channel": self.channel, "bill_category": self.category,
                "bill_units": str(self.units), "bill_encoding": self.encoding or ""}

    @classmethod
    def from_fields(cls, data: dict) -> BillingClass | None:
        """The class stored with a record, or None for a record from before classes were kept
        (or a damaged one)."""
        try:
            channel, category = data["bill_channel"], data["bill_category"]
            units = int(data["bill_units"])
        except (KeyError, TypeError, ValueError):
            return None
        if channel not in (SMS, WHATSAPP) or units < 1:
            return None
        return cls(channel, category, units, data.get("bill_encoding") or None)


def classify(to: str, body: str, content_sid: str | None = None,
             template_category: str = UTILITY) -> BillingClass:
    """The billing class of a message to `to` (Twilio's form) with these words.

    >>> classify("+15550102030", "x" * 161)
    BillingClass(channel='sms', category='sms', units=2, encoding='GSM-7')
    >>> classify("+15550102030", "Información 🙏").encoding  # the emoji cannot be folded
    'UCS-2'
    >>> m = classify("+15550102030", "Información"); m.encoding, m.units  # one segment anyway
    ('UCS-2', 1)
    >>> classify("+15550102030", "Información " * 7).encoding  # folded on the wire: cheaper
    'GSM-7'
    >>> classify("whatsapp:+5215512345678", "hola").category
    'service'
    >>> classify("whatsapp:US.1234", "hola", content_sid="HX1").category
    'utility'
    """
    if channel_of(to) == WHATSAPP:
        category = template_category if content_sid else SERVICE
        if category not in WHATSAPP_CATEGORIES:
            category = UTILITY
        return BillingClass(WHATSAPP, category, 1)
    wire = sms.for_sms(body or "")
    return BillingClass(SMS, SMS, sms.segments(wire), GSM7 if sms.is_gsm7(wire) else UCS2)


@dataclass(frozen=True)
class Prices:
    """Price per SMS segment and per WhatsApp message by category; a key not set is unknown."""

    by_key: dict[str, Decimal] = field(default_factory=dict)
    currency: str = "USD"

    @classmethod
    def parse(cls, text: str | None, currency: str = "USD") -> Prices:
        """`key=price` pairs separated by commas; an empty text means every price is unknown.

        >>> Prices.parse("sms=0.0079").by_key
        {'sms': Decimal('0.0079')}
        >>> Prices.parse("sms=-1")
        Traceback (most recent call last):
        ...
        hotline.messaging.billing.PriceError: price for sms must be a number like 0.0079, not '-1'
        """
        prices: dict[str, Decimal] = {}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            key, sep, value = (p.strip() for p in part.partition("="))
            if not sep or key not in PRICE_KEYS:
                raise PriceError(f"unknown price {key!r}: one of {', '.join(PRICE_KEYS)}")
            if not _PRICE.match(value):
                raise PriceError(f"price for {key} must be a number like 0.0079, not {value!r}")
            try:
                prices[key] = Decimal(value)
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                raise PriceError(f"price for {key} is not a number") from None
        if not re.fullmatch(r"[A-Z]{3}", currency or ""):
            raise PriceError(f"currency must be a three-letter code like USD, not {currency!r}")
        return cls(prices, currency)


def cost(bclass: BillingClass, prices: Prices) -> Decimal | None:
    """What one message costs, or None when its price is not configured."""
    price = prices.by_key.get(bclass.price_key)
    return None if price is None else price * bclass.units


@dataclass
class Tally:
    """Many messages' cost: the sum of those with a price, and how many had none."""

    currency: str = "USD"
    messages: int = 0
    known: Decimal = Decimal(0)
    unpriced: int = 0
    segments: int = 0  # SMS segments among them
    by_category: dict[str, int] = field(default_factory=dict)

    def add(self, bclass: BillingClass, price: Decimal | None) -> None:
        self.messages += 1
        self.by_category[bclass.category] = self.by_category.get(bclass.category, 0) + 1
        if bclass.channel == SMS:
            self.segments += bclass.units
        if price is None:
            self.unpriced += 1
        else:
            self.known += price

    def as_dict(self) -> dict:
        """For JSON and templates: the sum as a string (exact), None while nothing is priced.

        >>> t = Tally("USD"); t.add(BillingClass("sms", "sms", 2, GSM7), Decimal("0.01"))
        >>> t.add(BillingClass("whatsapp", "service", 1), None); t.as_dict()["total"]
        '0.01'
        >>> t.as_dict()["unpriced"], t.as_dict()["by_category"]
        (1, {'sms': 1, 'service': 1})
        """
        priced = self.messages - self.unpriced
        return {"currency": self.currency, "messages": self.messages,
                "total": str(self.known) if priced else None, "unpriced": self.unpriced,
                "sms_segments": self.segments, "by_category": dict(self.by_category)}


def tally(records: list[dict[str, str]], currency: str) -> Tally:
    """The cost of many stored messages (`MessageStore.billing`: class fields and `bill_cost`,
    the cost at the prices in force when each was sent; '' when it had none).

    >>> rows = [{"bill_channel": "sms", "bill_category": "sms", "bill_units": "3",
    ...          "bill_encoding": "UCS-2", "bill_cost": "0.0237"},
    ...         {"bill_channel": "whatsapp", "bill_category": "service", "bill_units": "1",
    ...          "bill_cost": ""}, {"bill_channel": "fax", "bill_units": "x"}]
    >>> t = tally(rows, "USD").as_dict()
    >>> t["total"], t["messages"], t["unpriced"], t["sms_segments"]
    ('0.0237', 2, 1, 3)
    """
    result = Tally(currency)
    for record in records:
        bclass = BillingClass.from_fields(record)
        if bclass is None:
            continue  # damaged or from before classes were kept: nothing to say about it
        try:
            price = Decimal(record["bill_cost"]) if record.get("bill_cost") else None
        except ArithmeticError:
            price = None
        result.add(bclass, price)
    return result
