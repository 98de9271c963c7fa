"""Registration answers written back to the person, in their language, for the summary.

Pure: the caller passes the catalogs (the process runtime's).
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from hotline.content.catalogs import Catalogs, format_day
from hotline.registration.answers import NO_A_NUMBER, country_name


def format_month(day: date, lang: str) -> str:
    """Month and year the way people say them.

    >>> format_month(date(2019, 3, 1), "es"), format_month(date(2019, 3, 1), "en")
    ('marzo de 2019', 'March 2019')
    """
    return format_date(day, format="LLLL 'de' y" if lang == "es" else "LLLL y", locale=lang)


def format_a_number(digits: str) -> str:
    return f"A-{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _a_number(value: str | None, lang: str, catalogs: Catalogs) -> str:
    if value == NO_A_NUMBER:
        return catalogs.text("reg.a_number.none", lang)
    return format_a_number(value) if value else ""


def summary(slots: dict, lang: str, catalogs: Catalogs) -> str:
    """Numbered lines in the order the person can correct them (`reading.SUMMARY`)."""
    t = catalogs.text
    location = slots.get("reg_location") or {}
    place = location.get("place") or ""
    contact = slots.get("reg_contact")
    if contact == "other":
        reach = slots.get("reg_phone") or ""
    else:
        reach = t(f"reg.contact.{contact or 'sms'}", lang)
    vulnerabilities = slots.get("reg_vulnerability") or []
    lines = [
        (t("reg.field.name", lang), slots.get("reg_name") or ""),
        (t("reg.field.birth_date", lang),
         format_day(date.fromisoformat(slots["reg_birth_date"]), lang)
         if slots.get("reg_birth_date") else ""),
        (t("reg.field.citizenship", lang),
         country_name(slots["reg_citizenship"], lang) if slots.get("reg_citizenship") else ""),
        (t("reg.field.a_number", lang), _a_number(slots.get("reg_a_number"), lang, catalogs)),
        (t("reg.field.case", lang),
         t(f"reg.case.{slots['reg_case']}", lang) if slots.get("reg_case") else ""),
        (t("reg.field.enrolled", lang),
         format_month(date.fromisoformat(slots["reg_enrolled"]), lang)
         if slots.get("reg_enrolled") else ""),
        (t("reg.field.location", lang), place),
        (t("reg.field.contact", lang), reach),
        (t("reg.field.family", lang), str(slots.get("reg_family") or 0)),
        (t("reg.field.vulnerability", lang),
         ", ".join(t(f"reg.vulnerability.{v}", lang) for v in vulnerabilities)
         if vulnerabilities else t("reg.vulnerability.none", lang)),
    ]
    return "\n".join(f"{i}. {label}: {value}" for i, (label, value) in enumerate(lines, 1))
