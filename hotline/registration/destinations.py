"""Another person's phone for a registration's news, used only once that phone said yes.

A registrant may ask for notifications at another number (a relative's). That number never
asked for anything, so: a code is sent to it once, and only a reply with that code from that
number confirms it. Until then the news goes to the registrant's own number. The destination is
its own contact (the pseudonym of its number): its STOP, and a carrier's 21610 for it, stop
messages to it, never to the registrant.

Owns `hl:dest:pending:{destination contact id}` (the code's keyed hash, the reference, tries
left; 48 hours) and `hl:dest:ok:{reference}` (the confirmed destination's contact id). Imports
Redis and the vault only.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets

from redis import Redis

from hotline.crypto import Vault

PENDING = "hl:dest:pending:{}"
CONFIRMED = "hl:dest:ok:{}"
PENDING_SECONDS = 48 * 3600
TRIES = 5
# The code alone, as people type it: "483 921", "483-921", "Código 483921".
_CODE = re.compile(r"^\D{0,12}(\d{3})[\s\-.]?(\d{3})\D{0,3}$", re.ASCII)


def read_code(text: str) -> str | None:
    """The six digits of a reply that is only a code (ASCII digits only), else None.

    >>> read_code(" 483 921 "), read_code("Código: 483-921"), read_code("483921.")
    ('483921', '483921', '483921')
    >>> read_code("4839210"), read_code("call me at 483921 please"), read_code("٤٨٣٩٢١")
    (None, None, None)
    """
    text = (text or "").strip()
    # Only ASCII digits count (a "١٢٣" or "１２３" is not typed from a keypad's code), and no
    # control characters.
    if len(text) > 40 or any((c.isdigit() and not c.isascii()) or ord(c) < 32 for c in text):
        return None
    found = _CODE.match(text)
    return found.group(1) + found.group(2) if found else None


class Destinations:
    def __init__(self, redis: Redis, vault: Vault):
        self.redis = redis
        self.vault = vault

    def _hash(self, destination: str, code: str) -> str:
        # Keyed: a code in Redis is not readable, and not guessable from another's.
        return self.vault.pseudonym(f"dest-code:{destination}:{code}", prefix="k")

    def request(self, reference: str, destination: str) -> str:
        """A new code for this destination to confirm `reference`; replaces any earlier one."""
        code = f"{secrets.randbelow(10**6):06d}"
        self.redis.set(PENDING.format(destination), json.dumps({
            "reference": reference, "code": self._hash(destination, code), "tries": TRIES}),
            ex=PENDING_SECONDS)
        self.redis.delete(CONFIRMED.format(reference))
        return code

    def pending(self, destination: str) -> str | None:
        """The reference this contact was asked to confirm, if a code is waiting."""
        raw = self.redis.get(PENDING.format(destination))
        return json.loads(raw)["reference"] if raw else None

    def confirm(self, destination: str, text: str) -> str | None:
        """The reference confirmed by this reply, or None (no code waiting, not a code, or the
        wrong one; the code is dropped after too many wrong tries)."""
        code = read_code(text)
        key = PENDING.format(destination)
        raw = self.redis.get(key) if code else None
        if not raw:
            return None
        waiting = json.loads(raw)
        if hmac.compare_digest(waiting["code"], self._hash(destination, code)):
            pipe = self.redis.pipeline()
            pipe.set(CONFIRMED.format(waiting["reference"]), destination)
            pipe.delete(key)
            pipe.execute()
            return waiting["reference"]
        waiting["tries"] -= 1
        if waiting["tries"] <= 0:
            self.redis.delete(key)
        else:
            self.redis.set(key, json.dumps(waiting), keepttl=True)
        return None

    def confirmed(self, reference: str) -> str | None:
        """The contact id of the destination that confirmed this registration, if any."""
        return self.redis.get(CONFIRMED.format(reference))

    def forget(self, contact_id: str, references: list[str] = ()) -> int:
        """Erase a code waiting for this contact, and the confirmations of their
        registrations (and any naming this contact as the destination)."""
        n = self.redis.delete(PENDING.format(contact_id))
        for reference in references:
            n += self.redis.delete(CONFIRMED.format(reference))
        return n
