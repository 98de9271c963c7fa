"""Reading the answers people type into registration fields.

Each reader takes what the person wrote and returns the normalised value, or raises `Invalid`
with a reason code; the reason picks the catalog sentence that tells the person, in their
language, what was expected. Nothing here stores anything.

>>> parse_birth_date("15/03/1988", today=date(2026, 11, 23))
datetime.date(1988, 3, 15)
>>> parse_birth_date("15 marzo 88", today=date(2026, 11, 23)), parse_birth_date("March 15 1988")
(datetime.date(1988, 3, 15), datetime.date(1988, 3, 15))
>>> parse_a_number("A-012-345-678"), parse_a_number("a 12345678")
('012345678', '012345678')
>>> parse_country("onduras"), parse_country("Estados Unidos"), parse_country("soy guatemalteca")
('HN', 'US', 'GT')
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from functools import lru_cache

from babel import Locale

from hotline.text import fold


class Invalid(ValueError):
    """The answer cannot be used; `reason` names the catalog hint to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- yes / no ------------------------------------------------------------------------------
_YES = {"si", "yes", "y", "s", "ok", "okay", "oki", "claro", "acepto", "de acuerdo", "dale",
        "si acepto", "yes i agree", "i agree", "agree", "correcto", "correct", "esta bien",
        "todo bien", "si esta bien", "si es correcto", "yes correct", "sip", "simon", "va",
        "confirmo", "confirm", "yep", "yeah", "sure", "si claro", "asi es", "bueno"}
_NO = {"no", "n", "nope", "no acepto", "no gracias", "no thanks", "nel", "i do not agree",
       "no quiero", "i dont agree", "negativo"}


_CHOICE_LEAD = re.compile(r"^(?:(?:el|la|lo|the|mi|my)\s+)?(?:(?:opcion|option|numero|number|"
                          r"num|no|respuesta|answer)\s+)?")


def choice_text(text: str) -> str:
    """A reply to a numbered question without its wrapping: 'el 1', 'opción 2', '#3.' -> the
    number; repeated letters squeezed ('siii' -> 'si').

    >>> choice_text("El 1"), choice_text("opción #2."), choice_text("Siiii"), choice_text("la numero 3")
    ('1', '2', 'si', '3')
    """
    folded = fold(text)
    number = _CHOICE_LEAD.sub("", folded)
    if re.fullmatch(r"\d{1,2}", number):
        return number
    return re.sub(r"([a-z])\1+", r"\1", folded)


def yes_no(text: str, numbered: bool = True) -> bool | None:
    """True for yes, False for no, None when the reply is neither.

    >>> yes_no("Sí, acepto"), yes_no("2"), yes_no("nop"), yes_no("maybe"), yes_no("siii"), yes_no("el 1")
    (True, False, False, None, True, True)
    """
    plain, squeezed = fold(text), choice_text(text)
    if numbered and squeezed == "1":
        return True
    if numbered and squeezed == "2":
        return False
    forms = {plain, squeezed, plain.replace(",", "")}
    if forms & _YES:
        return True
    if forms & _NO or squeezed in ("nop", "no"):
        return False
    tokens = squeezed.split()
    if tokens and tokens[0] in ("si", "yes", "ok", "claro", "acepto") and "no" not in tokens:
        return True
    if tokens and tokens[0] in ("no", "nop") and len(tokens) <= 3:
        return False
    return None


# --- names ---------------------------------------------------------------------------------
_NAME_PUNCT = set(" -'.’")
_NAME_LEAD = re.compile(r"^(mi nombre (completo )?es|me (llamo|yamo|lamo|dicen)|my (full )?name is|"
                        r"soy|i am|im|i'm)\s+", re.I)


def parse_name(text: str) -> str:
    """A full name as written on documents: letters only, at least two words.

    >>> parse_name("  maría   josé  López-Díaz "), parse_name("me yamo Ana Ruiz")
    ('maría josé López-Díaz', 'Ana Ruiz')
    >>> parse_name("<script>alert(1)</script>")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.Invalid: name_letters
    """
    name = " ".join((text or "").split())
    name = _NAME_LEAD.sub("", name).strip()
    if not name:
        raise Invalid("empty")
    if any(not (c.isalpha() or c in _NAME_PUNCT) for c in name):
        raise Invalid("name_letters")
    if len(name) > 80:
        raise Invalid("name_long")
    parts = [p for p in name.split(" ") if any(c.isalpha() for c in p)]
    if len(parts) < 2:
        raise Invalid("name_full")
    return name


# --- dates ---------------------------------------------------------------------------------
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


