"""Twilio's inbound message webhook, read into one typed value; pure (no Redis, no Flask).

Twilio posts form fields (its "request to your incoming message webhook URL"): always
`MessageSid`, `From` and `To`; `Body` only when there is text (a picture sent without a caption
has none); `NumMedia` with `MediaUrl{N}`/`MediaContentType{N}`; on WhatsApp also `ProfileName`,
`WaId`, a shared pin's `Latitude`/`Longitude`/`Address`/`Label`, a tapped button's
`ButtonText`/`ButtonPayload`, the message replied to (`OriginalRepliedMessageSid`), and, for a
sender known only by a business-scoped user id, `From=whatsapp:US.…` with `ExternalUserId`. A
Messaging Service with Advanced Opt-Out adds `OptOutType` (STOP, START or HELP) when it took the
message for a keyword. Fields Twilio adds later are ignored, never refused.

>>> p = parse({"MessageSid": "SM1", "From": "whatsapp:+5215512345678", "To": "+14155238886",
...            "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x/Media/ME1",
...            "MediaContentType0": "image/jpeg", "WaId": "5215512345678"})
>>> p.channel, p.sender, p.number, p.text, p.media[0].content_type
('whatsapp', 'whatsapp:+5215512345678', '+5215512345678', '', 'image/jpeg')
>>> parse({"MessageSid": "SM2", "From": "whatsapp:US.13491208655302741918",
...        "To": "whatsapp:+14155238886", "Body": "hola",
...        "ExternalUserId": "US.13491208655302741918"}).identity
'US.13491208655302741918'
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

SMS = "sms"
WHATSAPP = "whatsapp"
_PREFIX = "whatsapp:"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# A short code or a number Twilio wrote without "+" (a Messaging Service's short code, "384387").
_SHORT = re.compile(r"^\d{3,15}$")
# WhatsApp's business-scoped user id: a country code, a dot, an opaque id ("US.1349…"); a
# parent id has "ENT." in between.
_SCOPED_ID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,64}$")
_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{1,64}$|^[A-Za-z0-9_-]{1,64}$")

MAX_MEDIA = 10  # Twilio delivers at most ten media with one message
# Twilio's own limit is 1600 characters; more can only be a forgery or a mistake. Kept to this
# many (the "too long" answer is given anyway), so a record never holds megabytes.
MAX_BODY = 5000
MAX_SHORT_FIELD = 256  # a place's name or address, a button's text
OPT_OUT_TYPES = ("STOP", "START", "HELP")


class PayloadError(ValueError):
    """The request is not a message Twilio could have posted; the reason is safe to log."""


@dataclass(frozen=True)
class Media:
    url: str
    content_type: str


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    address: str | None = None
    label: str | None = None

    def as_dict(self) -> dict:
        return {"latitude": self.latitude, "longitude": self.longitude,
                "address": self.address, "label": self.label}


@dataclass(frozen=True)
class InboundPayload:
    sid: str
    channel: str
    sender: str  # the address to reply to, in Twilio's form ("whatsapp:+52…", "+52…")
    to: str  # the number written to, on the message's channel ("whatsapp:+1415…")
    to_number: str  # the same without the channel ("+1415…", or a short code)
    number: str | None  # the sender's phone number (E.164), when Twilio gave one
    scoped_id: str | None  # WhatsApp's business-scoped user id, when Twilio gave one
    text: str  # what the assistant reads: the words, or the button tapped
    body: str  # the words as typed (decoded when Twilio sent them in base64)
    media: tuple[Media, ...] = ()
    declared_media: int = 0
    location: Location | None = None
    profile_name: str | None = None
    replied_to: str | None = None
    opt_out: str | None = None  # STOP, START or HELP when Twilio's Advanced Opt-Out saw one
    button: bool = False

    @property
    def identity(self) -> str:
        """What the person is known by: their phone number, else the scoped id."""
        return self.number or self.scoped_id  # parse() guarantees one of them


def parse(form: Mapping[str, str]) -> InboundPayload:
    """Read Twilio's inbound form; raises PayloadError for what Twilio could not have sent."""
    sid = _field(form, "MessageSid") or _field(form, "SmsSid") or _field(form, "SmsMessageSid")
    raw_from, raw_to = _field(form, "From"), _field(form, "To")
    if not sid or not raw_from or not raw_to:
        raise PayloadError("MessageSid, From and To are required")
    if not _SID.match(sid):
        raise PayloadError("MessageSid is malformed")
    from_wa, from_value = _strip_channel(raw_from)
    to_wa, to_value = _strip_channel(raw_to)
    wa_id = _field(form, "WaId")
    external = _field(form, "ExternalUserId")
    # WhatsApp when any part says so: Twilio has posted WhatsApp messages whose To lacked the
    # prefix, and a reply sent as SMS from a WhatsApp number fails (21606).
    channel = WHATSAPP if (from_wa or to_wa or wa_id or external) else SMS

    number = _phone(from_value)
    scoped_id = None
    if number is None and channel == WHATSAPP:
        if _SCOPED_ID.match(from_value):
            scoped_id = from_value
        elif external and _SCOPED_ID.match(external):
            scoped_id = external
        if wa_id and wa_id.isdigit():
            number = _phone("+" + wa_id)
    elif channel == WHATSAPP and external and _SCOPED_ID.match(external):
        scoped_id = external
    if number is None and scoped_id is None:
        raise PayloadError("From is neither a phone number nor a WhatsApp user id")
    to_number = _phone(to_value) or (to_value if _SHORT.match(to_value) else None)
    if to_number is None:
        raise PayloadError("To is not a phone number")

    declared = _count(form.get("NumMedia"))
    media = _media(form, declared)
    body = decode_possible_base64(_text(form.get("Body"), MAX_BODY))
    payload_text = _text(form.get("ButtonPayload"), MAX_SHORT_FIELD).strip()
    button_text = _text(form.get("ButtonText"), MAX_SHORT_FIELD).strip()
    opt_out = (_field(form, "OptOutType") or "").upper()
    # Replies go where Twilio said the message came from: a scoped id stays a scoped id.
    reply_id = scoped_id if scoped_id == from_value else (number or scoped_id)
    return InboundPayload(
        sid=sid, channel=channel,
        sender=(_PREFIX + reply_id) if channel == WHATSAPP else reply_id,
        to=(_PREFIX + to_number) if channel == WHATSAPP else to_number, to_number=to_number,
        number=number, scoped_id=scoped_id,
        text=payload_text or button_text or body, body=body,
        media=media, declared_media=max(declared, len(media)),
        location=_location(form),
        profile_name=_text(form.get("ProfileName"), MAX_SHORT_FIELD).strip() or None,
        replied_to=_field(form, "OriginalRepliedMessageSid") or None,
        opt_out=opt_out if opt_out in OPT_OUT_TYPES else None,
        button=bool(payload_text or button_text),
    )


