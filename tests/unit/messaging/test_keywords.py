"""The keywords (STOP, START, HELP and their Spanish forms), decided before the assistant sees a
message."""

import pytest

from hotline.messaging import keywords


@pytest.mark.parametrize("body", [
    "STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "Cancel", "END", "quit",
    "PARAR", "alto", "Baja", "CANCELAR", "cancelár", "¡ALTO!",
])
def test_opt_out_keywords(body):
    assert keywords.match(body) == keywords.OPT_OUT


@pytest.mark.parametrize("body", ["START", "unstop", "ALTA", "Inicio", "inició"])
def test_opt_in_keywords(body):
    assert keywords.match(body) == keywords.OPT_IN


@pytest.mark.parametrize("body", ["HELP", "help!", "Ayuda", "AYUDA."])
def test_help_keywords(body):
    assert keywords.match(body) == keywords.HELP


@pytest.mark.parametrize("body", [
    "no quiero parar", "necesito ayuda con mi caso",
    "", "   ", "1", "started",
])
def test_sentences_are_not_keywords(body):
    assert keywords.match(body) is None


def test_keyword_language():
    assert keywords.keyword_language("BAJA") == "es"
    assert keywords.keyword_language("stop") == "en"
    assert keywords.keyword_language("hola") is None