def _tokens(text: str) -> list[str]:
    spaced = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", fold(text.replace("/", " ").replace("-", " ")
                                                        .replace(".", " ")))
    return [t for t in spaced.split() if t not in _FILLER]


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid("date_impossible") from None


def parse_date(text: str, today: date | None = None, day_first: bool = True) -> date:
    """A calendar date written the way people write them, in Spanish or English.

    >>> parse_date("31/02/1990")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.Invalid: date_impossible
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
    hotline.registration.answers.Invalid: month_unreadable
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
            month = date(_full_year(int(numbers[0]), today), named[0], 1)
        elif not named and len(numbers) == 2 and 1 <= int(numbers[0]) <= 12:
            month = date(_full_year(int(numbers[1]), today), int(numbers[0]), 1)
        elif not named and len(numbers) == 2 and len(numbers[0]) == 4 and 1 <= int(numbers[1]) <= 12:
            month = date(int(numbers[0]), int(numbers[1]), 1)
        else:
            raise Invalid("month_unreadable") from None
    if month > today:
        raise Invalid("date_future")
    if month < MPP_FIRST_MONTH:
        raise Invalid("month_before_mpp")
    return month


# --- A-number ------------------------------------------------------------------------------
def parse_a_number(text: str) -> str:
    """An alien registration number, normalised to nine digits.

    >>> parse_a_number("A# 0123 4567 8")
    '012345678'
    >>> parse_a_number("A 1234567")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.Invalid: a_number_length
    >>> parse_a_number("+52 899 123 4567")
    Traceback (most recent call last):
    ...
    hotline.registration.answers.Invalid: a_number_phone
    """
    raw = (text or "").strip()
    if not raw:
        raise Invalid("empty")
    if raw.startswith("+") or raw.startswith("00"):
        raise Invalid("a_number_phone")
    cleaned = re.sub(r"^(a\s*(number|numero|no\.?|#)?|numero\s*a|#)", "", fold(raw.replace("#", " ")))
    cleaned = cleaned.replace("a", "", 1) if cleaned.startswith("a") else cleaned
    compact = re.sub(r"[\s.\-]", "", cleaned)
    if not compact or not compact.isdigit():
        raise Invalid("a_number_digits")
    if len(compact) >= 10:
        # Ten digits or more is what a phone number looks like, not an A-number.
        raise Invalid("a_number_phone")
    if len(compact) not in (8, 9):
        raise Invalid("a_number_length")
    return compact.zfill(9)


# --- phone numbers -------------------------------------------------------------------------
def parse_phone(text: str, default_country_code: str = "52") -> str:
    """A phone number in E.164; ten digits without a country code take the sender's code.

    >>> parse_phone("(899) 123-4567"), parse_phone("+1 915 555 0101"), parse_phone("00 52 55 1234 5678")
    ('+528991234567', '+19155550101', '+525512345678')
    """
    raw = (text or "").strip()
    if not raw:
        raise Invalid("empty")
    if re.search(r"[^\d\s()+.\-]", raw):
        raise Invalid("phone_invalid")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif len(digits) == 10:
        number = default_country_code + digits
    else:
        number = digits
    if not 10 <= len(number) <= 15 or number.startswith("0"):
        raise Invalid("phone_invalid")
    return "+" + number


# --- countries -----------------------------------------------------------------------------
# How people name the countries most of them come from, beyond the official names.
_COUNTRY_ALIASES = {
    "HN": ["hondureno", "hondurena", "catracho", "catracha", "honduran", "hondu"],
    "GT": ["guatemalteco", "guatemalteca", "chapin", "chapina", "guatemalan", "guate"],
    "SV": ["salvadoreno", "salvadorena", "salvadoran", "el salvador", "salvador", "guanaco"],
    "NI": ["nicaraguense", "nica", "nicaraguan"],
    "CU": ["cubano", "cubana", "cuban"],
    "VE": ["venezolano", "venezolana", "venezuelan", "venezuela"],
    "CO": ["colombiano", "colombiana", "colombian"],
    "EC": ["ecuatoriano", "ecuatoriana", "ecuadorian"],
    "PE": ["peruano", "peruana", "peruvian"],
    "MX": ["mexicano", "mexicana", "mexican", "mejico", "mexico"],
    "HT": ["haitiano", "haitiana", "haitian", "ayiti"],
    "BR": ["brasileno", "brasilena", "brazilian", "brasil"],
    "DO": ["dominicano", "dominicana", "republica dominicana", "rep dominicana", "dominican"],
    "BO": ["boliviano", "boliviana", "bolivian"],
    "CL": ["chileno", "chilena", "chilean"],
    "AR": ["argentino", "argentina", "argentinian"],
    "CR": ["costarricense", "tico", "tica", "costa rican"],
    "PA": ["panameno", "panamena", "panamanian"],
    "US": ["usa", "eeuu", "ee uu", "estados unidos", "united states", "us", "u s", "america",
           "estadounidense", "gringolandia"],
    "UY": ["uruguayo", "uruguaya", "uruguayan"],
    "PY": ["paraguayo", "paraguaya", "paraguayan"],
}
_SKIP = {"soy", "de", "del", "la", "el", "i", "am", "im", "from", "pais", "country", "mi",
         "my", "es", "is", "nacionalidad", "ciudadano", "ciudadana", "citizen", "of", "en",
         "vengo", "somos", "we", "are", "nacido", "nacida", "born", "in"}


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "es"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO"):
                index.setdefault(fold(name), code)
    for code, names in _COUNTRY_ALIASES.items():
        for name in names:
            index[fold(name)] = code
    return index


def parse_country(text: str) -> str:
    """An ISO 3166 alpha-2 code from a country's name, a demonym or a close misspelling."""
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    index = _country_index()
    if folded in index:
        return index[folded]
    tokens = [t for t in folded.split() if t not in _SKIP]
    candidates = [" ".join(tokens)] + [" ".join(tokens[i:i + n]) for n in (3, 2, 1)
                                       for i in range(len(tokens) - n + 1)]
    for candidate in candidates:
        if candidate in index:
            return index[candidate]
    for candidate in candidates:
        if len(candidate) < 4:
            continue
        close = difflib.get_close_matches(candidate, list(index), n=1, cutoff=0.82)
        if close:
            return index[close[0]]
    raise Invalid("country_unknown")


