"""Dates as people type them: a date of birth, and the month they were returned to Mexico.

>>> parse_birth_date("15/03/1988", today=date(2026, 11, 23))
datetime.date(1988, 3, 15)
>>> parse_birth_date("15 marzo 88", today=date(2026, 11, 23)), parse_birth_date("March 15 1988")
(datetime.date(1988, 3, 15), datetime.date(1988, 3, 15))
"""

from __future__ import annotations

import difflib
import re
from datetime import date

from hotline.text import fold

from .invalid import Invalid

_MONTHS = {
    "enero": 1, "ene": 1, "january": 1, "jan": 1, "janurary": 1, "januari": 1,
    "febrero": 2, "feb": 2, "february": 2, "febrary": 2, "febreo": 2, "febuary": 2,
    "marzo": 3, "mar": 3, "march": 3, "marso": 3,
    "abril": 4, "abr": 4, "april": 4, "apr": 4,
    "mayo": 5, "may": 5, "may0": 5,
    "junio": 6, "jun": 6, "june": 6,
    "julio": 7, "jul": 7, "july": 7,
    "agosto": 8, "ago": 8, "august": 8, "aug": 8, "agost": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "set": 9, "september": 9,
    "octubre": 10, "oct": 10, "october": 10,
    "noviembre": 11, "nov": 11, "november": 11, "novienbre": 11,
    "diciembre": 12, "dic": 12, "december": 12, "dec": 12, "disiembre": 12,
}
_FILLER = {"de", "del", "of", "the", "el", "en", "in", "on", "año", "ano", "nacio", "naci",
           "born", "i", "was", "yo", "fecha", "es", "my", "mi", "dia", "day", "th", "st", "nd",
           "rd", "a", "por", "ahi", "around", "como", "approx", "aprox", "aproximadamente"}


def _month_word(token: str) -> int | None:
    if token in _MONTHS:
        return _MONTHS[token]
    close = difflib.get_close_matches(token, [m for m in _MONTHS if len(m) > 3], n=1,
                                      cutoff=0.8)
    return _MONTHS[close[0]] if close else None


def _full_year(value: int, today: date) -> int:
    if value >= 100:
        return value
    # Two-digit years: the most recent past year that ends that way.
    century = today.year // 100 * 100
    return century + value if century + value <= today.year else century - 100 + value


# Numbers in words, as people dictate a date ("quince de marzo de mil novecientos noventa",
# "the fifth of may nineteen eighty"): each run of these becomes its digits.
_UNITS = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "primero": 1, "dos": 2, "tres": 3, "cuatro": 4,
    "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11,
    "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17,
    "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25,
    "veintiseis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30,
    "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300,
    "cuatrocientos": 400, "quinientos": 500, "seiscientos": 600, "setecientos": 700,
    "ochocientos": 800, "novecientos": 900,
    "one": 1, "first": 1, "two": 2, "second": 2, "three": 3, "third": 3, "four": 4,
    "fourth": 4, "five": 5, "fifth": 5, "six": 6, "sixth": 6, "seven": 7, "seventh": 7,
    "eight": 8, "eighth": 8, "nine": 9, "ninth": 9, "ten": 10, "tenth": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "twentieth": 20,
    "thirty": 30, "thirtieth": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_THOUSAND = {"mil", "thousand"}
_HUNDRED = {"hundred"}


def _run_value(run: list[str]) -> int:
    values = [w for w in run if w in _UNITS]
    # "nineteen ninety (two)": two-digit pairs, the way English says a year.
    if (not set(run) & (_THOUSAND | _HUNDRED) and len(values) >= 2
            and 10 <= _UNITS[values[0]] < 100 and _UNITS[values[1]] >= 10):
        return _UNITS[values[0]] * 100 + sum(_UNITS[w] for w in values[1:])
    total = current = 0
    for word in run:
        if word in _THOUSAND:
            total += (current or 1) * 1000
            current = 0
        elif word in _HUNDRED:
            current = (current or 1) * 100
        elif word in _UNITS:
            current += _UNITS[word]
    return total + current


def _spell_numbers(words: list[str]) -> list[str]:
    """Runs of number words as digits ("y"/"and" inside a run joins it).

    >>> _spell_numbers("quince de marzo de mil novecientos ochenta y ocho".split())
    ['15', 'de', 'marzo', 'de', '1988']
    >>> _spell_numbers("march twenty first nineteen ninety".split())
    ['march', '21', '1990']
    """
    out: list[str] = []
    run: list[str] = []
    for i, word in enumerate(words + [""]):
        number = word in _UNITS or word in _THOUSAND or word in _HUNDRED
        joins = (word in ("y", "and") and run and i + 1 < len(words)
                 and words[i + 1] in _UNITS)
        # "twenty first nineteen ninety": a day then a year, split where the ones end.
        if (number and run and run[-1] in _UNITS and word in _UNITS and _UNITS[run[-1]] < 10
                and _UNITS[run[-1]] != 0 and not (run[-1] in _UNITS and _UNITS[word] >= 100)):
            out.append(str(_run_value(run)))
            run = []
        if number or joins:
            run.append(word)
            continue
        if run:
            out.append(str(_run_value(run)))
            run = []
        if word:
            out.append(word)
    return out