def own_number(payload: InboundPayload, numbers: tuple[str, ...]) -> str | None:
    """The hotline number the message was written to, on its channel; None when `To` is not
    one of `numbers`. With no numbers configured every `To` is taken as ours.

    >>> p = parse({"MessageSid": "SM1", "From": "whatsapp:+5215512345678",
    ...            "To": "+14155238886", "Body": "hola"})
    >>> own_number(p, ("+15005550006", "whatsapp:+14155238886"))
    'whatsapp:+14155238886'
    >>> own_number(p, ("+15005550006",)) is None, own_number(p, ())
    (True, 'whatsapp:+14155238886')
    """
    if not numbers:
        return payload.to
    ours = {_strip_channel(n)[1] for n in numbers}
    return payload.to if payload.to_number in ours else None


def decode_possible_base64(text: str) -> str:
    """The text, decoded when it is plainly base64 of readable words (Twilio has delivered long
    concatenated messages so); anything else is returned unchanged.

    >>> decode_possible_base64(base64.b64encode("¿Dónde está la oficina de ACNUR en "
    ...     "Tijuana? Necesito ayuda con mi cita, por favor.".encode()).decode())[:25]
    '¿Dónde está la oficina de'
    >>> decode_possible_base64("SolicitoInformacionSobreElProgramaQuedateEnMexicoPorFavor1234")
    'SolicitoInformacionSobreElProgramaQuedateEnMexicoPorFavor1234'
    >>> decode_possible_base64("hola"), decode_possible_base64("=" * 64)[:4]
    ('hola', '====')
    """
    packed = text.replace("\r", "").replace("\n", "").strip()
    # Short texts and texts with spaces are words; base64 of a sentence is long and unbroken.
    if len(packed) < 40 or len(packed) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", packed):
        return text
    try:
        raw = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError):
        return text
    decoded = None
    # A long message cut by the carrier can end inside a multi-byte letter: drop that part.
    for cut in range(4):
        try:
            decoded = raw[:len(raw) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    if not decoded:
        return text
    printable = sum(c.isprintable() or c in "\n\t" for c in decoded)
    # Words have spaces and are printable; a random word that happens to be valid base64
    # decodes to bytes that are neither.
    if printable < len(decoded) * 0.95 or " " not in decoded:
        return text
    return decoded


# --- field readers --------------------------------------------------------------------------
def _field(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()[:MAX_SHORT_FIELD]


def _text(value: str | None, limit: int) -> str:
    # Control characters other than line breaks and tabs are never words a person typed.
    cleaned = "".join(c for c in (value or "")[:limit] if c.isprintable() or c in "\n\t")
    return cleaned


def _strip_channel(raw: str) -> tuple[bool, str]:
    value = raw.strip()
    if value.lower().startswith(_PREFIX):
        return True, value[len(_PREFIX):].strip()
    return False, value


def _phone(value: str) -> str | None:
    number = re.sub(r"[\s().-]", "", value)
    return number if _E164.match(number) else None


def _count(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return 0
    try:
        count = int(raw.strip())
    except ValueError:
        raise PayloadError("NumMedia is not a number") from None
    if count < 0:
        raise PayloadError("NumMedia is negative")
    return count


def _media(form: Mapping[str, str], declared: int) -> tuple[Media, ...]:
    """The media Twilio listed, at most MAX_MEDIA, each an http(s) URL with a content type."""
    found = []
    for i in range(min(declared, MAX_MEDIA)):
        url = (form.get(f"MediaUrl{i}") or "").strip()
        if not url or len(url) > 1024 or not re.match(r"^https?://[^\s]+$", url):
            continue
        kind = (form.get(f"MediaContentType{i}") or "").strip().lower()[:100]
        found.append(Media(url, kind or "application/octet-stream"))
    return tuple(found)


def _location(form: Mapping[str, str]) -> Location | None:
    """A shared pin; None without both coordinates or with impossible ones."""
    try:
        lat = float(_field(form, "Latitude"))
        lon = float(_field(form, "Longitude"))
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    return Location(lat, lon, _text(form.get("Address"), MAX_SHORT_FIELD).strip() or None,
                    _text(form.get("Label"), MAX_SHORT_FIELD).strip() or None)
