"""Telling a registered person that their registration's status changed, and reminding them.

The words come from catalog templates in the person's language, dates and times written the
local way (Babel). Notifications join the person's outbox, so they never overtake a reply the
assistant is sending them.
"""

from __future__ import annotations

import logging
import time as clock_time
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from babel.dates import format_time
from redis import Redis
from rq import Retry

from hotline.content.catalogs import format_day
from hotline.messaging import phones, routing
from hotline.messaging.channels import parse_address
from hotline.messaging.outbound import NOTICE, queue_message, queue_to_contact
from hotline.registration.destinations import Destinations
from hotline.registration.store import Registration
from hotline.runtime import OUTBOUND_QUEUE, Runtime

log = logging.getLogger(__name__)

APPOINTMENT = "appointment_scheduled"
# What each status needs besides the reference.
DETAILS = {APPOINTMENT: ("place", "date", "time"), "information_needed": ("what",)}
REMINDER_HOUR = 9  # the day before, at 9:00 local time
# A reminder whose job fails (Redis blip, a worker killed in it) is tried again, and one still
# unsent this long after its time is run again by the sweeper (`resume_due`): its message id
# is fixed, so a reminder queued twice is sent once.
REMINDER_RETRY = Retry(max=5, interval=[60, 300, 900, 1800, 3600])
DUE_GRACE_SECONDS = 600
# Reminders scheduled and not yet run ("reference:change" by when they are due). Owned here.
_DUE = "hl:reminders:due"


class NotifyError(ValueError):
    pass


def parse_details(status: str, details: dict) -> dict:
    """Check and normalise what a status needs; raises NotifyError with the reason."""
    needed = DETAILS.get(status, ())
    missing = [k for k in needed if not str(details.get(k) or "").strip()]
    if missing:
        raise NotifyError(f"status {status!r} needs: {', '.join(missing)}")
    clean = {k: str(details[k]).strip()[:300] for k in needed}
    if status == APPOINTMENT:
        try:
            day = date.fromisoformat(clean["date"])
            hour = clock.fromisoformat(clean["time"])
        except ValueError:
            raise NotifyError("date must be YYYY-MM-DD and time HH:MM") from None
        if day < date.today():
            raise NotifyError("the appointment date is in the past")
        clean["date"], clean["time"] = day.isoformat(), hour.strftime("%H:%M")
    return clean


def render(rt: Runtime, reg: Registration, key: str, details: dict) -> str:
    lang = reg.language if reg.language in rt.catalogs.languages else rt.settings.default_language
    values = dict(details, reference=reg.reference)
    if "date" in values:
        values["date"] = format_day(date.fromisoformat(values["date"]), lang)
    if "time" in values:
        values["time"] = format_time(clock.fromisoformat(values["time"]), format="short",
                                     locale=lang)
    return rt.catalogs.text(key, lang, **values)


def other_phone(rt: Runtime, reg: Registration) -> str | None:
    """The contact id of the other phone a registration names for its news, or None when the
    news goes to the registrant's own number."""
    if not reg.phone:
        return None
    try:
        other = parse_address(reg.phone).number
    except ValueError:
        return None
    own = rt.contacts.get(reg.contact_id)
    if own is not None and own.number and phones.canonical(own.number) == phones.canonical(other):
        return None
    destination = rt.contacts.id_for(parse_address(other))
    return None if destination == reg.contact_id else destination


def request_confirmation(rt: Runtime, reg: Registration) -> str | None:
    """Text the other phone a registration names a code to confirm it (once per registration;
    nothing goes there before). Returns the message id, or None when there is no other phone."""
    destination = other_phone(rt, reg)
    if destination is None:
        return None
    sender = routing.hotline_number(rt.settings.hotline_numbers, "sms")
    if sender is None:
        log.warning("no SMS number to confirm %s's other phone", reg.reference)
        return None
    code = Destinations(rt.redis, rt.vault).request(reg.reference, destination)
    lang = reg.language if reg.language in rt.catalogs.languages else rt.settings.default_language
    # Queued under the destination's own contact id: its STOP (or 21610) is its own.
    # (The registrant is told in the same turn, after their reference: actions/registration.)
    return queue_message(rt, destination, to=parse_address(reg.phone).number, sender=sender,
                         body=rt.catalogs.text("dest_confirm.ask", lang, code=code),
                         kind=NOTICE, out_id=f"{reg.reference}-confirm-{code}")