def _tokens(text: str) -> list[str]:
    spaced = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", fold(text.replace("/", " ").replace("-", " ")
                                                        .replace(".", " ")))
    return [t for t in _spell_numbers(spaced.split()) if t not in _FILLER]


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise Invalid("date_impossible") from None


def parse_date(text: str, today: date | None = None, day_first: bool = True) -> date:
    """A calendar date written the way people write them, in Spanish or English.

    >>> parse_date("31/02/1990")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: date_impossible
    >>> parse_date("1990-07-04"), parse_date("4 de julio de 1990"), parse_date("july 4th, 1990")
    (datetime.date(1990, 7, 4), datetime.date(1990, 7, 4), datetime.date(1990, 7, 4))
    >>> parse_date("07/04/1990", day_first=False)
    datetime.date(1990, 7, 4)
    """
    today = today or date.today()
    raw = (text or "").strip()
    if not raw:
        raise Invalid("empty")
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", raw)
    if iso:
        return _build(int(iso[1]), int(iso[2]), int(iso[3]))
    tokens = _tokens(raw)
    numbers = [t for t in tokens if t.isdigit()]
    named = [m for m in (_month_word(t) for t in tokens if not t.isdigit()) if m]
    others = [t for t in tokens if not t.isdigit() and not _month_word(t)]
    if others and not numbers:
        raise Invalid("date_unreadable")
    if named and len(numbers) == 2:
        a, b = int(numbers[0]), int(numbers[1])
        day_, year = (a, b) if a <= 31 and (b > 31 or len(numbers[1]) >= 2 and a <= 31) else (b, a)
        if len(numbers[0]) == 4:
            year, day_ = a, b
        return _build(_full_year(year, today), named[0], day_)
    if not named and len(numbers) == 3:
        a, b, c = (int(n) for n in numbers)
        if len(numbers[0]) == 4:
            return _build(a, b, c)
        if a > 12 and b <= 12:
            day_, month = a, b
        elif b > 12 and a <= 12:
            day_, month = b, a
        else:
            day_, month = (a, b) if day_first else (b, a)
        return _build(_full_year(c, today), month, day_)
    if not named and len(numbers) == 1 and len(numbers[0]) == 8:
        digits = numbers[0]
        if int(digits[:4]) > 1900:
            return _build(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        return _build(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    raise Invalid("date_unreadable")


def parse_birth_date(text: str, today: date | None = None, day_first: bool = True) -> date:
    """A date of birth: a real date, not in the future, not more than 110 years ago."""
    today = today or date.today()
    born = parse_date(text, today, day_first)
    if born > today:
        raise Invalid("date_future")
    if today.year - born.year > 110:
        raise Invalid("date_too_old")
    return born


MPP_FIRST_MONTH = date(2019, 1, 1)


def parse_month_year(text: str, today: date | None = None) -> date:
    """A month and year (the first of that month); a full date is accepted too.

    >>> parse_month_year("marzo 2019"), parse_month_year("03/2020"), parse_month_year("ago 21")
    (datetime.date(2019, 3, 1), datetime.date(2020, 3, 1), datetime.date(2021, 8, 1))
    >>> parse_month_year("2017")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.invalid.Invalid: month_unreadable
    """
    today = today or date.today()
    try:
        full = parse_date(text, today)
        month = full.replace(day=1)
    except Invalid as exc:
        if exc.reason == "empty":
            raise
        tokens = _tokens(text or "")
        numbers = [t for t in tokens if t.isdigit()]
        named = [m for m in (_month_word(t) for t in tokens if not t.isdigit()) if m]
        if named and len(numbers) == 1:
            month = _build(_full_year(int(numbers[0]), today), named[0], 1)
        elif not named and len(numbers) == 2 and 1 <= int(numbers[0]) <= 12:
            month = _build(_full_year(int(numbers[1]), today), int(numbers[0]), 1)
        elif (not named and len(numbers) == 2 and len(numbers[0]) == 4
              and 1 <= int(numbers[1]) <= 12):
            month = _build(int(numbers[0]), int(numbers[1]), 1)
        else:
            raise Invalid("month_unreadable") from None
    if month > today:
        raise Invalid("date_future")
    if month < MPP_FIRST_MONTH:
        raise Invalid("month_before_mpp")
    return month

