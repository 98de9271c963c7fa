"""Where the person is now: the place as written, and its country when we can tell."""

from __future__ import annotations

import re

from hotline.text import fold

from .identity import parse_country
from .invalid import Invalid

# Cities where people waiting under MPP most often are, to infer the country from a city alone.
_MEXICAN_CITIES = ["tijuana", "mexicali", "ciudad juarez", "juarez", "nuevo laredo",
                   "matamoros", "reynosa", "piedras negras", "nogales", "monterrey",
                   "ciudad de mexico", "cdmx", "tapachula", "saltillo", "chihuahua",
                   "hermosillo", "ensenada", "acuna", "ciudad acuna", "san luis rio colorado",
                   "guadalajara", "puebla", "oaxaca", "veracruz", "villahermosa", "tenosique",
                   "tecate", "agua prieta", "ojinaga", "camargo", "miguel aleman", "rosarito",
                   "durango", "leon", "queretaro", "san luis potosi", "tampico"]
_US_WORDS = ["texas", "california", "arizona", "new mexico", "nuevo mexico", "houston",
             "dallas", "san antonio", "el paso", "los angeles", "san diego", "new york",
             "nueva york", "florida", "miami", "chicago", "atlanta", "new jersey", "nueva jersey",
             "brownsville", "mcallen", "laredo texas", "denver", "phoenix"]
_PLACE_LEAD = re.compile(r"^(ahorita |ahora |now )?(estoy|estamos|vivo|vivimos|i am|im|i'm|we are|"
                         r"i live|we live)( aqui| here)? (en|in) ", re.I)


def parse_location(text: str) -> tuple[str | None, str]:
    """(country code or None, place as written) for 'where are you now'.

    >>> parse_location("México, Tijuana"), parse_location("estoy en reynosa")
    (('MX', 'México, Tijuana'), ('MX', 'reynosa'))
    >>> parse_location("Houston Texas"), parse_location("Guatemala")
    (('US', 'Houston Texas'), ('GT', 'Guatemala'))
    """
    place = _PLACE_LEAD.sub("", " ".join((text or "").split())).strip()
    if not place or not any(c.isalpha() for c in place):
        raise Invalid("location_unreadable")
    if any(c in place for c in "<>{}"):
        raise Invalid("location_unreadable")
    if len(place) > 120:
        raise Invalid("location_unreadable")
    folded = f" {fold(place)} "
    if any(f" {w} " in folded for w in _US_WORDS):
        return "US", place
    if any(f" {c} " in folded for c in _MEXICAN_CITIES):
        return "MX", place
    for part in re.split(r"[,;/]| en | in ", place):
        try:
            return parse_country(part), place
        except Invalid:
            continue
    try:
        return parse_country(place), place
    except Invalid:
        return None, place

