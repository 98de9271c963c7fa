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
                   "durango", "leon", "queretaro", "san luis potosi", "tampico", "cd juarez",
                   "juaritos", "tj", "nvo laredo", "ciudad victoria", "cd victoria",
                   "sonoyta", "palomas", "ciudad miguel aleman", "heroica matamoros",
                   "h matamoros", "cancun", "merida", "culiacan", "torreon", "celaya"]
# Mexico's states (Baja California is Mexico, whatever "California" suggests) and the words
# only Mexican addresses use: a colonia, a fraccionamiento, a shelter in "la colonia".
_MEXICAN_STATES = ["baja california", "baja california sur", "sonora", "chihuahua", "coahuila",
                   "nuevo leon", "tamaulipas", "sinaloa", "durango", "zacatecas", "jalisco",
                   "michoacan", "guerrero", "oaxaca", "chiapas", "tabasco", "veracruz",
                   "campeche", "yucatan", "quintana roo", "puebla", "tlaxcala", "hidalgo",
                   "queretaro", "guanajuato", "aguascalientes", "san luis potosi", "nayarit",
                   "colima", "morelos", "estado de mexico", "edomex", "edo mex", "bc", "bcs",
                   "nl", "tamps", "chih", "coah", "son", "chis", "mexico"]
_MEXICAN_ADDRESS = ["colonia", "col", "fraccionamiento", "fracc", "delegacion", "municipio",
                    "ejido", "ranchito", "albergue"]
# Answers that say the person does not know or will not say: unsure, so asked again.
_UNKNOWN = {"no se", "nose", "no lo se", "no sabemos", "ni idea", "no c", "idk",
            "i dont know", "i don t know", "dont know", "don t know", "not sure", "no idea",
            "no estoy seguro", "no estoy segura", "quien sabe"}
_US_WORDS = ["texas", "california", "arizona", "new mexico", "nuevo mexico", "houston",
             "dallas", "san antonio", "el paso", "los angeles", "san diego", "new york",
             "nueva york", "florida", "miami", "chicago", "atlanta", "new jersey", "nueva jersey",
             "brownsville", "mcallen", "laredo texas", "denver", "phoenix"]
_PLACE_LEAD = re.compile(r"^(ahorita |ahora |now |right now )?(estoy|estamos|vivo|vivimos|"
                         r"me encuentro|nos encontramos|me quedo|nos quedamos|i am|im|i'm|"
                         r"we are|we're|i live|we live|i'm staying|im staying|we're staying)"
                         r"( aqui| here| ahorita| ahora| now)? (en|in) ", re.I)


def place_text(text: str) -> str:
    """The place without the words that lead to it ("estoy en", "me encuentro en").

    >>> place_text("me encuentro en Matamoros"), place_text("Reynosa")
    ('Matamoros', 'Reynosa')
    """
    return _PLACE_LEAD.sub("", " ".join((text or "").split())).strip()


def parse_location(text: str) -> tuple[str | None, str]:
    """(country code or None, place as written) for 'where are you now'.

    >>> parse_location("México, Tijuana"), parse_location("estoy en reynosa")
    (('MX', 'México, Tijuana'), ('MX', 'reynosa'))
    >>> parse_location("Houston Texas"), parse_location("Guatemala")
    (('US', 'Houston Texas'), ('GT', 'Guatemala'))
    >>> parse_location("Tijuana, Baja California"), parse_location("col. Obrera")
    (('MX', 'Tijuana, Baja California'), ('MX', 'col. Obrera'))

    Unsure (a United States place beside a Mexican one, "no sé") is `Invalid`: the question
    is asked again, rather than the registration ended on a guess.
    """
    place = place_text(text)
    if not place or not any(c.isalpha() for c in place):
        raise Invalid("location_unreadable")
    if any(c in place for c in "<>{}"):
        raise Invalid("location_unreadable")
    if len(place) > 120:
        raise Invalid("location_unreadable")
    folded = f" {fold(place)} "
    if folded.strip() in _UNKNOWN:
        raise Invalid("location_unreadable")
    mexican = any(f" {c} " in folded for c in _MEXICAN_CITIES + _MEXICAN_STATES
                  + _MEXICAN_ADDRESS)
    # "Baja California" names California too: read the US words without it.
    us = any(f" {w} " in folded.replace(" baja california ", " ") for w in _US_WORDS)
    if us and mexican:
        raise Invalid("location_unreadable")
    if us:
        return "US", place
    if mexican:
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

