"""Phone numbers, one form each: E.164 through `phonenumbers`, Mexico's old mobile `1` folded.

One Mexican handset is `+52 55…` on SMS and `+52 1 55…` on WhatsApp (the mobile `1` Mexico
dropped in 2019 and WhatsApp still writes), so every number is folded to `+52` + ten digits
before a pseudonymous id is computed from it: one person, one contact.

Two readers, for two kinds of source:
- `canonical` for what Twilio sends (already E.164): only folds, never refuses, so a message is
  never lost because a test or a new numbering plan is unknown to the metadata;
- `normalize` for what a person typed (a registration's phone answer): any way people write a
  number (spaces, dashes, brackets, `00`, national format in their own country, Mexico's old
  `044`/`045`/`01`), validated by `phonenumbers`; `InvalidPhone.reason` names the hint to show.

>>> canonical("+5215512345678"), canonical("+525512345678"), canonical("+15550102030")
('+525512345678', '+525512345678', '+15550102030')
>>> normalize("+52 1 55 1234 5678"), normalize("(899) 123-4567"), normalize("00 504 9912 3456")
('+525512345678', '+528991234567', '+50499123456')
>>> normalize("915 555 0101", default_region="US")
'+19155550101'
>>> normalize("12345")
Traceback (most recent call last):
...
hotline.messaging.phones.InvalidPhone: phone_short

Imports `phonenumbers` only.
"""

from __future__ import annotations

import re

import phonenumbers

# The countries most people writing to the hotline have numbers from; any valid number is
# accepted, these are the ones the tests pin.
REGIONS = ("MX", "US", "GT", "HN", "SV", "CU", "VE")
MEXICO = 52
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# What a typed number may hold besides digits: spaces, dashes, dots, brackets, one leading +.
# ASCII digits only: `\d` would take any script's digits, which phonenumbers then reads.
_TYPED = re.compile(r"^\+?[0-9 \t().\-/]+$")
_MX_OLD_PREFIX = re.compile(r"^(?:044|045|01)(\d{10})$")  # pre-2019 national mobile prefixes
MAX_TYPED = 40  # longer than any written-out number: refuse before parsing


class InvalidPhone(ValueError):
    """Not a phone number that can be used; `reason` names the catalog hint."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _fold_mexico(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    """+52 1 + ten digits (WhatsApp's form of a Mexican mobile) -> +52 + ten digits."""
    national = str(number.national_number)
    if number.country_code == MEXICO and len(national) == 11 and national.startswith("1"):
        return phonenumbers.PhoneNumber(country_code=MEXICO, national_number=int(national[1:]))
    return number


def canonical(e164: str) -> str:
    """The one form of a number Twilio sent: Mexico's mobile `1` folded; anything else kept.

    >>> canonical("+5218991234567"), canonical("+19155550101"), canonical("+52155")
    ('+528991234567', '+19155550101', '+52155')
    """
    if not _E164.match(e164 or ""):
        return e164
    if e164.startswith("+521") and len(e164) == 14:
        return "+52" + e164[4:]
    return e164


def forms(e164: str) -> tuple[str, ...]:
    """Every form one number has been written in, the canonical first: a Mexican mobile is
    also `+52 1…` (WhatsApp's form, and what contact ids were once computed from).

    >>> forms("+5215512345678"), forms("+19155550101")
    (('+525512345678', '+5215512345678'), ('+19155550101',))
    """
    number = canonical(e164)
    if number.startswith("+52") and len(number) == 13 and number[3:].isdigit():
        return number, "+521" + number[3:]
    return (number,)


def region_of(e164: str | None) -> str:
    """The country a number belongs to ('MX' when unknown): where a typed national number
    without a country code is taken to be.

    >>> region_of("+19155550101"), region_of("+50255123456"), region_of(None)
    ('US', 'GT', 'MX')
    """
    try:
        number = phonenumbers.parse(e164 or "", None)
    except phonenumbers.NumberParseException:
        return "MX"
    return phonenumbers.region_code_for_number(number) or (
        "US" if number.country_code == 1 else "MX")


def normalize(text: str, default_region: str = "MX") -> str:
    """A number a person typed, in E.164, or InvalidPhone.

    A number without a country code is read in `default_region` (the person's own country).

    >>> normalize("045 899 123 4567"), normalize("+1 (915) 555-0101"), normalize("1 915 555 0101")
    ('+528991234567', '+19155550101', '+19155550101')
    >>> normalize("+58 412 123 4567"), normalize("+53 5 123 4567"), normalize("+503 7012 3456")
    ('+584121234567', '+5351234567', '+50370123456')
    >>> normalize("555-CALL-NOW")
    Traceback (most recent call last):
    ...
    hotline.messaging.phones.InvalidPhone: phone_invalid
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidPhone("empty")
    if len(raw) > MAX_TYPED or not _TYPED.match(raw):
        raise InvalidPhone("phone_invalid")
    digits = re.sub(r"[^0-9]", "", raw)
    if len(digits) < 7:
        raise InvalidPhone("phone_short")
    if raw.startswith("+"):
        candidates = ["+" + digits]
    elif digits.startswith("00"):
        candidates = ["+" + digits[2:]]
    else:
        region = default_region if default_region in phonenumbers.SUPPORTED_REGIONS else "MX"
        old = _MX_OLD_PREFIX.match(digits)
        candidates = [(old[1] if old and region == "MX" else digits, region)]
        if len(digits) == 11 and digits.startswith("1"):
            # 1 + ten digits is how a US number is dialled from the US, and a Mexican mobile's
            # old `1`: the person's own country is tried first, then the other.
            candidates.insert(0 if region == "US" else 1, "+" + digits)
        elif len(digits) == 10:
            # Ten digits valid only on the other side of the border (a relative's number).
            candidates += ["+52" + digits, "+1" + digits]
        elif len(digits) > 10:
            candidates.append("+" + digits)  # a country code written without its +
    for candidate in candidates:
        value, region = candidate if isinstance(candidate, tuple) else (candidate, None)
        try:
            number = _fold_mexico(phonenumbers.parse(value, region))
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhone("phone_invalid")
