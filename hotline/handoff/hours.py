"""When operators are on duty: arithmetic on the hotline's hours, in its time zone.

Owns no Redis keys; pure, imports only the standard library.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo


def opening(hours: str, zone: str, now: datetime | None = None) -> datetime | None:
    """When operators are next on duty, or None if they are now.

    `hours` is "HH:MM-HH:MM" in the hotline's time zone, every day.

    >>> z = "America/Mexico_City"
    >>> opening("08:00-20:00", z, datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo(z))) is None
    True
    >>> opening("08:00-20:00", z, datetime(2026, 11, 23, 22, 0, tzinfo=ZoneInfo(z))).isoformat()
    '2026-11-24T08:00:00-06:00'
    >>> opening("08:00-20:00", z, datetime(2026, 11, 23, 6, 30, tzinfo=ZoneInfo(z))).hour
    8
    """
    tz = ZoneInfo(zone)
    now = (now or datetime.now(tz)).astimezone(tz)
    start_s, _, end_s = hours.partition("-")
    start, end = clock.fromisoformat(start_s.strip()), clock.fromisoformat(end_s.strip())
    if start <= now.time() < end:
        return None
    day = now.date() if now.time() < start else now.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=tz)


def emergency_response(operator_hours: str, zone: str, now: datetime | None = None) -> str:
    """The emergency answer for this moment: in operator hours the team was alerted and will
    write; outside them it says nobody can answer now, and what to do meanwhile.

    >>> from zoneinfo import ZoneInfo
    >>> z = "America/Mexico_City"
    >>> emergency_response("08:00-20:00", z, datetime(2026, 11, 23, 12, tzinfo=ZoneInfo(z)))
    'utter_emergency'
    >>> emergency_response("08:00-20:00", z, datetime(2026, 11, 23, 23, tzinfo=ZoneInfo(z)))
    'utter_emergency_after_hours'
    """
    if opening(operator_hours, zone, now) is None:
        return "utter_emergency"
    return "utter_emergency_after_hours"
