"""Which language a person writes in, from very little text.

SMS are short and unaccented, so this scores common function words and hotline vocabulary
rather than relying on accents; Spanish punctuation and letters add weight. A contact keeps the
language of their first message until they clearly write in the other one or ask to switch.

Two decisions live here and nowhere else: `resolve` decides, once per message in the gateway,
which language the contact is in now (and the gateway stores it on the contact and puts it in the
turn's metadata); `for_turn` decides which language one reply of that turn is written in, and is
used alike by the gateway, the custom actions and the NLG endpoint.

>>> detect("hola")[0]
'es'
>>> detect("hello i need help with my case")[0]
'en'
>>> detect("kiero aser mi rejistro")[0]
'es'
>>> detect("ok")
(None, 0)
"""

from __future__ import annotations

import functools
import logging

import yaml

from hotline.config import PROJECT_ROOT
from hotline.content.catalogs import LANGUAGES
from hotline.text import normalize, strip_accents, words

log = logging.getLogger(__name__)

_ES = set(
    """
    hola buenas buenos dias tardes noches gracias por favor porfa xfa quiero kiero necesito
    nesesito quisiera puedo como donde cuando que porque xq pq cual cuanto tengo estoy esta
    estoy soy somos mi mis su sus el la los las un una de del en con para sin pero y o yo
    usted ustedes tu te me se le les lo nos mucho muy ya aun todavia si tambien ayuda ayudar
    hablar persona abogado frontera caso corte audiencia registro registrar registrarme
    inscribir cita informacion saber aqui aca alla hijos hijo hija familia esposo esposa
    programa proceso quedate mexico migracion asilo juez fecha papeles documentos salud
    peligro secuestro amenaza dinero pagar cobran estafa cuesta adios bendiciones
    espanol castellano entiendo ingles idioma hay tienen sabe ustedes nada bien mal vez
    """.split()
)
_EN = set(
    """
    hi hello hey good morning afternoon evening thanks thank you please pls plz want wanna
    need can could how where when what why which who is are am was were my your his her the a
    an of in on with for without but and or i me we they it this that do does did have has
    yes also help talk person lawyer border case court hearing register registration sign up
    appointment information know here there children child kids family husband wife program
    process remain mexico immigration asylum judge date papers documents health danger
    kidnapped threat money pay scam cost bye bless english spanish language speak understand
    any anything nothing fine bad still already should would will
    """.split()
)
# Words both languages use (or SMS shorthands) carry no signal.
_SHARED = {"ok", "okay", "mpp", "no", "si", "a", "me", "program", "mexico", "de"}
_ES -= _SHARED
_EN -= _SHARED

# Confidence needed to move a contact away from the language they already have.
SWITCH_MARGIN = 3


# The classifier's vote, in the same units as a word of the lists above: a sure vote counts as
# two words, a likely one as one word, so a short ambiguous message still needs words to move
# a contact (SWITCH_MARGIN) and one misspelled sentence is enough.
_SURE, _LIKELY = 0.95, 0.75


@functools.lru_cache(maxsize=1)
def _classifier():
    """Character n-grams (accents stripped) and naive Bayes, trained on nlu_data/ the first
    time a message needs it (about a second): it knows the misspellings, slang and Spanglish
    the assistant was taught. None when the data is not there (then the word lists decide)."""
    texts, langs = [], []
    for lang in LANGUAGES:
        for path in sorted((PROJECT_ROOT / "nlu_data" / lang).glob("*.yml")):
            for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
                for line in (block.get("examples") or "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        texts.append(_prepare(line[2:]))
                        langs.append(lang)
    if len(set(langs)) < 2:
        log.warning("no nlu_data/ to learn languages from: word lists only")
        return None
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    return make_pipeline(CountVectorizer(analyzer="char_wb", ngram_range=(1, 4)),
                         MultinomialNB(alpha=0.5)).fit(texts, langs)


def _prepare(text: str) -> str:
    return strip_accents(normalize(text)).casefold()


def classifier_vote(text: str) -> tuple[str | None, int]:
    """The classifier's language for a text and its weight (0, 1 or 2 words' worth).

    >>> classifier_vote("kiero saber si ya abrieron el rejistro pa los del mpp")
    ('es', 2)
    >>> classifier_vote("wen is my cort date i dont no")
    ('en', 2)
    """
    model = _classifier()
    if model is None:
        return None, 0
    # str(): numpy 2 hands back its own string type, which must not leak into stored languages.
    probabilities = {str(lang): float(p) for lang, p in
                     zip(model.classes_, model.predict_proba([_prepare(text)])[0])}
    lang = max(probabilities, key=probabilities.get)
    weight = 2 if probabilities[lang] >= _SURE else 1 if probabilities[lang] >= _LIKELY else 0
    return (lang, weight) if weight else (None, 0)


def detect(text: str) -> tuple[str | None, int]:
    """The likelier language and the margin of evidence for it (0 when undecided): the word
    lists, Spanish punctuation and accents, and the classifier's vote when the message has a
    word that belongs to one language ("ok", "mpp", numbers and emoji stay undecided)."""
    tokens = words(text)
    es = sum(1 for t in tokens if t in _ES)
    en = sum(1 for t in tokens if t in _EN)
    content = [t for t in tokens if t not in _SHARED and not t.isdigit()]
    if content:
        lang, weight = classifier_vote(text)
        # Up to three words ("hi", "ok thanks", "delete my data": often copied from a poster or
        # a keyword list) are too little to move a contact on their own.
        weight = min(weight, 1) if len(content) < 4 else weight
        es += weight if lang == "es" else 0
        en += weight if lang == "en" else 0
    es += 2 * sum(1 for c in text or "" if c in "¿¡ñÑ")
    es += sum(1 for c in text or "" if c in "áéíóúÁÉÍÓÚ")
    if es == en:
        return None, 0
    return ("es", es - en) if es > en else ("en", en - es)


def resolve(current: str | None, chosen: bool, text: str, default: str) -> str:
    """The language to answer this message in.

    A language the person chose stays; a detected one yields only to clear evidence.

    >>> resolve(None, False, "ok", "es")
    'es'
    >>> resolve("es", False, "hi", "es")
    'es'
    >>> resolve("es", False, "hello I want to know if I can register for the program", "es")
    'en'
    >>> resolve("en", True, "hola quiero saber si puedo registrarme en el programa", "es")
    'en'
    """
    guess, margin = detect(text)
    if current is None:
        return guess or default
    if chosen or guess is None or guess == current:
        return current
    return guess if margin >= SWITCH_MARGIN else current


def for_turn(explicit: str | None, stored: str | None, metadata: dict | None, default: str) -> str:
    """The language of one reply: the first known of an explicit choice, the contact's stored
    language, the turn's metadata, then the default.

    `explicit` is for a language changed during this very turn (an action that switched it says
    so rather than rely on the store being read after its write). The stored language comes
    before the metadata because the gateway chose the metadata before any action ran.

    >>> for_turn("en", "es", {"language": "es"}, "es")
    'en'
    >>> for_turn(None, "en", {"language": "es"}, "es")
    'en'
    >>> for_turn("xx", None, {"language": "en"}, "es")
    'en'
    >>> for_turn(None, None, None, "es"), for_turn(None, "fr", {}, "en")
    ('es', 'en')
    """
    for lang in (explicit, stored, (metadata or {}).get("language")):
        if lang in LANGUAGES:
            return lang
    return default