def send(rt: Runtime, reg: Registration, key: str, details: dict, out_id: str) -> str | None:
    """Queue the message on the person's channel; None when it cannot be sent (why is logged).

    To the other phone the registration names only once that phone confirmed with its code,
    and then as that phone's own contact (its opt-out, its failures); until then to the
    registrant's own number.
    """
    destination = other_phone(rt, reg)
    confirmed = destination and Destinations(rt.redis, rt.vault).confirmed(
        reg.reference) == destination
    contact = rt.contacts.get(destination if confirmed else reg.contact_id)
    if contact is None:
        log.warning("registration %s has no contact to notify", reg.reference)
        return None
    try:
        return queue_to_contact(rt, contact, render(rt, reg, key, details), NOTICE, out_id=out_id,
                                channel=(contact.last_channel or "sms") if confirmed
                                else reg.channel)
    except routing.NoRoute as exc:
        log.info("registration %s not notified: %s", reg.reference, exc.reason)
        rt.registrations.audit(reg.reference, "hotline", "not_notified", reason=exc.reason)
        return None


def status_changed(rt: Runtime, reference: str, status: str, details: dict, actor: str) -> dict:
    """Record a new status, tell the person, and schedule an appointment's reminder."""
    clean = parse_details(status, details)
    reg = rt.registrations.set_status(reference, status, actor, **clean)
    change = rt.registrations.next_change(reference)
    out_id = send(rt, reg, f"notify.status.{status}", clean, f"{reference}-status-{change}")
    result = {"reference": reference, "status": status, "notified": out_id is not None,
              "message_id": out_id}
    if status == APPOINTMENT:
        rt.registrations.set_appointment(reference, change, clean)
        when = reminder_time(rt, clean)
        rt.redis.zadd(_DUE, {f"{reference}:{change}": when.timestamp()})
        rt.queue(OUTBOUND_QUEUE).enqueue_at(when, "hotline.jobs.send_reminder", reference, change,
                                            retry=REMINDER_RETRY)
        result["reminder_at"] = when.isoformat()
    return result


def reminder_time(rt: Runtime, details: dict) -> datetime:
    zone = ZoneInfo(rt.settings.timezone)
    day = date.fromisoformat(details["date"]) - timedelta(days=1)
    when = datetime.combine(day, clock(REMINDER_HOUR), tzinfo=zone)
    return max(when, datetime.now(tz=zone))


def remind(rt: Runtime, reference: str, change: int) -> str | None:
    """The day-before reminder, unless the appointment changed or was cancelled since."""
    on_file, booked = rt.registrations.appointment(reference) or (None, {})
    if on_file is None or str(on_file) != str(change):
        log.info("reminder for %s skipped: appointment changed", reference)
        rt.redis.zrem(_DUE, f"{reference}:{change}")
        return None
    reg = rt.registrations.get(reference, actor=None)
    details = {k: booked[k] for k in DETAILS[APPOINTMENT]}
    out_id = send(rt, reg, "notify.reminder", details, f"{reference}-reminder-{change}")
    rt.redis.zrem(_DUE, f"{reference}:{change}")
    return out_id


def resume_due(rt: Runtime, now: float | None = None) -> int:
    """For the sweeper: queue again the reminders still unsent well after their time (their job
    was lost); each is looked at again only after another grace period."""
    now = now or clock_time.time()
    due = rt.redis.zrangebyscore(_DUE, 0, now - DUE_GRACE_SECONDS)
    for member in due:
        reference, _, change = member.rpartition(":")
        rt.redis.zadd(_DUE, {member: now})
        log.warning("reminder for %s was not sent on time; queueing it again", reference)
        rt.queue(OUTBOUND_QUEUE).enqueue("hotline.jobs.send_reminder", reference, int(change),
                                         retry=REMINDER_RETRY)
    return len(due)


def forget_reminders(redis: Redis, references: list[str]) -> int:
    """Erasure: drop the pending reminders of these registrations; returns how many."""
    wanted = set(references)
    members = [m for m in redis.zrange(_DUE, 0, -1) if m.rpartition(":")[0] in wanted]
    return redis.zrem(_DUE, *members) if members else 0
