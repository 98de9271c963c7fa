"""Registrations: what a person confirmed by text, kept for the facilitating organizations.

Identity fields (name, date of birth, A-number, phone) are encrypted at rest; the A-number is
also kept as a keyed hash so that one A-number registers once without ever being readable from
a key. Sensitive fields (vulnerabilities: health, pregnancy, violence; the free-text place
where they live), the appointment (place, day, time) and the details of audit entries (what
information is needed, where to go) are encrypted too. Organizations filter and sort on fields
that say nothing about one person: status, country, enrolment month, and `vulnerable`, a yes/no
flag kept beside the encrypted list. Every read and change is written to the record's audit
trail.

A registration may have no A-number (the person does not have it): it holds no A-number and is
never anybody's duplicate, nor is a later registration with a number a duplicate of it.

A second registration with an A-number already on file is answered exactly like a first one (the
person gets a reference and the same words), so nobody learns from the hotline whether a
number is registered; it is stored as a `duplicate` attempt that points at the original, kept
out of the organizations' default lists.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field

from redis import Redis

from hotline.crypto import Vault

RECORD = "hl:reg:{}"
INDEX = "hl:reg:index"  # reference -> created time
BY_A_NUMBER = "hl:reg:anum:{}"  # pseudonym(A-number) -> reference
BY_CONTACT = "hl:reg:contact:{}"  # contact id -> latest reference
AUDIT = "hl:reg:audit:{}"
CHANGES = "hl:reg:changes:{}"  # how many status changes, to name each notification once

IDENTITY_FIELDS = ("name", "birth_date", "a_number", "phone")
PLAIN_FIELDS = ("reference", "status", "contact_id", "channel", "language", "citizenship",
                "case_situation", "enrolled", "location_country", "family", "created_at",
                "updated_at", "duplicate_of", "erase_on")
# Encrypted like identity, but shown with a single record (its read is audited), not in lists.
SENSITIVE_FIELDS = ("location_city", "vulnerabilities")
# Audit details that say nothing about the person stay readable; any other detail (an
# appointment's place, what information is needed) is encrypted in the entry.
PUBLIC_AUDIT_DETAILS = frozenset({"status", "duplicate_of", "attempt", "reason", "fields"})
STATUSES = ("received", "under_review", "information_needed", "eligibility_confirmed",
            "appointment_scheduled", "not_eligible", "closed", "duplicate")
# What the person is told about a status: a duplicate looks like any new registration.
PUBLIC_STATUS = {"duplicate": "received"}

# Easy to read aloud and to type on a keypad: no 0, O, 1, I, L, 2, Z, 5, S, 8, B, G or Q.
REFERENCE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"


def new_reference() -> str:
    """Eight characters in two groups, e.g. 'K7RF-9TXH'."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str | None:
    """The reference as stored, from however the person or an organization typed it.

    >>> (normalise_reference(" k7rf 9txh "), normalise_reference("K7RF-9TX"),
    ...  normalise_reference("k7rf9txh"))
    ('K7RF-9TXH', None, 'K7RF-9TXH')
    """
    compact = "".join(c for c in (text or "").upper() if c.isalnum())
    if len(compact) != 8 or any(c not in REFERENCE_ALPHABET for c in compact):
        return None
    return f"{compact[:4]}-{compact[4:]}"


@dataclass
class Registration:
    reference: str
    status: str
    contact_id: str
    channel: str
    language: str
    name: str
    birth_date: str
    citizenship: str
    a_number: str
    case_situation: str
    enrolled: str  # YYYY-MM: when they were returned to Mexico under MPP
    location_country: str
    location_city: str
    phone: str
    family: int
    vulnerabilities: list[str] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0
    duplicate_of: str = ""
    # The day it will be erased because the person has been silent (retention), shown to the
    # organizations ahead of time; empty while the person is in touch.
    erase_on: str = ""

    def public(self, identity: bool = True) -> dict:
        """As the API shows it; identity fields only for a single record."""
        data = {k: getattr(self, k) for k in (*PLAIN_FIELDS, *SENSITIVE_FIELDS)}
        data["vulnerable"] = bool(self.vulnerabilities)
        if identity:
            data.update({k: getattr(self, k) for k in IDENTITY_FIELDS})
        return data


