"""Telling a registered person that their registration's status changed, and reminding them.

The words come from catalog templates in the person's language, dates and times written the
local way (Babel). Notifications join the person's outbox, so they never overtake a reply the
assistant is sending them.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from babel.dates import format_time

from hotline.content.catalogs import format_day
from hotline.messaging import routing
from hotline.messaging.outbound import NOTICE, queue_to_contact
from hotline.registration.store import Registration
from hotline.runtime import OUTBOUND_QUEUE, Runtime

log = logging.getLogger(__name__)

APPOINTMENT = "appointment_scheduled"
# What each status needs besides the reference.
DETAILS = {APPOINTMENT: ("place", "date", "time"), "information_needed": ("what",)}
REMINDER_HOUR = 9  # the day before, at 9:00 local time


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


def send(rt: Runtime, reg: Registration, key: str, details: dict, out_id: str) -> str | None:
    """Queue the message on the person's channel; None when it cannot be sent (why is logged)."""
    contact = rt.contacts.get(reg.contact_id)
    if contact is None:
        log.warning("registration %s has no contact to notify", reg.reference)
        return None
    try:
        return queue_to_contact(rt, contact, render(rt, reg, key, details), NOTICE, out_id=out_id,
                                channel=reg.channel, number=reg.phone or None)
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
        rt.queue(OUTBOUND_QUEUE).enqueue_at(when, "hotline.jobs.send_reminder", reference, change)
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
        return None
    reg = rt.registrations.get(reference, actor=None)
    details = {k: booked[k] for k in DETAILS[APPOINTMENT]}
    return send(rt, reg, "notify.reminder", details, f"{reference}-reminder-{change}")
