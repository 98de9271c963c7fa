"""Reading the answers people type into registration fields.

Each reader takes what the person wrote and returns the normalised value, or raises `Invalid`
with a reason code; the reason picks the catalog sentence that tells the person, in their
language, what was expected. Nothing here stores anything.

- `choices`: yes/no, numbered options, the case, how to reach them, family, vulnerabilities
- `dates`: dates of birth and the month they were returned to Mexico
- `identity`: name, A-number (or that the person has none), phone number, country
- `places`: where they are now

May import `hotline.text`, `hotline.messaging.menus` (numbered replies) and
`hotline.messaging.phones` (phone numbers) only.
"""

from .choices import (
    CASE_SITUATIONS,
    CONTACT_CHOICES,
    VULNERABILITIES,
    choice_text,
    parse_case_situation,
    parse_contact_choice,
    parse_family,
    parse_vulnerabilities,
    yes_no,
)
from .dates import MPP_FIRST_MONTH, parse_birth_date, parse_date, parse_month_year
from .identity import (
    NO_A_NUMBER,
    country_name,
    name_text,
    no_a_number,
    parse_a_number,
    parse_country,
    parse_name,
    parse_phone,
)
from .invalid import Invalid
from .places import parse_location, place_text

__all__ = [
    "CASE_SITUATIONS", "CONTACT_CHOICES", "MPP_FIRST_MONTH", "NO_A_NUMBER", "VULNERABILITIES",
    "Invalid", "name_text", "no_a_number", "place_text",
    "choice_text", "country_name", "parse_a_number", "parse_birth_date", "parse_case_situation",
    "parse_contact_choice", "parse_country", "parse_date", "parse_family", "parse_location",
    "parse_month_year", "parse_name", "parse_phone", "parse_vulnerabilities", "yes_no",
]
