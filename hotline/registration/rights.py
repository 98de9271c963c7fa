"""A person's own data, told to them: the answer to MY DATA / MIS DATOS (the right of access).

Short enough for a couple of SMS, in their language, and safe if someone else holds the phone:
the number and the A-number masked, only the first name, no health details (only whether some
were noted). Pure: the caller (messaging.inbound) gathers the contact and their registration.
"""

from __future__ import annotations


def mask(value: str, keep: int) -> str:
    """All but the last `keep` characters hidden.

    >>> mask("+5215512345678", 4), mask("A012345678", 3), mask("", 3), mask("12", 3)
    ('***5678', '***678', '', '***')
    """
    value = (value or "").strip()
    if not value:
        return ""
    return "***" + (value[-keep:] if len(value) > keep else "")


def summary(catalogs, lang: str, number: str | None, language: str | None, registration,
            days: int, retention_days: int = 0) -> str:
    """The words of the answer; `registration` is the latest (or None)."""
    t = catalogs.text
    if registration is None:
        reg_text = t("mydata.no_registration", lang)
    else:
        first_name = (registration.name or "").split()[0] if registration.name else "-"
        reg_text = t("mydata.registration", lang, reference=registration.reference,
                     name=first_name, a_number=mask(registration.a_number, 3) or "-",
                     place=registration.location_city or registration.location_country or "-",
                     family=registration.family,
                     vulnerable=t("mydata.yes" if registration.vulnerabilities else "mydata.no",
                                  lang))
    spoken = language if language in ("es", "en") else lang
    # The rule of retention goes with the registration it would erase: the hotline never texts
    # a silent person before erasing them, so this is where they learn it.
    if retention_days > 0:
        reg_text += t("mydata.retention", lang, days=retention_days)
    return t("mydata.summary", lang, number=mask(number or "", 4) or "-",
             language=t(f"mydata.language.{spoken}", lang), registration=reg_text, days=days)