class DuplicateReference(RuntimeError):
    pass


class RegistrationStore:
    def __init__(self, redis: Redis, vault: Vault):
        self.redis = redis
        self.vault = vault

    # writing ---------------------------------------------------------------------------------
    def create(self, values: dict, contact_id: str, channel: str, language: str,
               actor: str = "person") -> Registration:
        """Store a confirmed registration; returns it with its new reference."""
        now = time.time()
        a_key = self._a_number_key(values.get("a_number") or "")
        for _ in range(20):
            reference = new_reference()
            if not self.redis.exists(RECORD.format(reference)):
                break
        else:  # pragma: no cover - 23^8 references make this practically impossible
            raise DuplicateReference("could not find a free reference")
        # SET NX decides the race between two phones registering one A-number at once.
        first = a_key is None or self.redis.set(a_key, reference, nx=True)
        original = "" if first else (self.redis.get(a_key) or "")
        reg = Registration(
            reference=reference, status="received" if first else "duplicate",
            contact_id=contact_id, channel=channel, language=language,
            name=values["name"], birth_date=values["birth_date"],
            citizenship=values["citizenship"], a_number=values.get("a_number") or "",
            case_situation=values["case_situation"], enrolled=values["enrolled"],
            location_country=values.get("location_country") or "",
            location_city=values.get("location_city") or "", phone=values["phone"],
            family=int(values.get("family") or 0),
            vulnerabilities=list(values.get("vulnerabilities") or []),
            created_at=now, updated_at=now, duplicate_of=original,
        )
        pipe = self.redis.pipeline()
        pipe.hset(RECORD.format(reference), mapping=self._to_hash(reg))
        pipe.zadd(INDEX, {reference: now})
        pipe.set(BY_CONTACT.format(contact_id), reference)
        pipe.execute()
        self.audit(reference, actor, "created" if first else "duplicate_attempt",
                   duplicate_of=original or None)
        if original:
            self.audit(original, actor, "duplicate_attempt", attempt=reference)
        return reg

    def set_status(self, reference: str, status: str, actor: str, **details) -> Registration:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        key = RECORD.format(reference)
        if not self.redis.exists(key):
            raise KeyError(reference)
        self.redis.hset(key, mapping={"status": status, "updated_at": time.time()})
        self.audit(reference, actor, "status", status=status, **details)
        return self.get(reference, actor=None)

    def next_change(self, reference: str) -> int:
        """A new number for this record's latest status change (1, 2, ...)."""
        return self.redis.incr(CHANGES.format(reference))

    def set_appointment(self, reference: str, change: int, details: dict[str, str]) -> None:
        """Keep the appointment set by status change `change`, for its reminder (encrypted:
        where and when someone will be is theirs to know)."""
        pipe = self.redis.pipeline()
        old = (f"appointment_{k}" for k in ("place", "date", "time"))  # from before encryption
        pipe.hdel(RECORD.format(reference), *old)
        pipe.hset(RECORD.format(reference), mapping={
            "appointment": change, "appointment_details": self.vault.encrypt(json.dumps(details))})
        pipe.execute()

    def appointment(self, reference: str) -> tuple[int, dict[str, str]] | None:
        """(change, details) of the appointment on file while it is still the record's status;
        None once the status moved on or the record is gone."""
        data = self.redis.hgetall(RECORD.format(reference))
        if data.get("status") != "appointment_scheduled" or not data.get("appointment"):
            return None
        if data.get("appointment_details"):
            return int(data["appointment"]), json.loads(
                self.vault.decrypt(data["appointment_details"]))
        # Written before appointments were encrypted.
        details = {k.removeprefix("appointment_"): v for k, v in data.items()
                   if k.startswith("appointment_")}
        return int(data["appointment"]), details

    def set_erase_on(self, contact_id: str, day: str) -> int:
        """Mark (day = YYYY-MM-DD) or unmark (day = "") every registration of this contact with
        the day retention will erase it; returns how many records changed."""
        changed = 0
        for reference in self.references_for_contact(contact_id):
            key = RECORD.format(reference)
            if (self.redis.hget(key, "erase_on") or "") != day:
                self.redis.hset(key, "erase_on", day)
                self.audit(reference, "hotline", "erase_on", status=day or None)
                changed += 1
        return changed

    def delete_for_contact(self, contact_id: str, actor: str) -> list[str]:
        """Erase every registration this contact made; the audit keeps only that it happened."""
        deleted = [reference for reference in self.references_for_contact(contact_id)
                   if self.forget_reference(reference, actor)]
        self.redis.delete(BY_CONTACT.format(contact_id))
        return deleted

    def forget(self, contact_id: str, actor: str = "person") -> list[str]:
        """Erase every registration this contact made; returns their references."""
        return self.delete_for_contact(contact_id, actor)

    def forget_reference(self, reference: str, actor: str = "person") -> bool:
        """Erase one registration: its fields, its hold on the A-number, its place in the
        indexes and its count of changes; True if there was one.

        The audit trail stays, for the organizations' accountability, but only as who did what
        when: the details (an appointment's place, what information was needed) go.
        """
        record = self.redis.hgetall(RECORD.format(reference))
        if not record:
            return False
        pipe = self.redis.pipeline()
        if record.get("a_number_key"):
            # Free the A-number only if this record holds it.
            a_key = record["a_number_key"]
            if self.redis.get(a_key) == reference:
                pipe.delete(a_key)
        owner = BY_CONTACT.format(record.get("contact_id", ""))
        if self.redis.get(owner) == reference:
            pipe.delete(owner)
        pipe.delete(RECORD.format(reference), CHANGES.format(reference))
        pipe.zrem(INDEX, reference)
        trail = [{k: e[k] for k in ("at", "actor", "action") if k in e}
                 for e in self.audit_trail(reference)]
        pipe.delete(AUDIT.format(reference))
        if trail:
            pipe.rpush(AUDIT.format(reference), *(json.dumps(e) for e in trail))
        pipe.execute()
        self.audit(reference, actor, "erased")
        return True

    # reading ---------------------------------------------------------------------------------
    def get(self, reference: str, actor: str | None) -> Registration | None:
        data = self.redis.hgetall(RECORD.format(reference))
        if not data:
            return None
        if actor:
            self.audit(reference, actor, "read")
        return self._from_hash(data)

    def references_for_contact(self, contact_id: str) -> list[str]:
        references = self.redis.zrange(INDEX, 0, -1)
        pipe = self.redis.pipeline(transaction=False)
        for reference in references:
            pipe.hget(RECORD.format(reference), "contact_id")
        return [r for r, owner in zip(references, pipe.execute()) if owner == contact_id]

    def latest_for_contact(self, contact_id: str) -> Registration | None:
        reference = self.redis.get(BY_CONTACT.format(contact_id))
        return self.get(reference, actor=None) if reference else None

    def audience_fields(self, contact_ids: list[str]) -> dict[str, dict]:
        """Contact id -> status, location_country, location_city and citizenship of their latest
        registration, for broadcast audiences; in two round trips, only the place decrypted,
        nothing audited. Contacts without a registration are left out."""
        fields = ("status", "location_country", "location_city", "citizenship")
        pipe = self.redis.pipeline(transaction=False)
        for contact_id in contact_ids:
            pipe.get(BY_CONTACT.format(contact_id))
        found = [(cid, ref) for cid, ref in zip(contact_ids, pipe.execute()) if ref]
        pipe = self.redis.pipeline(transaction=False)
        for _, reference in found:
            pipe.hmget(RECORD.format(reference), *fields)
        found = {cid: dict(zip(fields, values)) for (cid, _), values in zip(found, pipe.execute())
                 if any(v is not None for v in values)}
        for row in found.values():
            row["location_city"] = self._open(row.get("location_city"))
        return found

    def summaries(self) -> list[dict]:
        """Every record's readable fields, oldest first, without decrypting anything."""
        references = self.redis.zrange(INDEX, 0, -1)
        pipe = self.redis.pipeline()
        for reference in references:
            pipe.hmget(RECORD.format(reference), *PLAIN_FIELDS, "vulnerable", "vulnerabilities")
        rows = []
        for values in pipe.execute():
            row = dict(zip(PLAIN_FIELDS, values))
            if not row["reference"]:
                continue
            row["family"] = int(row["family"] or 0)
            flag, listed = values[-2], values[-1] or ""
            # The flag; a record written before it existed has its list in the clear.
            row["vulnerable"] = flag == "1" if flag is not None else listed.startswith("[\"")
            row["created_at"] = float(row["created_at"] or 0)
            row["updated_at"] = float(row["updated_at"] or 0)
            rows.append(row)
        return rows

    # audit -----------------------------------------------------------------------------------
    def audit(self, reference: str, actor: str, action: str, **details) -> None:
        details = {k: v for k, v in details.items() if v is not None}
        private = {k: v for k, v in details.items() if k not in PUBLIC_AUDIT_DETAILS}
        entry = {"at": time.time(), "actor": actor, "action": action,
                 **{k: v for k, v in details.items() if k in PUBLIC_AUDIT_DETAILS}}
        if private:
            entry["sealed"] = self.vault.encrypt(json.dumps(private))
        self.redis.rpush(AUDIT.format(reference), json.dumps(entry))

    def audit_trail(self, reference: str) -> list[dict]:
        trail = []
        for raw in self.redis.lrange(AUDIT.format(reference), 0, -1):
            entry = json.loads(raw)
            if "sealed" in entry:
                entry.update(json.loads(self.vault.decrypt(entry.pop("sealed"))))
            trail.append(entry)
        return trail

    # records from before encryption ------------------------------------------------------------
    def encrypt_legacy(self) -> int:
        """Encrypt, in place, what records and audit entries written before encryption still hold
        in plain text (vulnerabilities, the free-text place, identity fields, the appointment,
        audit details); returns how many values changed.

        Safe to stop and run again: a value already encrypted is recognised and left alone, so
        a second run changes nothing and nothing is ever encrypted twice. Each change is a
        compare-and-set, so a record the hotline rewrote meanwhile is not clobbered.
        """
        changed = 0
        cas_field = self.redis.register_script(_CAS_HASH_FIELDS)
        cas_item = self.redis.register_script(_CAS_LIST_ITEM)
        for reference in self.redis.zrange(INDEX, 0, -1):
            key = RECORD.format(reference)
            data = self.redis.hgetall(key)
            if data:
                old, new, drop = self._legacy_fields(data)
                if new or drop:
                    args = [len(old), *(x for kv in old.items() for x in kv),
                            len(new), *(x for kv in new.items() for x in kv), *drop]
                    changed += cas_field(keys=[key], args=args)
            audit_key = AUDIT.format(reference)
            for index, raw in enumerate(self.redis.lrange(audit_key, 0, -1)):
                sealed = self._seal_entry(raw)
                if sealed is not None:
                    changed += cas_item(keys=[audit_key], args=[index, raw, sealed])
        return changed

    def _legacy_fields(self, data: dict) -> tuple[dict, dict, list]:
        """(fields as read, fields to write, fields to delete) to encrypt one old record."""
        new: dict[str, str] = {}
        for k in (*IDENTITY_FIELDS, *SENSITIVE_FIELDS):
            if data.get(k) and not _sealed(data[k]):
                new[k] = self.vault.encrypt(data[k])
        if "vulnerable" not in data and data.get("vulnerabilities") is not None:
            listed = json.loads(self._open(data["vulnerabilities"]) or "[]")
            new["vulnerable"] = "1" if listed else "0"
        drop = [k for k in data if k.startswith("appointment_") and k != "appointment_details"]
        if drop and not data.get("appointment_details"):
            details = {k.removeprefix("appointment_"): data[k] for k in drop}
            new["appointment_details"] = self.vault.encrypt(json.dumps(details))
        old = {k: data[k] for k in (*new, *drop) if k in data}
        return old, new, drop

    def _seal_entry(self, raw: str) -> str | None:
        """An audit entry with its private details sealed; None if it has none in the clear."""
        entry = json.loads(raw)
        private = {k: v for k, v in entry.items()
                   if k not in ("at", "actor", "action", "sealed", *PUBLIC_AUDIT_DETAILS)}
        if not private:
            return None
        if "sealed" in entry:  # sealed and plain both: keep both, sealed together
            private = {**json.loads(self.vault.decrypt(entry["sealed"])), **private}
        public = {k: v for k, v in entry.items() if k not in private and k != "sealed"}
        return json.dumps({**public, "sealed": self.vault.encrypt(json.dumps(private))})

    # encoding --------------------------------------------------------------------------------
    def _to_hash(self, reg: Registration) -> dict:
        data = {k: getattr(reg, k) for k in PLAIN_FIELDS}
        data["vulnerable"] = "1" if reg.vulnerabilities else "0"
        data["vulnerabilities"] = self.vault.encrypt(json.dumps(reg.vulnerabilities))
        data["location_city"] = (self.vault.encrypt(reg.location_city) if reg.location_city
                                 else "")
        # An identity field left empty (no A-number) stays empty: nothing to hide.
        data.update({k: self.vault.encrypt(str(getattr(reg, k))) if getattr(reg, k) else ""
                     for k in IDENTITY_FIELDS})
        data["a_number_key"] = self._a_number_key(reg.a_number) or ""
        return {k: ("" if v is None else v) for k, v in data.items()}

    def _a_number_key(self, a_number: str) -> str | None:
        """Where the A-number's one registration is named; None without an A-number."""
        if not a_number:
            return None
        return BY_A_NUMBER.format(self.vault.pseudonym(a_number, prefix="a"))

    def _from_hash(self, data: dict) -> Registration:
        values = {k: data.get(k, "") for k in PLAIN_FIELDS}
        values["vulnerabilities"] = json.loads(self._open(data.get("vulnerabilities")) or "[]")
        values["location_city"] = self._open(data.get("location_city"))
        values["family"] = int(values["family"] or 0)
        values["created_at"] = float(values["created_at"] or 0)
        values["updated_at"] = float(values["updated_at"] or 0)
        values.update({k: self.vault.decrypt(data[k]) if data.get(k) else ""
                       for k in IDENTITY_FIELDS})
        return Registration(**values)

    def _open(self, stored: str | None) -> str:
        """A sensitive field's text: decrypted, or as it was written before it was encrypted."""
        if not stored:
            return ""
        return self.vault.decrypt(stored) if stored.startswith("gAAAAA") else stored


def _sealed(value: str) -> bool:
    return value.startswith("gAAAAA")


# Replace fields only if every one still holds what was read (a record the hotline rewrote
# meanwhile keeps its newer values): ARGV = n, old pairs, m, new pairs, fields to delete.
_CAS_HASH_FIELDS = """
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  if redis.call('HGET', KEYS[1], ARGV[2 + 2 * i]) ~= ARGV[3 + 2 * i] then return 0 end
end
local m = tonumber(ARGV[2 + 2 * n])
local at = 3 + 2 * n
for i = 0, m - 1 do redis.call('HSET', KEYS[1], ARGV[at + 2 * i], ARGV[at + 1 + 2 * i]) end
for i = at + 2 * m, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
return 1
"""
_CAS_LIST_ITEM = """
if redis.call('LINDEX', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('LSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0"""


def priority_key(row: dict) -> tuple:
    """Earliest enrolment first; within a month, people with vulnerabilities first."""
    return (row.get("enrolled") or "9999-99", not row.get("vulnerable"), row.get("created_at") or 0)
