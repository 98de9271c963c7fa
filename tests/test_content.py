"""What people read: every sentence in both catalogs, short enough for SMS, and safe."""

import re

import pytest
import yaml

from hotline.messaging import menus
from hotline.messaging import sms
from hotline.config import PROJECT_ROOT
from hotline.content.responses import load_responses
from hotline.content.catalogs import LANGUAGES, CatalogError, Catalogs, placeholders
from hotline.content.program_status import STATES
from hotline.registration.summary import summary

LOCALES = PROJECT_ROOT / "locales"
catalogs = Catalogs(LOCALES)
shapes = load_responses(PROJECT_ROOT / "bot" / "domain", PROJECT_ROOT / "bot" / "responses")
SAMPLE_DATES = {"since": "21 de septiembre de 2025", "as_of": "30 de noviembre de 2026",
                "reference": "K7RF-9TXH", "minutes": "12", "opens": "martes 8:00"}

# Answers that touch travel must repeat that nobody goes to the border without instructions.
TRAVEL = ["utter_border_warning", "utter_locations", "utter_next_steps", "utter_covid",
          "utter_not_in_mexico", "utter_transportation", "utter_reg_done",
          *[f"status_{s}" for s in STATES]]
BORDER_WARNING = {"en": re.compile(r"\b(do not|don't|never)\b[^.]{0,50}\b(border|port)", re.I),
                  "es": re.compile(r"\b(no|nunca) (vaya|regrese|intente)[^.]{0,50}(frontera|garita)",
                                   re.I)}
COMPUTED = {"utter_program_status"}  # its words are the status variants, tested below


# A registration summary as a person would see it, longest realistic values.
SAMPLE_ANSWERS = {
    "reg_name": "María Guadalupe Hernández López", "reg_birth_date": "1988-09-15",
    "reg_citizenship": "SV", "reg_a_number": "012345678", "reg_case": "in_absentia",
    "reg_enrolled": "2019-09-01", "reg_location": {"country": "MX", "place": "México, Nuevo Laredo"},
    "reg_contact": "whatsapp", "reg_family": 3, "reg_vulnerability": ["illness", "violence"],
}
# The summary is the one message allowed to be long: it is sent once, and a wrong name or
# A-number costs far more than a few segments.
LONG = {"utter_ask_reg_confirm": 8}


def sample_values(lang: str) -> dict:
    return dict(SAMPLE_DATES, summary=summary(SAMPLE_ANSWERS, lang, catalogs))


def rendered(name: str, lang: str) -> str:
    """The SMS a person receives for a response, numbered options included."""
    shape = shapes[name]
    key = shape.text_key
    values = sample_values(lang)
    text = catalogs.text(key, lang, **{k: values[k] for k in placeholders(
        catalogs.raw(key, lang))})
    if shape.buttons:
        options = [{"title": catalogs.text(t, lang), "payload": p} for t, p in shape.buttons]
        text += "\n\n" + menus.render_options(options)
    return text


def test_every_locale_loads_a_real_catalog_not_the_silent_fallback():
    for lang in LANGUAGES:
        assert catalogs.raw("utter_greet", lang) != "utter_greet"
    assert catalogs.raw("utter_greet", "en") != catalogs.raw("utter_greet", "es")


def test_every_response_and_button_has_words_in_both_languages():
    for shape in shapes.values():
        assert shape.name in COMPUTED or catalogs.has(shape.text_key), shape.name
        for title, _ in shape.buttons:
            assert catalogs.has(title), (shape.name, title)
    for state in STATES:
        assert catalogs.has(f"status_{state}")


def test_pot_lists_exactly_the_catalog_ids():
    from babel.messages.pofile import read_po

    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    assert template == catalogs.keys()


@pytest.mark.parametrize("name", sorted(set(shapes) - COMPUTED))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_answer_fits_three_sms_segments(name, lang):
    text = rendered(name, lang)
    limit = LONG.get(name, 3)
    assert sms.segments(text) <= limit, f"{name}/{lang}: {sms.segments(text)} segments: {text}"


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_program_status_variants_fit_and_say_their_date(state, lang):
    text = catalogs.text(f"status_{state}", lang, **SAMPLE_DATES)
    options = [{"title": catalogs.text(t, lang), "payload": p}
               for t, p in shapes["utter_program_status"].buttons]
    assert SAMPLE_DATES["as_of"] in text
    assert sms.segments(text + "\n\n" + menus.render_options(options)) <= 3


@pytest.mark.parametrize("key", TRAVEL)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_travel_answers_warn_against_going_to_the_border(key, lang):
    text = catalogs.raw(key, lang)
    assert BORDER_WARNING[lang].search(text), f"{key}/{lang} lacks the border warning: {text}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cost_scam_says_free_and_unsellable(lang):
    text = catalogs.raw("utter_cost_scam", lang).lower()
    assert ("free" in text and "nobody can sell" in text) if lang == "en" else (
        "gratis" in text and "nadie puede venderle" in text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_emergency_gives_mexican_emergency_numbers_first(lang):
    text = catalogs.raw("utter_emergency", lang)
    assert text.index("911") < 60 and "089" in text


def test_no_answer_says_someone_is_eligible():
    for key in catalogs.keys():
        en, es = catalogs.raw(key, "en").lower(), catalogs.raw(key, "es").lower()
        assert not re.search(r"\byou are eligible\b|(?<!if )\byou qualify\b", en), key
        assert not re.search(r"(?<!si )\busted (es elegible|califica)\b", es), key


def test_only_known_links_and_numbers():
    allowed_urls = {"conecta.acnur.org", "portal.eoir.justice.gov"}
    for key in catalogs.keys():
        for lang in LANGUAGES:
            text = catalogs.raw(key, lang)
            for host in re.findall(r"\b[\w-]+(?:\.[\w-]+)+\.(?:org|gov|com|net|mx)\b", text):
                assert host in allowed_urls, (key, lang, host)
            for number in re.findall(r"\d[\d-]{6,}\d", text):
                # EOIR's line, and the made-up A-number every A-number example uses.
                assert number in ("1-800-898-7180", "012-345-678"), (key, lang, number)


def test_catalog_problems_fail_loudly(tmp_path):
    for lang in LANGUAGES:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid "a"\nmsgstr "Hello {name}"\n')
    (tmp_path / "es" / "LC_MESSAGES" / "messages.po").write_text('msgid "a"\nmsgstr "Hola"\n')
    with pytest.raises(CatalogError, match="placeholders"):
        Catalogs(tmp_path)
    (tmp_path / "es" / "LC_MESSAGES" / "messages.po").write_text('msgid "a"\nmsgstr ""\n')
    with pytest.raises(CatalogError, match="untranslated"):
        Catalogs(tmp_path)
    (tmp_path / "es" / "LC_MESSAGES" / "messages.po").unlink()
    with pytest.raises(CatalogError, match="no catalog"):
        Catalogs(tmp_path)


def test_domain_stubs_are_catalog_ids_not_prose():
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        for name, variations in (yaml.safe_load(path.read_text()).get("responses") or {}).items():
            assert variations[0]["text"] == name, f"{path.name}: {name} must be its catalog id"