def country_name(code: str, lang: str) -> str:
    return Locale.parse(lang).territories.get(code, code)


# --- where they are now --------------------------------------------------------------------
# Cities where people waiting under MPP most often are, to infer the country from a city alone.
_MEXICAN_CITIES = ["tijuana", "mexicali", "ciudad juarez", "juarez", "nuevo laredo",
                   "matamoros", "reynosa", "piedras negras", "nogales", "monterrey",
                   "ciudad de mexico", "cdmx", "tapachula", "saltillo", "chihuahua",
                   "hermosillo", "ensenada", "acuna", "ciudad acuna", "san luis rio colorado",
                   "guadalajara", "puebla", "oaxaca", "veracruz", "villahermosa", "tenosique",
                   "tecate", "agua prieta", "ojinaga", "camargo", "miguel aleman", "rosarito",
                   "mexicali", "durango", "leon", "queretaro", "san luis potosi", "tampico"]
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


# --- counts and choices --------------------------------------------------------------------
_NUMBER_WORDS = {
    "cero": 0, "zero": 0, "ninguno": 0, "ninguna": 0, "nadie": 0, "none": 0, "nobody": 0,
    "solo yo": 0, "nomas yo": 0, "just me": 0, "only me": 0, "yo solo": 0, "yo sola": 0,
    "solo": 0, "sola": 0, "no": 0,
    "uno": 1, "una": 1, "one": 1, "dos": 2, "two": 2, "tres": 3, "three": 3, "cuatro": 4,
    "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7,
    "ocho": 8, "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10,
}


def parse_family(text: str) -> int:
    """How many relatives register with the person (0 to 20).

    >>> parse_family("3"), parse_family("solo yo"), parse_family("somos mi esposa y dos hijos")
    (3, 0, 2)
    """
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    if folded in _NUMBER_WORDS:
        return _NUMBER_WORDS[folded]
    digits = re.findall(r"\d+", folded)
    if len(digits) == 1:
        value = int(digits[0])
    else:
        found = [_NUMBER_WORDS[t] for t in folded.split() if t in _NUMBER_WORDS and t != "no"]
        if len(found) != 1 or digits:
            raise Invalid("family_number")
        value = found[0]
    if not 0 <= value <= 20:
        raise Invalid("family_number")
    return value


CASE_SITUATIONS = ("pending", "terminated", "in_absentia", "removed_attended", "never_mpp",
                   "not_sure")
_CASE_WORDS = [
    ("in_absentia", ["ausencia", "absentia", "no fui", "no llegue", "no me presente",
                     "falte", "missed", "no pude ir", "didnt go", "did not go",
                     "no asisti"]),
    ("removed_attended", ["me deportaron", "orden de deportacion", "ordered removed",
                          "removal order", "deportation order", "perdi", "lost", "negaron",
                          "denied", "orden de remocion"]),
    ("terminated", ["terminado", "terminaron", "cerrado", "cerraron", "desestimado",
                    "dismissed", "terminated", "closed", "cancelaron", "archivado"]),
    ("never_mpp", ["nunca", "never", "no estuve", "not in mpp", "no tengo caso",
                   "no estoy en mpp", "no fui parte"]),
    ("not_sure", ["no se", "no estoy seguro", "no estoy segura", "not sure", "dont know",
                  "do not know", "idk", "ni idea", "quien sabe"]),
    ("pending", ["pendiente", "abierto", "activo", "sigue", "pending", "open", "active",
                 "todavia", "still", "esperando", "tengo corte", "tengo audiencia"]),
]


def parse_case_situation(text: str) -> str:
    """One of CASE_SITUATIONS from a number 1-6 or the person's own words.

    >>> parse_case_situation("3"), parse_case_situation("no fui a la corte y me dieron orden")
    ('in_absentia', 'in_absentia')
    >>> parse_case_situation("sigue pendiente"), parse_case_situation("no se")
    ('pending', 'not_sure')
    """
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    number = re.fullmatch(r"([1-9])", choice_text(text))
    if number:
        index = int(number[1]) - 1
        if index < len(CASE_SITUATIONS):
            return CASE_SITUATIONS[index]
        raise Invalid("choice_number")
    padded = f" {folded} "
    for situation, phrases in _CASE_WORDS:
        if any(f" {p} " in padded for p in phrases):
            return situation
    raise Invalid("choice_number")


CONTACT_CHOICES = ("sms", "whatsapp", "other")


def parse_contact_choice(text: str) -> str:
    """How the person wants to be reached: by number or in words.

    >>> parse_contact_choice("2"), parse_contact_choice("por whats"), parse_contact_choice("otro")
    ('whatsapp', 'whatsapp', 'other')
    """
    folded = fold(text)
    number = re.fullmatch(r"([1-3])", choice_text(text))
    if number:
        return CONTACT_CHOICES[int(number[1]) - 1]
    tokens = set(folded.split())
    if tokens & {"whatsapp", "whats", "wasap", "guasap", "wsp", "wa", "watsap", "whatsap"}:
        return "whatsapp"
    if tokens & {"otro", "otra", "other", "another", "different", "diferente"}:
        return "other"
    if tokens & {"sms", "mensaje", "mensajes", "texto", "text", "este", "this", "si", "yes"}:
        return "sms"
    raise Invalid("choice_number")


VULNERABILITIES = ("illness", "pregnancy", "disability", "elderly", "violence")
_VULNERABILITY_WORDS = {
    "illness": ["enfermo", "enferma", "enfermedad", "sick", "ill", "illness", "cancer",
                "diabetes", "medicina", "medicine"],
    "pregnancy": ["embarazada", "embarazo", "pregnant", "pregnancy", "encinta"],
    "disability": ["discapacidad", "discapacitado", "discapacitada", "disability",
                   "disabled", "silla de ruedas", "wheelchair"],
    "elderly": ["mayor", "anciano", "anciana", "elderly", "old", "tercera edad", "abuelo",
                "abuela"],
    "violence": ["amenaza", "amenazas", "amenazado", "amenazada", "violencia", "threat",
                 "threats", "threatened", "violence", "golpe", "golpes", "secuestro",
                 "persiguen", "extorsion"],
}
_NONE = {"no", "ninguna", "ninguno", "nada", "none", "nothing", "0", "skip", "saltar",
         "omitir", "no aplica", "n a", "na", "prefiero no decir", "prefer not to say", "no gracias",
         "no thanks", "ninguna de esas", "none of these", "nop"}


def parse_vulnerabilities(text: str) -> list[str]:
    """Optional vulnerability list from numbers ('1 3', '1,3') or words; [] for none.

    >>> parse_vulnerabilities("1, 3"), parse_vulnerabilities("no"), parse_vulnerabilities("estoy embarazada")
    (['illness', 'disability'], [], ['pregnancy'])
    """
    folded = fold(text)
    if not folded:
        raise Invalid("empty")
    if folded in _NONE:
        return []
    numbers = re.findall(r"\d+", folded)
    chosen: set[str] = set()
    for n in numbers:
        if not 1 <= int(n) <= len(VULNERABILITIES):
            raise Invalid("vulnerability_choice")
        chosen.add(VULNERABILITIES[int(n) - 1])
    padded = f" {folded} "
    for code, phrases in _VULNERABILITY_WORDS.items():
        if any(f" {p} " in padded for p in phrases):
            chosen.add(code)
    if not chosen:
        raise Invalid("vulnerability_choice")
    return [v for v in VULNERABILITIES if v in chosen]
